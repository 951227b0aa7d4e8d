package lark

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// tokenPath is where a custom app trades its id and secret for a
// tenant_access_token.
const tokenPath = "open-apis/auth/v3/tenant_access_token/internal"

// refreshMargin: a token is asked for again this long before it expires.
// Lark hands out a new token only in the last 30 minutes of the old one's
// two hours (before that it answers the same token, with the time it has
// left); asking in those 30 minutes leaves a whole poll for the old one.
const refreshMargin = 30 * time.Minute

// credentials read the app id and secret of the source's
// http_client.basic_auth. The collector reads them itself rather than let
// the HTTP client send them: commoncfg's basic_auth round tripper sets an
// Authorization: Basic header on every request that has none, and the
// Open API wants the secret in the token request's JSON body and a bearer
// token everywhere else. Every request to the message API carries its
// own Authorization: Bearer header, which that round tripper leaves
// alone, so the secret never goes with them; the token request goes
// without one, so the round tripper adds the Basic header to it: the same
// secret, to the same endpoint over the same connection as the body that
// carries it (the endpoint reads the body; no header is documented).
// Files are read at each token request, so a rotated secret takes effect
// without a reload.
type credentials struct {
	basic *commoncfg.BasicAuth
}

func (c credentials) check() error {
	b := c.basic
	switch {
	case b == nil:
		return errors.New("no http_client.basic_auth: the app id (username) and app secret (password) are required")
	case b.UsernameRef != "" || b.PasswordRef != "":
		return errors.New("http_client.basic_auth: username_ref and password_ref are not supported by kind lark; use username and password or password_file")
	case b.Username == "" && b.UsernameFile == "":
		return errors.New("http_client.basic_auth: no username (the app id, cli_…)")
	case b.Password == "" && b.PasswordFile == "":
		return errors.New("http_client.basic_auth: no password or password_file (the app secret)")
	}
	return nil
}

func (c credentials) read() (appID, secret string, err error) {
	b := c.basic
	appID, secret = b.Username, string(b.Password)
	if b.UsernameFile != "" {
		raw, err := os.ReadFile(b.UsernameFile)
		if err != nil {
			// The error names the file, never its content.
			return "", "", fmt.Errorf("reading basic_auth.username_file: %w", err)
		}
		appID = strings.TrimSpace(string(raw))
	}
	if b.PasswordFile != "" {
		raw, err := os.ReadFile(b.PasswordFile)
		if err != nil {
			return "", "", fmt.Errorf("reading basic_auth.password_file: %w", err)
		}
		secret = strings.TrimSpace(string(raw))
	}
	return appID, secret, nil
}

// tokens holds the tenant_access_token between polls: one token request
// per two hours, not one per poll.
type tokens struct {
	mu    sync.Mutex
	token string
	// renew is when to ask again: refreshMargin before the token
	// expires, or half its life when it was given for less than twice
	// that.
	renew time.Time
}

// bearer returns a token valid for a while yet, asking Lark for one when
// none is held or the one held is near its end.
func (c *collector) bearer(ctx context.Context) (string, error) {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	now := c.now()
	if c.tokens.token != "" && now.Before(c.tokens.renew) {
		return c.tokens.token, nil
	}
	appID, secret, err := c.creds.read()
	if err != nil {
		return "", err
	}
	var a tokenAnswer
	u := c.tokenURL.String()
	_, err = c.http.PostJSON(ctx, u, nil, map[string]string{"app_id": appID, "app_secret": secret}, &a)
	if err != nil {
		return "", classify(err, true)
	}
	if a.Code != 0 {
		return "", apiFailure(http.MethodPost, u, 200, a.envelope, true)
	}
	if a.Token == "" || a.Expire <= 0 {
		return "", &fetch.Error{Reason: fetch.ReasonDecode, Method: http.MethodPost, URL: u, Status: 200,
			Err: errors.New("the answer holds no tenant_access_token or no expire")}
	}
	life := time.Duration(a.Expire) * time.Second
	c.tokens.token, c.tokens.renew = a.Token, now.Add(life-min(refreshMargin, life/2))
	return a.Token, nil
}

// forget drops token, which Lark refused as invalid or expired, unless
// another request has replaced it already.
func (c *collector) forget(token string) {
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	if c.tokens.token == token {
		c.tokens.token = ""
	}
}

package gcpsupport

import (
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// scope is the one OAuth scope of the Cloud Support API (its discovery
// document: every method needs cloud-platform).
const scope = "https://www.googleapis.com/auth/cloud-platform"

// defaultMetadataHost is the metadata server of Google's compute
// platforms; GCE_METADATA_HOST overrides it, as in Google's own client
// libraries.
const defaultMetadataHost = "metadata.google.internal"

// tokenTimeout bounds a token request: the shared client's timeout is not
// known here, and the exporter's default is 30 s.
const tokenTimeout = 30 * time.Second

// tokens holds the access token of a source that gets its own (a key file
// or the metadata server) and fetches a new one when it nears expiry.
// The token goes into a request header only: never into an error, a log
// or the cursor.
type tokens struct {
	fetch   func(ctx context.Context) (*oauth2.Token, error)
	client  *http.Client  // the token requests'
	url     string        // the token endpoint, for errors
	timeout time.Duration // of a token request; tokenTimeout unless a test says

	mu  sync.Mutex
	tok *oauth2.Token
}

// header is the Authorization header of the next API request.
func (t *tokens) header(ctx context.Context) (http.Header, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.tok.Valid() { // Valid allows for a few seconds of clock skew
		// A token request counts against the sync's budget as any other.
		if err := fetch.CountRequest(ctx, t.url); err != nil {
			return nil, err
		}
		// The deadline is the context's, not the client's: x/oauth2/jwt
		// flattens a transport error into text, and a context that
		// expired still tells a timeout from the network's failure (only
		// when the request failed: a token that came in time is taken).
		tctx, cancel := context.WithTimeout(ctx, cmp.Or(t.timeout, tokenTimeout))
		tok, err := t.fetch(tctx)
		if err != nil {
			timedOut := ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded)
			cancel()
			if timedOut {
				return nil, &fetch.Error{Reason: fetch.ReasonTimeout, URL: t.url, Err: errors.New("token request timed out")}
			}
			return nil, tokenError(t.url, err)
		}
		cancel()
		t.tok = tok
	}
	return http.Header{"Authorization": {"Bearer " + t.tok.AccessToken}}, nil
}

// drop forgets the token once the API refused it (401): revoked before
// its expiry, or the clock is off.
func (t *tokens) drop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tok = nil
}

// tokenError classifies a failed token request: Google refusing the key
// or the metadata server refusing the request is auth; the rest is the
// network's. The error names the endpoint and Google's error code, never
// the assertion, the key or a token.
func tokenError(u string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		reason := fetch.ReasonAuth
		switch {
		case status == http.StatusTooManyRequests:
			reason = fetch.ReasonRateLimited
		case status >= 500:
			reason = fetch.ReasonHTTP
		}
		if re.ErrorCode == "" {
			// x/oauth2/jwt keeps the body unparsed: RFC 6749's error
			// and error_description, which carry no secret.
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				re.ErrorCode, re.ErrorDescription = body.Error, body.Description
			}
		}
		msg := "the token endpoint refused to issue a token"
		if re.ErrorCode != "" {
			msg += ": " + re.ErrorCode
			if re.ErrorDescription != "" {
				msg += " (" + re.ErrorDescription + ")"
			}
		}
		return &fetch.Error{Reason: reason, URL: u, Status: status, Err: errors.New(msg)}
	}
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return err
	}
	return &fetch.Error{Reason: fetch.ReasonNetwork, URL: u, Err: fmt.Errorf("token request: %w", unwrapURL(err))}
}

// serviceAccountKey is what the collector reads of a service account's JSON
// key file, as the console's "Create key" writes it.
type serviceAccountKey struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	TokenURI     string `json:"token_uri"`
}

// defaultTokenURI is Google's OAuth token endpoint, for a key file that
// names none.
const defaultTokenURI = "https://oauth2.googleapis.com/token"

// keyFileTokens gets tokens with the key file at path: the JWT bearer
// grant (RFC 7523) that Google's libraries use for service accounts, a
// signed assertion posted to the key's token_uri. Errors name the file,
// never its content.
func keyFileTokens(path string, hc *http.Client) (*tokens, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials_file: %w", err)
	}
	var key serviceAccountKey
	if err := json.Unmarshal(raw, &key); err != nil {
		return nil, fmt.Errorf("credentials_file %s: not a JSON key file", path)
	}
	switch {
	case key.Type != "service_account":
		return nil, fmt.Errorf("credentials_file %s: type %q, want a service account's key (service_account)", path, key.Type)
	case key.ClientEmail == "" || key.PrivateKey == "":
		return nil, fmt.Errorf("credentials_file %s: no client_email or private_key", path)
	}
	if !rsaKey(key.PrivateKey) {
		return nil, fmt.Errorf("credentials_file %s: private_key is not a PEM-encoded RSA key", path)
	}
	if key.TokenURI == "" {
		key.TokenURI = defaultTokenURI
	}
	cfg := &jwt.Config{
		Email: key.ClientEmail, PrivateKey: []byte(key.PrivateKey), PrivateKeyID: key.PrivateKeyID,
		Scopes: []string{scope}, TokenURL: key.TokenURI,
	}
	return &tokens{url: key.TokenURI, client: hc, fetch: func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc)).Token()
	}}, nil
}

// metadataTokens gets the default service account's token from the
// metadata server (cloud.google.com/compute/docs/access/authenticate-workloads,
// "Metadata server"): GET .../service-accounts/default/token with
// Metadata-Flavor: Google, answered {"access_token", "expires_in",
// "token_type"}. The request is plain HTTP to a link-local address: it
// never goes through a proxy (HTTP_PROXY would see the token), as in
// Google's own libraries.
func metadataTokens(count func(code string)) *tokens {
	direct := http.DefaultTransport.(*http.Transport).Clone()
	direct.Proxy = nil
	hc := &http.Client{Transport: countingTransport{next: direct, count: count}}
	host := os.Getenv("GCE_METADATA_HOST")
	if host == "" {
		host = defaultMetadataHost
	}
	u := "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token?scopes=" + scope
	return &tokens{url: "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token", client: hc, fetch: func(ctx context.Context) (*oauth2.Token, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Metadata-Flavor", "Google")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, &oauth2.RetrieveError{Response: resp, ErrorCode: "metadata server: HTTP " + strconv.Itoa(resp.StatusCode)}
		}
		var body struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
			TokenType   string `json:"token_type"`
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body); err != nil || body.AccessToken == "" {
			return nil, &fetch.Error{Reason: fetch.ReasonDecode, URL: req.URL.Scheme + "://" + req.URL.Host + req.URL.Path, Status: resp.StatusCode, Err: errors.New("no access_token in the metadata server's answer")}
		}
		// The token expires in real time, whatever clock the exporter
		// judges its data by: oauth2.Token.Valid reads the wall clock too.
		return &oauth2.Token{AccessToken: body.AccessToken, TokenType: body.TokenType,
			Expiry: time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)}, nil
	}}
}

// countingTransport counts each token request by its outcome
// (support_source_requests_total's code label, source.Env.CountRequest):
// token requests do not go through the shared client, which sends GETs
// to the API alone.
type countingTransport struct {
	next  http.RoundTripper
	count func(code string)
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() == nil {
			t.count("error")
		}
		return nil, err
	}
	t.count(strconv.Itoa(resp.StatusCode))
	return resp, nil
}

// unwrapURL is err without the *url.Error around it, which repeats the
// request's URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// rsaKey reports whether pemKey is a PEM-encoded RSA private key, PKCS #8
// (as Google writes them) or PKCS #1, the forms x/oauth2/jwt signs with:
// checked at load, so that a damaged key file is refused by name rather
// than failing every poll.
func rsaKey(pemKey string) bool {
	block, _ := pem.Decode([]byte(pemKey))
	if block == nil {
		return false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	return err == nil
}

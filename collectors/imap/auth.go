package imap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	"github.com/emersion/go-imap/responses"
	"github.com/emersion/go-sasl"
	commoncfg "github.com/prometheus/common/config"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// credentials log a session in, from the source's http_client
// (docs/sources.md, `imap`): basic_auth logs in with LOGIN; a bearer token
// or an oauth2 client-credentials token with AUTHENTICATE XOAUTH2 as the
// option username. Secrets are read at each sync (files rotate) and never
// put in an error.
type credentials struct {
	user     string
	password commoncfg.SecretReader // basic_auth
	bearer   commoncfg.SecretReader // authorization
	tokens   oauth2.TokenSource     // oauth2, built at the first sync
	oauth    *clientcredentials.Config
	timeout  time.Duration
}

func newCredentials(h *commoncfg.HTTPClientConfig, username string, timeout time.Duration) (*credentials, error) {
	c := &credentials{user: username, timeout: timeout}
	switch {
	case h.BasicAuth != nil:
		c.user = h.BasicAuth.Username
		if h.BasicAuth.UsernameFile != "" {
			u, err := commoncfg.NewFileSecret(h.BasicAuth.UsernameFile).Fetch(context.Background())
			if err != nil {
				return nil, errors.New("basic_auth.username_file: cannot read it")
			}
			c.user = u
		}
		c.password = secret(h.BasicAuth.Password, h.BasicAuth.PasswordFile)
	case h.Authorization != nil && (h.Authorization.Credentials != "" || h.Authorization.CredentialsFile != ""):
		if t := h.Authorization.Type; t != "" && !strings.EqualFold(t, "Bearer") {
			return nil, fmt.Errorf("authorization type %q: kind imap takes a Bearer token (XOAUTH2)", t)
		}
		c.bearer = secret(h.Authorization.Credentials, h.Authorization.CredentialsFile)
	case h.OAuth2 != nil:
		o := h.OAuth2
		if o.GrantType != "" && o.GrantType != "client_credentials" {
			return nil, fmt.Errorf("oauth2 grant_type %q: kind imap takes client credentials; write another flow's token to authorization.credentials_file", o.GrantType)
		}
		c.oauth = &clientcredentials.Config{
			ClientID: o.ClientID, TokenURL: o.TokenURL, Scopes: o.Scopes,
			EndpointParams: map[string][]string{},
		}
		for k, v := range o.EndpointParams {
			c.oauth.EndpointParams[k] = []string{v}
		}
		c.password = secret(o.ClientSecret, o.ClientSecretFile)
	default:
		return nil, errors.New("no credentials in http_client: basic_auth, authorization (Bearer) or oauth2")
	}
	if c.user == "" {
		return nil, errors.New("no login: set the option username (the mailbox's address) for a bearer token or oauth2")
	}
	return c, nil
}

func secret(inline commoncfg.Secret, file string) commoncfg.SecretReader {
	if file != "" {
		return commoncfg.NewFileSecret(file)
	}
	return commoncfg.NewInlineSecret(string(inline))
}

// token returns the XOAUTH2 token: the bearer's, or one of the oauth2
// flow, reused until shortly before it expires (oauth2.ReuseTokenSource).
// The reason of a failure is auth when the token endpoint refused us,
// network when it could not be asked.
func (c *credentials) token(ctx context.Context) (string, string, error) {
	if c.bearer != nil {
		t, err := c.bearer.Fetch(ctx)
		if err != nil {
			return "", fetch.ReasonAuth, errors.New("authorization.credentials_file: cannot read it")
		}
		return t, "", nil
	}
	if c.tokens == nil {
		// The client secret is read once per collector: a rotated secret
		// file takes effect at the next reload, as for HTTP kinds.
		secret, err := c.password.Fetch(ctx)
		if err != nil {
			return "", fetch.ReasonAuth, errors.New("oauth2.client_secret_file: cannot read it")
		}
		cfg := *c.oauth
		cfg.ClientSecret = secret
		hc := &http.Client{Timeout: c.timeout}
		c.tokens = oauth2.ReuseTokenSource(nil, cfg.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, hc)))
	}
	t, err := c.tokens.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The token endpoint's answer names the error (invalid_client):
			// never the secret.
			return "", fetch.ReasonAuth, fmt.Errorf("oauth2 token: %s %s", re.Response.Status, re.ErrorCode)
		}
		return "", fetch.ReasonNetwork, errors.New("oauth2 token: the token endpoint could not be reached")
	}
	return t.AccessToken, "", nil
}

// login authenticates the session; a refusal is reason auth.
func (s *session) login(ctx context.Context, cr *credentials) error {
	disabled, ir := s.caps["LOGINDISABLED"], s.caps["SASL-IR"]
	// Capabilities change once logged in (CONDSTORE, X-GM-EXT-1 come
	// then): those the answer lists, else CAPABILITY after.
	s.caps = nil
	if cr.password != nil && cr.oauth == nil {
		pw, err := cr.password.Fetch(ctx)
		if err != nil {
			return s.fail("LOGIN", fetch.ReasonAuth, errors.New("basic_auth.password_file: cannot read it"))
		}
		if disabled {
			return s.fail("LOGIN", fetch.ReasonAuth, errors.New("the server disables LOGIN: use a bearer token or oauth2 (XOAUTH2)"))
		}
		return s.run(ctx, "LOGIN", &commands.Login{Username: cr.user, Password: pw}, s.capsHandler(), fetch.ReasonAuth)
	}
	token, reason, err := cr.token(ctx)
	if err != nil {
		return s.fail("AUTHENTICATE XOAUTH2", reason, err)
	}
	mech := &xoauth2{user: cr.user, token: token}
	_, initial, _ := mech.Start()
	cmd := &commands.Authenticate{Mechanism: "XOAUTH2"}
	res := &responses.Authenticate{Mechanism: mech, RepliesCh: make(chan []byte, 4)}
	if ir {
		cmd.InitialResponse = initial
	} else {
		res.InitialResponse = initial
	}
	h := responses.HandlerFunc(func(resp goimap.Resp) error {
		if err := res.Handle(resp); !errors.Is(err, responses.ErrUnhandled) {
			return err
		}
		return s.capsHandler().Handle(resp)
	})
	err = s.run(ctx, "AUTHENTICATE XOAUTH2", cmd, replier{h, res}, fetch.ReasonAuth)
	if cr.oauth != nil && fetch.Reason(err) == fetch.ReasonAuth {
		// A token the server refuses (revoked, or its grant changed
		// before it expires) is not reused: the next sync fetches
		// another, reading the client secret again.
		cr.tokens = nil
	}
	return err
}

// replier is a handler that also writes AUTHENTICATE's continuation
// answers (responses.Replier).
type replier struct {
	responses.Handler
	r *responses.Authenticate
}

func (r replier) Replies() <-chan []byte { return r.r.Replies() }

// xoauth2 is Google's and Microsoft's SASL mechanism (go-sasl has
// OAUTHBEARER, RFC 7628, which neither Gmail nor Exchange Online takes):
// "user=" {user} ^A "auth=Bearer " {token} ^A ^A
// (developers.google.com/gmail/imap/xoauth2-protocol).
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server sends its NO.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

var _ sasl.Client = (*xoauth2)(nil)

// CheckCredentials implements config.CredentialsChecker: the login comes
// from basic_auth or, for XOAUTH2, from the option username.
func (o *Options) CheckCredentials(h *commoncfg.HTTPClientConfig, report config.Report) {
	switch {
	case h.BasicAuth != nil:
		if o.Username != "" && h.BasicAuth.Username != "" && o.Username != h.BasicAuth.Username {
			report("username", "%q differs from http_client.basic_auth.username, the login with basic_auth: drop one", o.Username)
		}
	case h.Authorization != nil || h.OAuth2 != nil:
		if o.Username == "" {
			report("username", "required with a bearer token or oauth2: the mailbox's address, the login of XOAUTH2")
		}
	}
}

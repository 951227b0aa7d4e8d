package fetch

import (
	"errors"
	"fmt"
	"net/url"
)

// BaseURL checks that raw, a source's configured url, is an http(s) URL that
// API paths can be appended to (url.JoinPath), and returns it parsed. Errors
// never repeat a password written into the URL: credentials belong in
// http_client, where they stay secret.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return nil, fmt.Errorf("url: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("url %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("url %q: no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("url %q: credentials belong in http_client, not in the url", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("url %q: must not carry a query or fragment", u.Redacted())
	}
	if u.Path == "" {
		// JoinPath keeps an empty path relative, which would drop the
		// leading slash of every API path.
		u.Path = "/"
	}
	return u, nil
}

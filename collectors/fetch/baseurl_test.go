package fetch

import (
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct{ raw, want, wantErr string }{
		{raw: "https://acme.zendesk.com", want: "https://acme.zendesk.com/"},
		{raw: "http://127.0.0.1:4321/prefix", want: "http://127.0.0.1:4321/prefix"},
		{raw: "https://acme.zendesk.com/%zz", wantErr: "invalid URL escape"},
		{raw: "acme.zendesk.com", wantErr: "scheme must be http or https"},
		{raw: "https:///api", wantErr: "no host"},
		{raw: "https://ops:s3cret@acme.zendesk.com", wantErr: "credentials belong in http_client"},
		{raw: "https://ops:s3cret@acme.zendesk.com/%zz", wantErr: "invalid URL escape"},
		{raw: "https://acme.zendesk.com/?locale=en", wantErr: "must not carry a query"},
	} {
		u, err := BaseURL(tc.raw)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("BaseURL(%q) error = %v, want %q", tc.raw, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("BaseURL(%q) error repeats the password: %v", tc.raw, err)
			}
		case err != nil:
			t.Errorf("BaseURL(%q): %v", tc.raw, err)
		case u.String() != tc.want:
			t.Errorf("BaseURL(%q) = %s, want %s", tc.raw, u, tc.want)
		}
	}
}

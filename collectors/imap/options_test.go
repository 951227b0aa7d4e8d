package imap

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

func problems(o *Options, h *commoncfg.HTTPClientConfig) map[string]string {
	got := map[string]string{}
	report := func(key, format string, args ...any) { got[key] = fmt.Sprintf(format, args...) }
	o.Check(report)
	if h != nil {
		o.CheckCredentials(h, report)
	}
	return got
}

func TestOptionsCheck(t *testing.T) {
	good := NewOptions().(*Options)
	good.VendorAddresses = []string{"@vendor.example", "support@other.example"}
	if got := problems(good, nil); len(got) != 0 {
		t.Errorf("defaults with vendor_addresses: %v", got)
	}
	bad := &Options{
		Folders:                 []string{"INBOX", " ", "INBOX"},
		VendorAddresses:         []string{"vendor.example", "@", "Bob <bob@vendor.example>", "@localhost"},
		TicketsOpenedBy:         "vendor",
		AcknowledgementPatterns: []string{"ok", "(unclosed"},
		TagPatterns:             map[string]string{"p1": `\[P1\]`, "p2": "*P2"},
		SolvedPatterns:          []string{"[solved"},
		ReopenedPatterns:        []string{"(?<=x)"},
		MaxBodyBytes:            -1,
	}
	want := []string{"folders[1]", "folders[2]", "vendor_addresses[0]", "vendor_addresses[1]", "vendor_addresses[2]", "vendor_addresses[3]",
		"tickets_opened_by", "acknowledgement_patterns[1]", "tag_patterns.p2", "solved_patterns[0]", "reopened_patterns[0]", "max_body_bytes"}
	got := problems(bad, nil)
	keys := slices.Sorted(maps.Keys(got))
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("reported %v\nwant %v", got, want)
	}
	if got := problems(&Options{Folders: []string{"INBOX"}, TicketsOpenedBy: "customer"}, nil); got["vendor_addresses"] == "" {
		t.Errorf("no vendor_addresses: not reported (%v)", got)
	}
}

func TestOptionsCheckCredentials(t *testing.T) {
	o := testOptions()
	basic := &commoncfg.HTTPClientConfig{BasicAuth: &commoncfg.BasicAuth{Username: "buyer@example.com", Password: "x"}}
	bearer := &commoncfg.HTTPClientConfig{Authorization: &commoncfg.Authorization{Type: "Bearer", Credentials: "t"}}
	oauth := &commoncfg.HTTPClientConfig{OAuth2: &commoncfg.OAuth2{ClientID: "id", ClientSecret: "s", TokenURL: "https://login.example/token"}}
	for _, tc := range []struct {
		name     string
		username string
		h        *commoncfg.HTTPClientConfig
		want     string // the problem under username, "" for none
	}{
		{"basic_auth alone", "", basic, ""},
		{"basic_auth and the same username", "buyer@example.com", basic, ""},
		{"basic_auth and another username", "other@example.com", basic, "differs from http_client.basic_auth.username"},
		{"bearer without username", "", bearer, "required with a bearer token or oauth2"},
		{"bearer with username", "buyer@example.com", bearer, ""},
		{"oauth2 without username", "", oauth, "required with a bearer token or oauth2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.Username = tc.username
			got := problems(o, tc.h)["username"]
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("username problem %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDefaultAcknowledgements: the default patterns take the helpdesks'
// receipts and leave a person's replies alone.
func TestDefaultAcknowledgements(t *testing.T) {
	var res []*regexp.Regexp
	for _, p := range defaultAcknowledgements {
		res = append(res, regexp.MustCompile(p))
	}
	for _, s := range []string{
		"Your request (4711) has been received",
		"[Acme] Re: Your ticket #123 was created",
		"Ticket Received - Database down",
		"Automatic reply: Database down",
		"Out of Office: back on Monday",
		"This is an automated message: we will answer within 4 hours.",
	} {
		if !matchAny(res, s) {
			t.Errorf("%q: no acknowledgement pattern matches", s)
		}
	}
	for _, s := range []string{
		"Re: [P1] Database down",
		"We found the cause: the request was routed to the old cluster.",
		"Thanks, your case is with our database team now.",
	} {
		if matchAny(res, s) {
			t.Errorf("%q: a person's reply taken for an acknowledgement", s)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		h         commoncfg.HTTPClientConfig
		want      string
	}{
		{"an https URL", "https://imap.example.com", commoncfg.HTTPClientConfig{BasicAuth: &commoncfg.BasicAuth{Username: "u", Password: "p"}}, "scheme"},
		{"credentials in the URL", "imaps://u:p@imap.example.com", commoncfg.HTTPClientConfig{BasicAuth: &commoncfg.BasicAuth{Username: "u", Password: "p"}}, "credentials belong in http_client"},
		{"no credentials", "imaps://imap.example.com", commoncfg.HTTPClientConfig{}, "no credentials"},
		{"a bearer without username", "imaps://imap.example.com", commoncfg.HTTPClientConfig{Authorization: &commoncfg.Authorization{Type: "Bearer", Credentials: "t"}}, "username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			_, err := New(source.Env{Config: &config.Source{Name: "m", Kind: "imap", URL: tc.url, HTTPClient: tc.h, Options: o}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error saying %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), ":p@") {
				t.Errorf("the error %q shows the URL's password", err)
			}
		})
	}
}

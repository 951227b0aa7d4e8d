package imap

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are an imap source's own keys (docs/sources.md, `imap`).
type Options struct {
	Folders                 []string          `yaml:"folders" doc:"folders (Gmail labels) to read; a thread may span several, e.g. INBOX and Sent"`
	Username                string            `yaml:"username" doc:"the login for XOAUTH2 (a bearer token or oauth2); with basic_auth its username is the login"`
	VendorAddresses         []string          `yaml:"vendor_addresses" doc:"senders that are the vendor, support@vendor.com or @vendor.com; everyone else is the customer (required)"`
	TicketsOpenedBy         string            `yaml:"tickets_opened_by" doc:"customer: a thread the vendor opened (its notices) is no ticket; anyone: it is one from the first customer message"`
	AcknowledgementPatterns []string          `yaml:"acknowledgement_patterns" doc:"Go regexps on the subject and the start of the body of a vendor message: a machine acknowledgement, no response"`
	TagPatterns             map[string]string `yaml:"tag_patterns" doc:"tag -> Go regexp on the subject of any message of the thread: the ticket's tags (priority, escalation)"`
	SolvedPatterns          []string          `yaml:"solved_patterns" doc:"Go regexps on a vendor message's subject or body: it solves the ticket (none: resolution is not measured)"`
	ReopenedPatterns        []string          `yaml:"reopened_patterns" doc:"Go regexps on a vendor message's subject or body: it reopens the ticket"`
	MaxBodyBytes            int               `yaml:"max_body_bytes" doc:"bytes of a body read for the patterns (a partial FETCH)"`
	SMTP                    *SMTP             `yaml:"smtp" doc:"the off-hours drill's mail: url (smtps://host:465 or smtp://host:587, STARTTLS), from, to (the vendor's support address), sent_folder (one of folders), server_saves_sent, basic_auth (else http_client's login)"`
}

// Defaults.
const (
	openedByCustomer    = "customer"
	openedByAnyone      = "anyone"
	defaultMaxBodyBytes = 64 << 10
	// maxMaxBodyBytes bounds max_body_bytes: a body is held in memory
	// while its message is classified.
	maxMaxBodyBytes = 16 << 20
)

// defaultAcknowledgements are the helpdesks' usual receipts (Zendesk's
// "Your request (1234) has been received", Freshdesk's "Ticket Received",
// auto-replies without RFC 3834 headers). Tested in options_test.go.
var defaultAcknowledgements = []string{
	`(?i)\b(request|ticket|case)\b.{0,40}\b(has been|was) (received|created|logged|opened)\b`,
	`(?i)^\s*(ticket received|auto(matic)?[ -]?(reply|response)|out of (the )?office)\b`,
	`(?i)\bthis is an automated (message|response|reply|notification)\b`,
}

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{
		Folders:                 []string{"INBOX"},
		TicketsOpenedBy:         openedByCustomer,
		AcknowledgementPatterns: append([]string(nil), defaultAcknowledgements...),
		MaxBodyBytes:            defaultMaxBodyBytes,
	}
}

// Check implements config.Options. Whether username fits the credentials
// is checked by New, which sees http_client.
func (o *Options) Check(report config.Report) {
	if len(o.Folders) == 0 {
		report("folders", "name at least one folder, e.g. [INBOX]")
	}
	seen := map[string]bool{}
	for i, f := range o.Folders {
		switch {
		case strings.TrimSpace(f) == "":
			report("folders["+strconv.Itoa(i)+"]", "empty folder name")
		case seen[f]:
			report("folders["+strconv.Itoa(i)+"]", "%q is listed twice", f)
		}
		seen[f] = true
	}
	if len(o.VendorAddresses) == 0 {
		report("vendor_addresses", "required for kind imap: the vendor's sender addresses or @domains")
	}
	for i, a := range o.VendorAddresses {
		if _, err := parseVendorAddress(a); err != nil {
			report("vendor_addresses["+strconv.Itoa(i)+"]", "%v", err)
		}
	}
	if o.TicketsOpenedBy != openedByCustomer && o.TicketsOpenedBy != openedByAnyone {
		report("tickets_opened_by", "%q: want customer or anyone", o.TicketsOpenedBy)
	}
	checkPatterns(report, "acknowledgement_patterns", o.AcknowledgementPatterns)
	checkPatterns(report, "solved_patterns", o.SolvedPatterns)
	checkPatterns(report, "reopened_patterns", o.ReopenedPatterns)
	for tag, p := range o.TagPatterns {
		if strings.TrimSpace(tag) == "" {
			report("tag_patterns", "a tag name is empty")
		}
		if _, err := regexp.Compile(p); err != nil {
			report("tag_patterns."+tag, "not a Go regexp: %v", err)
		}
	}
	if o.MaxBodyBytes < 0 || o.MaxBodyBytes > maxMaxBodyBytes {
		report("max_body_bytes", "%d: want 0 (never read a body) to %d", o.MaxBodyBytes, maxMaxBodyBytes)
	}
	o.checkSMTP(report)
}

func checkPatterns(report config.Report, key string, patterns []string) {
	for i, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			report(key+"["+strconv.Itoa(i)+"]", "not a Go regexp: %v", err)
		}
	}
}

// vendorAddress is one vendor_addresses entry: a whole address, or a
// domain (and its subdomains) when it starts with @.
type vendorAddress struct {
	domain  bool
	address string // lower case: the domain without @, or the address
}

func parseVendorAddress(s string) (vendorAddress, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if d, ok := strings.CutPrefix(s, "@"); ok {
		if d == "" || strings.ContainsAny(d, "@ <>") || !strings.Contains(d, ".") {
			return vendorAddress{}, fmt.Errorf("%q: want @domain.tld", s)
		}
		return vendorAddress{domain: true, address: d}, nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return vendorAddress{}, fmt.Errorf("%q: want an address (support@vendor.com) or @domain", s)
	}
	return vendorAddress{address: s}, nil
}

// matches reports whether addr (lower case) is this vendor address.
func (v vendorAddress) matches(addr string) bool {
	if !v.domain {
		return addr == v.address
	}
	_, host, ok := strings.Cut(addr, "@")
	return ok && (host == v.address || strings.HasSuffix(host, "."+v.address))
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }

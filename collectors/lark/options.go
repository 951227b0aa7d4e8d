package lark

import (
	"regexp"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a lark source's own keys (docs/sources.md). The app id and
// secret are http_client.basic_auth's username and password.
type Options struct {
	ChatID         string        `yaml:"chat_id" doc:"the group chat's id, oc_… (required)"`
	VendorTenants  []string      `yaml:"vendor_tenants" doc:"the vendor's tenant keys, whose members' messages are the vendor's (an external group); this or vendor_users (required)"`
	VendorUsers    []string      `yaml:"vendor_users" doc:"open ids, ou_… as the app sees them, whose messages are the vendor's (its people in the buyer's own tenant)"`
	SolvedPatterns []string      `yaml:"solved_patterns" doc:"regular expressions (RE2); a vendor reply whose text matches one solves its ticket"`
	RereadWindow   time.Duration `yaml:"reread_window" doc:"how far back each poll lists the chat again, for topic threads that grew and messages edited"`
}

// Defaults. The re-read window is slack's: a topic thread is seen to
// grow, and a message to be edited, for three days after the newest
// message (a weekend), at one request a thread unchanged.
const defaultRereadWindow = 72 * time.Hour

// defaultSolvedPattern: the vendor writes #solved in its reply, the
// hashtag convention that also carries priorities and escalation.
const defaultSolvedPattern = `(?i)(^|\s)#solved\b`

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{SolvedPatterns: []string{defaultSolvedPattern}, RereadWindow: defaultRereadWindow}
}

var (
	chatID = regexp.MustCompile(`^oc_[0-9A-Za-z]{4,}$`)
	openID = regexp.MustCompile(`^ou_[0-9A-Za-z]{4,}$`)
	tenant = regexp.MustCompile(`^[0-9A-Za-z_-]{2,}$`)
)

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.ChatID == "":
		report("chat_id", "required for kind lark: the group chat's id")
	case !chatID.MatchString(o.ChatID):
		report("chat_id", "%q is not a Lark chat id (oc_…)", o.ChatID)
	}
	if len(o.VendorTenants) == 0 && len(o.VendorUsers) == 0 {
		report("vendor_tenants", "kind lark needs vendor_tenants or vendor_users: whose messages are the vendor's")
	}
	report.EachInvalid("vendor_tenants", o.VendorTenants, tenant.MatchString, "%q is not a Lark tenant key")
	report.EachInvalid("vendor_users", o.VendorUsers, openID.MatchString, "%q is not a Lark open id (ou_…)")
	if len(o.SolvedPatterns) == 0 {
		report("solved_patterns", "kind lark needs a pattern that tells a solving reply (default: #solved)")
	}
	for i, p := range o.SolvedPatterns {
		if _, err := regexp.Compile(p); err != nil {
			report("solved_patterns["+strconv.Itoa(i)+"]", "not a regular expression: %v", err)
		}
	}
	if o.RereadWindow < 0 {
		report("reread_window", "must not be negative")
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }

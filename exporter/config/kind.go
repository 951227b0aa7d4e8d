package config

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	commoncfg "github.com/prometheus/common/config"
)

// Feed is what a kind's sources bring, and so the vendor list they are
// written under (docs/configuration.md).
type Feed int

// What a source can feed.
const (
	// FeedsTickets: support tickets, under a vendor's `tickets`. Every
	// ticket source is also a customer-signal source for who noticed an
	// incident first (docs/metrics.md).
	FeedsTickets Feed = iota + 1
	// FeedsStatus: status-page incidents, maintenances and components,
	// under a vendor's `status_pages`.
	FeedsStatus
	// FeedsDocs: a documentation site's pages, under a vendor's `docs`.
	FeedsDocs
)

// feeds are the Feeds in the order of a vendor's lists.
var feeds = []Feed{FeedsTickets, FeedsStatus, FeedsDocs}

// List is the vendor key that sources of this feed are written under.
func (f Feed) List() string {
	switch f {
	case FeedsTickets:
		return listTickets
	case FeedsStatus:
		return listStatusPages
	case FeedsDocs:
		return listDocs
	}
	return ""
}

func (f Feed) String() string {
	switch f {
	case FeedsTickets:
		return "tickets"
	case FeedsStatus:
		return "status items"
	case FeedsDocs:
		return "documentation pages"
	}
	return "nothing"
}

// Auth is a way an API takes credentials, as http_client carries them.
type Auth int

// The ways of http_client's that kinds accept.
const (
	// AuthBasic: http_client.basic_auth.
	AuthBasic Auth = iota + 1
	// AuthBearer: http_client.authorization (type Bearer) or
	// http_client.oauth2.
	AuthBearer
	// AuthHeader: a token in http_client.http_headers (Cachet's
	// X-Cachet-Token).
	AuthHeader
)

func (a Auth) String() string {
	switch a {
	case AuthBasic:
		return "basic_auth"
	case AuthBearer:
		return "authorization (Bearer) or oauth2"
	case AuthHeader:
		return "http_headers"
	}
	return "none"
}

// carriedBy reports whether c carries credentials of this way; header is
// the kind's header for AuthHeader.
func (a Auth) carriedBy(c *commoncfg.HTTPClientConfig, header string) bool {
	switch a {
	case AuthBasic:
		b := c.BasicAuth
		return b != nil && (b.Username != "" || b.UsernameFile != "" || b.UsernameRef != "" ||
			b.Password != "" || b.PasswordFile != "" || b.PasswordRef != "")
	case AuthBearer:
		return c.OAuth2 != nil || (c.Authorization != nil && strings.EqualFold(c.Authorization.Type, "Bearer"))
	case AuthHeader:
		if c.HTTPHeaders == nil {
			return false
		}
		for name := range c.HTTPHeaders.Headers {
			if strings.EqualFold(name, header) {
				return true
			}
		}
	}
	return false
}

// Credentials are what a kind's API needs to be read.
type Credentials struct {
	// Accepts are the ways the API takes credentials, the usual first;
	// none: a public API.
	Accepts []Auth
	// Required: the API answers nothing without them, so a source without
	// any is refused at load rather than failing at every poll.
	Required bool
	// Header is the request header that carries them, for AuthHeader.
	Header string
	// Signed: the kind signs each request itself (AWS Signature Version
	// 4), with credentials of its own keys; credentials in http_client
	// would replace or break the signature, so a source carrying any is
	// refused at load.
	Signed bool
	// Doc says whose credentials and how to get them (docs/sources.md).
	Doc string
}

// Kind declares a source kind: everything the configuration, the exporter
// and the docs know of it. The table of kinds is in package collectors,
// beside each kind's constructor; Parse takes it.
type Kind struct {
	Name string
	// Title names the vendor API in a few words (docs/sources.md).
	Title string
	Feeds Feed
	// DefaultURL is the API's address when it has one fixed address; empty:
	// `url` is required.
	DefaultURL string
	// URLExample is what a user writes as `url` (docs/sources.md).
	URLExample string
	// Schemes are the URL schemes the kind reads; none: http and https.
	// A kind that speaks another protocol (IMAP) names its own.
	Schemes     []string
	Credentials Credentials
	// PriorityInTags: the API has no priority field; a ticket's priority is
	// the tag (label) naming the most urgent one (quality.Rules.MostUrgent).
	PriorityInTags bool
	// Drills: the kind can file a ticket as the buyer, for the off-hours
	// drill (drill.go); set by package collectors from the kind's
	// constructor of a creator.
	Drills bool
	// CountsOnly: the API gives a ticket's counts and figures, not its
	// timeline of replies (the zendesk kind's incremental export): its
	// sources feed no metric that needs the timeline
	// (support_vendor_replies_total is not exposed for a vendor whose
	// ticket sources are all such).
	CountsOnly bool
	// TicketTypes: the kind gives a ticket's type (item.Ticket.Type: the
	// github issue type), which feature_requests.types match; a vendor
	// whose ticket sources are all of other kinds may not name types.
	TicketTypes bool
	// ComponentsWhileOngoing: the API names an incident's components only
	// while it is ongoing, and a resolved version names none (incident.io):
	// the merge keeps those last named (quality.Rules.MergeIncident). For
	// other kinds a version without components has none.
	ComponentsWhileOngoing bool
	// NoOutages: the format's incidents name no components and never say
	// when an incident ended (RSS and Atom feeds): they feed no
	// availability agreement, and a vendor whose status pages are all of
	// such kinds cannot have one.
	NoOutages bool
	// TicketURL, when set, is the address at which the buyer opens the
	// ticket id of a source at sourceURL (its `url`, else DefaultURL):
	// the service review links its tickets there (docs/report.md). Nil:
	// the kind has no page a buyer can open.
	TicketURL func(sourceURL, id string) string
	// IncidentURL is TicketURL for status-page incidents and maintenances.
	IncidentURL func(sourceURL, id string) string
	// Options returns the kind's own keys with their defaults, a pointer to
	// a struct whose yaml tags name the keys and whose doc tags describe
	// them; nil when the kind has none. The source's keys are decoded onto
	// it: a key written with a zero value is zero (and Check refuses it if
	// zero is wrong); a key absent or written without a value (null) keeps
	// its default.
	Options func() Options
}

// Options are a kind's own source keys (Kind.Options).
type Options interface {
	// Check reports every mistake, each under its key relative to the
	// source ("colleagues[1]", "statuses.5").
	Check(report Report)
}

// OptionsInDirectory are Options naming files: SetDirectory resolves
// their relative paths against the config file's directory, as
// http_client's are, once the keys are decoded.
type OptionsInDirectory interface {
	SetDirectory(dir string)
}

// CredentialsChecker is implemented by Options whose keys depend on the
// source's http_client (the imap kind's username, the login of XOAUTH2,
// against basic_auth's).
type CredentialsChecker interface {
	CheckCredentials(h *commoncfg.HTTPClientConfig, report Report)
}

// Report reports a mistake in a source's key.
type Report func(key, format string, args ...any)

// EachInvalid reports every value of the list under key that valid
// refuses, as key[i], with format given the value: the check of a list of
// ids that every kind with vendor ids writes.
func (r Report) EachInvalid(key string, values []string, valid func(string) bool, format string) {
	for i, v := range values {
		if !valid(v) {
			r(key+"["+strconv.Itoa(i)+"]", format, v)
		}
	}
}

// Kinds is the table of kinds, in the order the docs list them.
type Kinds []Kind

// Lookup returns the kind named name.
func (ks Kinds) Lookup(name string) (*Kind, bool) {
	i := slices.IndexFunc(ks, func(k Kind) bool { return k.Name == name })
	if i < 0 {
		return nil, false
	}
	return &ks[i], true
}

// Feeding returns the names of the kinds that feed f, in table order.
func (ks Kinds) Feeding(f Feed) []string {
	var names []string
	for _, k := range ks {
		if k.Feeds == f {
			names = append(names, k.Name)
		}
	}
	return names
}

// URLSchemes are the URL schemes the kind reads (Schemes).
func (k *Kind) URLSchemes() []string {
	if len(k.Schemes) == 0 {
		return []string{"http", "https"}
	}
	return k.Schemes
}

// OptionKey is one of a kind's own keys, as its Options declare it.
type OptionKey struct {
	Name string
	Doc  string
	// Default is the key's default written as YAML; empty when the
	// default is the zero value (nothing).
	Default string
}

// Keys lists the kind's own keys in declaration order.
func (k *Kind) Keys() []OptionKey {
	if k.Options == nil {
		return nil
	}
	v := reflect.ValueOf(k.Options())
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var keys []OptionKey
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		key := OptionKey{Name: name, Doc: f.Tag.Get("doc")}
		if fv := v.Field(i); !fv.IsZero() {
			key.Default = yamlValue(fv.Interface())
		}
		keys = append(keys, key)
	}
	return keys
}

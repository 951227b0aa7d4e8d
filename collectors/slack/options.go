package slack

import (
	"regexp"
	"time"

	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Options are a slack source's own keys (docs/sources.md).
type Options struct {
	Channel        string        `yaml:"channel" doc:"the shared channel's id, C… or G… (required)"`
	VendorTeams    []string      `yaml:"vendor_teams" doc:"the vendor's Slack workspace ids, T…, whose members' messages are the vendor's (Slack Connect); this or vendor_users (required)"`
	VendorUsers    []string      `yaml:"vendor_users" doc:"user ids, U… or W…, whose messages are the vendor's (its people in the buyer's own channel)"`
	SolvedReaction string        `yaml:"solved_reaction" doc:"the reaction on a ticket's message that marks it solved, without colons"`
	RereadWindow   time.Duration `yaml:"reread_window" doc:"how far back each poll re-reads the channel for threads that grew and reactions that changed"`
	// RequestsPerMinute paces each of the two methods: Slack limits an
	// app's calls per method and workspace.
	RequestsPerMinute int `yaml:"requests_per_minute" doc:"the app's limit on conversations.history, and on conversations.replies, each: 50 (Tier 3) for an app built in the buyer's own workspace; 1 for a commercially distributed app not approved for the Slack Marketplace (since 2025)"`
}

// Defaults.
const (
	defaultSolvedReaction = "white_check_mark"
	defaultRereadWindow   = 72 * time.Hour
	// defaultRequestsPerMinute is Slack's Tier 3, "50+ per minute", which
	// conversations.history and conversations.replies keep for internal
	// apps, the ones a buyer creates in its own workspace. Since 2025-05-29
	// a new installation of a commercially distributed app not approved
	// for the Marketplace gets 1 request a minute and 15 messages a page
	// on both methods (Slack's changelog, "Rate limit changes for
	// non-Marketplace apps"; docs.slack.dev's rate-limit page: internal
	// apps keep theirs; its pages have disagreed on older installations).
	defaultRequestsPerMinute = 50
)

// NewOptions returns the keys' defaults (config.Kind.Options).
func NewOptions() config.Options {
	return &Options{SolvedReaction: defaultSolvedReaction, RereadWindow: defaultRereadWindow, RequestsPerMinute: defaultRequestsPerMinute}
}

var (
	channelID = regexp.MustCompile(`^[CDG][A-Z0-9]{2,}$`)
	teamID    = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	emojiName = regexp.MustCompile(`^[a-z0-9_+'-]+$`)
)

// Check implements config.Options.
func (o *Options) Check(report config.Report) {
	switch {
	case o.Channel == "":
		report("channel", "required for kind slack: the shared channel's id")
	case !channelID.MatchString(o.Channel):
		report("channel", "%q is not a Slack channel id (C…, G…)", o.Channel)
	}
	if len(o.VendorTeams) == 0 && len(o.VendorUsers) == 0 {
		report("vendor_teams", "kind slack needs vendor_teams or vendor_users: whose messages are the vendor's")
	}
	report.EachInvalid("vendor_teams", o.VendorTeams, teamID.MatchString, "%q is not a Slack team id (T…)")
	report.EachInvalid("vendor_users", o.VendorUsers, userID.MatchString, "%q is not a Slack user id (U…, W…)")
	if !emojiName.MatchString(o.SolvedReaction) {
		report("solved_reaction", "%q is not a reaction name (lower case, without colons)", o.SolvedReaction)
	}
	if o.RereadWindow < 0 {
		report("reread_window", "must not be negative")
	}
	if o.RequestsPerMinute <= 0 {
		report("requests_per_minute", "must be positive")
	}
}

// optionsOf returns src's options (source.OptionsOf).
func optionsOf(src *config.Source) *Options { return source.OptionsOf[*Options](src, NewOptions) }

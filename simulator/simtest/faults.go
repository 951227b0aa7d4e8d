package simtest

import (
	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/simulator"
)

// SessionFault is how a kind that speaks a session protocol rather than
// HTTP (imap: one connection, commands answered by tag) fails under a
// fault, where it differs from an HTTP kind: the reasons (fetch.Reason; ""
// is a sync that succeeds) a sync under it may end with. The conformance
// suite (collectors/conformance_faults_test.go) checks every kind against
// this table, and the e2e tests expect of each kind what it says.
type SessionFault struct {
	Reasons []string
	// Idle: the reasons when the sync fetches no message, caught up with
	// a world that did not move: a fault that damages a FETCH's answer
	// meets none.
	Idle []string
	// Within: the reasons when the fault meets a session already open
	// (the fault at a first sync's middle command).
	Within []string
	// FetchOnly: the fault damages a FETCH's answer only, so it meets a
	// session already open, which may have stored what it read before.
	FetchOnly bool
	Why       string
}

// SessionFaults are the session kinds' faults in their own terms (the
// simulator's imap_faults.go says how each is played), and NotForSession
// the faults an HTTP kind plays that have no meaning for them, each with
// the reason (the simulator refuses to inject them).
var (
	SessionFaults = map[string]map[simulator.Fault]SessionFault{
		simulator.KindIMAP: {
			simulator.FaultRateLimit: {Reasons: []string{fetch.ReasonRateLimited}, Why: "NO [UNAVAILABLE]"},
			simulator.FaultServerError: {Reasons: []string{fetch.ReasonNetwork},
				Why: "the server's BYE closes the connection: no status to read"},
			simulator.FaultTimeout:      {Reasons: []string{fetch.ReasonTimeout}, Why: "a command held"},
			simulator.FaultReset:        {Reasons: []string{fetch.ReasonNetwork}, Why: "a connection reset"},
			simulator.FaultTruncated:    {Reasons: []string{fetch.ReasonNetwork}, Idle: []string{""}, FetchOnly: true, Why: "a FETCH's literal cut by the connection closing"},
			simulator.FaultHugeBody:     {Reasons: []string{fetch.ReasonTooLarge}, Idle: []string{""}, FetchOnly: true, Why: "a FETCH's literal of 64 MiB"},
			simulator.FaultUnauthorized: {Reasons: []string{fetch.ReasonAuth}, Within: []string{fetch.ReasonNetwork}, Why: "LOGIN refused; an open session ended by BYE"},
			simulator.FaultForbidden:    {Reasons: []string{fetch.ReasonAuth}, Within: []string{fetch.ReasonNetwork}, Why: "LOGIN refused; an open session ended by BYE"},
		},
	}
	NotForSession = map[string]map[simulator.Fault]string{
		simulator.KindIMAP: {
			simulator.FaultMalformed:          "IMAP answers are framed by tags and literals: a broken frame is FaultTruncated",
			simulator.FaultEmptyPage:          "mail has no pages",
			simulator.FaultEndlessSame:        "mail has no pages",
			simulator.FaultEndlessGrowing:     "mail has no pages",
			simulator.FaultRetryAfterDate:     "IMAP has no Retry-After",
			simulator.FaultRateLimitNoReset:   "IMAP has no Retry-After",
			simulator.FaultGitHubPrimaryLimit: "GitHub's",
		},
	}
)

// IsSession reports whether kind speaks a session protocol (SessionFaults
// has its table) rather than HTTP.
func IsSession(kind string) bool {
	_, ok := SessionFaults[kind]
	return ok
}

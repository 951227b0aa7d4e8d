package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/simulator"
)

// chatHistory is a week of questions in a Slack channel shared with the
// vendor, read through the slack kind, whose every metric is worked out by
// hand in chatExpected. Business hours are 09:00-18:00 Monday to Friday in
// Berlin (CET); 2026-03-02 is a Monday. Each step is a message in the
// ticket's thread (a solve is the vendor's message with the
// white_check_mark reaction on the question; a reopen, the customer's
// message with the reaction taken off).
var chatHistory = []simulator.ScriptedTicket{
	// 1. Urgent, Monday 10:00: answered in 4 minutes, the customer answers,
	// solved at 10:25. Two vendor messages: not one-touch.
	{Created: local(2, 10, 0), Priority: "urgent", Steps: []simulator.ScriptStep{
		{At: 4 * minute, Kind: simulator.VendorReply},
		{At: 10 * minute, Kind: simulator.CustomerReply},
		{At: 25 * minute, Kind: simulator.Solve},
	}},
	// 2. Normal, asked Tuesday 20:30 (hours=off), solved Wednesday 09:05
	// by the vendor's only message: one-touch.
	{Created: local(3, 20, 30), Priority: "normal", Steps: []simulator.ScriptStep{
		{At: 12*hour + 35*minute, Kind: simulator.Solve},
	}},
	// 3. High, Wednesday 11:00, escalated (a reaction) at once; the
	// customer chases before the first answer (a follow-up), then two
	// rounds of questions before the solve at 12:00.
	{Created: local(4, 11, 0), Priority: "high", Steps: []simulator.ScriptStep{
		{At: 2 * minute, Kind: simulator.Escalate},
		{At: 3 * minute, Kind: simulator.CustomerReply},
		{At: 20 * minute, Kind: simulator.VendorReply},
		{At: 30 * minute, Kind: simulator.CustomerReply},
		{At: 40 * minute, Kind: simulator.VendorReply},
		{At: 50 * minute, Kind: simulator.CustomerReply},
		{At: 60 * minute, Kind: simulator.Solve},
	}},
	// 4. Low, Thursday 17:50 (hours=business, ten minutes before closing),
	// solved Friday 09:10 by its only message: one-touch.
	{Created: local(5, 17, 50), Priority: "low", Steps: []simulator.ScriptStep{
		{At: 15*hour + 20*minute, Kind: simulator.Solve},
	}},
	// 5. Normal, Saturday 10:00 (hours=off), answered Monday 09:02 with a
	// question the customer never answers: left open.
	{Created: local(7, 10, 0), Priority: "normal", Steps: []simulator.ScriptStep{
		{At: 47*hour + 2*minute, Kind: simulator.VendorReply},
	}},
	// 6. Normal, Tuesday 10 March 10:00: solved at 10:30 after a round,
	// reopened at 12:00, solved again at 13:00. The exporter reads it at
	// three instants (chatPhases), so that it sees the solve, the reopen
	// and the second solve each as they come: a reaction has no date, and
	// one read after all three would show only the last state. Two vendor
	// messages before the first solve keep it from being one-touch, which
	// the exporter's own clock (now, long after 10 March) would settle at
	// once, before the reopen shows.
	{Created: local(10, 10, 0), Priority: "normal", Steps: []simulator.ScriptStep{
		{At: 10 * minute, Kind: simulator.VendorReply},
		{At: 20 * minute, Kind: simulator.CustomerReply},
		{At: 30 * minute, Kind: simulator.Solve},
		{At: 2 * hour, Kind: simulator.Reopen},
		{At: 3 * hour, Kind: simulator.Solve},
	}},
}

// chatExpected are chatHistory's values, worked out by hand, under the
// vendor's SLA clock, with targets first_response {urgent 1h, high 4h,
// normal 8h, low 24h} and resolution {urgent 24h, high 72h}. Slack feeds
// no satisfaction (docs/sources.md): none is expected, and none is served.
func chatExpected(clock string) metricValues {
	pick := func(calendar, business float64) float64 { return pickClock(clock, calendar, business) }
	return metricValues{
		"support_tickets_created_total priority=urgent": 1,
		"support_tickets_created_total priority=high":   1,
		"support_tickets_created_total priority=normal": 3,
		"support_tickets_created_total priority=low":    1,

		// First responses of questions asked in business hours: 1: 4 min;
		// 3: 20 min; 6: 10 min; 4: 17:50 to 09:10 is 15h20m (55200 s) of
		// calendar time, of which 10 + 10 business minutes (1200 s).
		"support_ticket_first_response_seconds_count priority=urgent hours=business": 1,
		"support_ticket_first_response_seconds_sum priority=urgent hours=business":   240,
		"support_ticket_first_response_seconds_count priority=high hours=business":   1,
		"support_ticket_first_response_seconds_sum priority=high hours=business":     1200,
		"support_ticket_first_response_seconds_count priority=normal hours=business": 1,
		"support_ticket_first_response_seconds_sum priority=normal hours=business":   600,
		"support_ticket_first_response_seconds_count priority=low hours=business":    1,
		"support_ticket_first_response_seconds_sum priority=low hours=business":      pick(55200, 1200),
		// Asked off hours: 2: Tuesday 20:30 to Wednesday 09:05, 12h35m
		// (45300 s), business 5 min (300 s); 5: Saturday 10:00 to Monday
		// 09:02, 47h02m (169320 s), business 2 min (120 s).
		"support_ticket_first_response_seconds_count priority=normal hours=off": 2,
		"support_ticket_first_response_seconds_sum priority=normal hours=off":   pick(45300+169320, 300+120),

		// Creation to the first solve: 1: 25 min; 3: 1 h; 2 as its first
		// response and 6: 30 min; 4 as its first response. 5 is open.
		"support_ticket_resolution_seconds_count priority=urgent": 1,
		"support_ticket_resolution_seconds_sum priority=urgent":   1500,
		"support_ticket_resolution_seconds_count priority=high":   1,
		"support_ticket_resolution_seconds_sum priority=high":     3600,
		"support_ticket_resolution_seconds_count priority=normal": 2,
		"support_ticket_resolution_seconds_sum priority=normal":   pick(45300, 300) + 1800,
		"support_ticket_resolution_seconds_count priority=low":    1,
		"support_ticket_resolution_seconds_sum priority=low":      pick(55200, 1200),

		// Solved by one vendor message and never reopened: 2 and 4.
		"support_tickets_resolved_first_contact_total priority=urgent": 0,
		"support_tickets_resolved_first_contact_total priority=high":   0,
		"support_tickets_resolved_first_contact_total priority=normal": 1,
		"support_tickets_resolved_first_contact_total priority=low":    1,

		// Vendor messages up to the first solve: 1: 2; 3: 3; 2: 1 and 6: 2;
		// 4: 1.
		"support_ticket_vendor_replies_to_resolve_count priority=urgent": 1,
		"support_ticket_vendor_replies_to_resolve_sum priority=urgent":   2,
		"support_ticket_vendor_replies_to_resolve_count priority=high":   1,
		"support_ticket_vendor_replies_to_resolve_sum priority=high":     3,
		"support_ticket_vendor_replies_to_resolve_count priority=normal": 2,
		"support_ticket_vendor_replies_to_resolve_sum priority=normal":   3,
		"support_ticket_vendor_replies_to_resolve_count priority=low":    1,
		"support_ticket_vendor_replies_to_resolve_sum priority=low":      1,

		// 6's reopen, seen as the reaction went away; 3's chase (its other
		// customer messages answer the vendor's questions); 3's escalation.
		"support_tickets_reopened_total priority=normal":        1,
		"support_ticket_customer_followups_total priority=high": 1,
		"support_escalations_total priority=high":               1,

		// Every first-response clock stopped. Breached: 2 (12h35m) and 5
		// (47h02m) past normal's 8 h in calendar time; in business time
		// (5 and 2 minutes) none.
		"support_ticket_sla_checks_total priority=urgent target=first_response":   1,
		"support_ticket_sla_checks_total priority=high target=first_response":     1,
		"support_ticket_sla_checks_total priority=normal target=first_response":   3,
		"support_ticket_sla_checks_total priority=low target=first_response":      1,
		"support_ticket_sla_breaches_total priority=normal target=first_response": pick(2, 0),
		"support_ticket_sla_breaches_total priority=low target=first_response":    0,
		// Resolution targets for urgent (25 min < 24 h) and high (1 h < 72 h).
		"support_ticket_sla_checks_total priority=urgent target=resolution":   1,
		"support_ticket_sla_checks_total priority=high target=resolution":     1,
		"support_ticket_sla_breaches_total priority=urgent target=resolution": 0,
		"support_ticket_sla_breaches_total priority=high target=resolution":   0,
	}
}

// chatPhases are the instants the channel is read at, in order, each with
// what shows once the exporter has read it: 6 solved (10:30 < 11:00), 6
// reopened (12:00 < 12:30), and then everything.
var chatPhases = []phase{
	{local(10, 11, 0), "ticket 6 solved", func(s series, v string) bool {
		n, _ := s.get("support_ticket_resolution_seconds_count", "vendor", v, "priority", "normal")
		return s.sum("support_tickets_created_total", "vendor", v) == 6 && n == 2
	}},
	{local(10, 12, 30), "ticket 6 reopened", func(s series, v string) bool {
		n, _ := s.get("support_tickets_reopened_total", "vendor", v, "priority", "normal")
		return n == 1
	}},
	{scriptNow, "ticket 6 solved again, only 5 open", func(s series, v string) bool {
		return s.sum("support_tickets_open", "vendor", v) == 1 && s.sum("support_tickets_open", "vendor", v, "priority", "normal") == 1
	}},
}

// TestChatScriptedHistory reads chatHistory through the slack kind under
// both SLA clocks and checks every value against chatExpected.
func TestChatScriptedHistory(t *testing.T) {
	r := runScripted(t, scriptedKind{
		kind: simulator.KindSlack, prefix: "chat", source: "channel", clocks: []string{"calendar", "business"},
		history: chatHistory, phases: chatPhases, expected: chatExpected,
		vendorYAML: "    escalation:\n      tags: [escalated]\n",
		none:       map[string]string{"support_ticket_satisfaction_ratings_total": "a Slack channel has no satisfaction ratings"},
	})
	// Every vendor message of chatHistory (a solve is one too), by the
	// hour of the week in the office calendar's zone (Berlin, CET), the
	// same under both clocks: 1: Monday 10:04 and 10:25; 2: Wednesday
	// 09:05; 3: Wednesday 11:20, 11:40 and 12:00; 4: Friday 09:10; 5:
	// Monday 9 March 09:02; 6: Tuesday 10:10, 10:30 and 13:00.
	for _, v := range r.vendors {
		checkReplyHours(t, r.s, v, map[[2]int]float64{
			{1, 10}: 2, {1, 9}: 1, {3, 9}: 1, {3, 11}: 2, {3, 12}: 1, {5, 9}: 1, {2, 10}: 2, {2, 13}: 1,
		})
	}
}

// checkReplyHours compares support_vendor_replies_total of a vendor with
// want, by {weekday, hour}: every other hour of the week must be 0.
func checkReplyHours(t *testing.T, s series, vendor string, want map[[2]int]float64) {
	t.Helper()
	var total float64
	for cell, n := range want {
		total += n
		got, _ := s.get("support_vendor_replies_total", "vendor", vendor, "weekday", strconv.Itoa(cell[0]), "hour", strconv.Itoa(cell[1]))
		if got != n {
			t.Errorf("%s: support_vendor_replies_total{weekday=%d,hour=%d} = %v, want %v", vendor, cell[0], cell[1], got, n)
		}
	}
	if got := s.sum("support_vendor_replies_total", "vendor", vendor); got != total {
		t.Errorf("%s: %v vendor replies in all, want %v", vendor, got, total)
	}
}

// chatWorld is a small generated vendor reached through a Slack channel,
// with the exporter polling it every second.
type chatWorld struct {
	sim    *simulator.Sim
	vendor string
	p      *proc
	logs   *syncBuffer
}

func newChatWorld(t *testing.T) *chatWorld {
	t.Helper()
	const vendor = "chatwire"
	clock := func() time.Time { return scriptNow }
	sim := startedSim(t, simulator.Options{Seed: 12, Start: scriptNow, Clock: clock, Vendors: []simulator.Vendor{{
		Name: vendor, Persona: simulator.ChatOfficeHours, Timezone: "Europe/Berlin", History: 3 * day, Tickets: 30,
	}}})
	dir := t.TempDir()
	cfg := officeConfigHeader + "  - name: " + vendor + "\n    calendar: office\n    tickets:\n      - name: channel\n" +
		sourceYAML(t, sim, vendor, simulator.KindSlack, false)
	logs := &syncBuffer{}
	args := []string{"--config.file=" + configFile(t, dir, cfg), "--storage.path=" + filepath.Join(dir, "data")}
	return &chatWorld{sim: sim, vendor: vendor, p: start(t, logs, args...), logs: logs}
}

// labels are the slack source's series labels.
func (w *chatWorld) labels(more ...string) []string {
	return append([]string{"vendor", w.vendor, "source", "channel", "kind", "slack"}, more...)
}

// value is one series of the slack source now.
func (w *chatWorld) value(s series, name string, more ...string) float64 {
	v, _ := s.get(name, w.labels(more...)...)
	return v
}

// recovered waits for a successful sync that ended after since (a
// last-success timestamp).
func (w *chatWorld) recovered(t *testing.T, since float64) float64 {
	t.Helper()
	var last float64
	waitFor(t, 30*time.Second, "a successful sync after the fault", func() bool {
		s, _ := w.p.scrape()
		last = w.value(s, "support_source_last_success_timestamp_seconds")
		return last > since && w.value(s, "support_source_up") == 1
	})
	return last
}

// TestChatSlackFaults: Slack's failures through the exporter, each counted
// in support_source_errors_total under the reason docs/sources.md gives,
// each told on the landing page by Slack's own code, and each followed by a
// recovery: ratelimited (HTTP 429 with Retry-After) as rate_limited,
// invalid_auth (a revoked token: HTTP 200, ok false) and not_in_channel
// (the app removed from the channel) as auth.
func TestChatSlackFaults(t *testing.T) {
	w := newChatWorld(t)
	last := w.recovered(t, 0)
	errorsBy := func(s series) map[string]float64 {
		out := map[string]float64{}
		for _, r := range []string{"rate_limited", "auth", "http", "decode", "network", "timeout"} {
			out[r] = w.value(s, "support_source_errors_total", "reason", r)
		}
		return out
	}
	s, _ := w.p.scrape()
	if got := errorsBy(s); got["rate_limited"]+got["auth"]+got["http"]+got["decode"]+got["network"]+got["timeout"] != 0 {
		t.Fatalf("errors before any fault: %v", got)
	}

	for _, tc := range []struct {
		name, reason, code string
		inject, end        func()
	}{
		{"ratelimited", "rate_limited", "429", func() { w.sim.Inject(w.vendor, simulator.KindSlack, simulator.FaultRateLimit, 1) }, func() {}},
		{"invalid_auth", "auth", "invalid_auth",
			func() { w.sim.Inject(w.vendor, simulator.KindSlack, simulator.FaultUnauthorized, 1000) },
			func() { w.sim.EndFaults(w.vendor, simulator.KindSlack) }},
		{"not_in_channel", "auth", "not_in_channel",
			func() { w.sim.SlackRemoveApp(w.vendor, true) },
			func() { w.sim.SlackRemoveApp(w.vendor, false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := w.p.scrape()
			before := errorsBy(s)
			tc.inject()
			var landing string
			waitFor(t, 30*time.Second, tc.reason+" counted", func() bool {
				s, _ = w.p.scrape()
				_, landing = w.p.get("/")
				return errorsBy(s)[tc.reason] > before[tc.reason] && strings.Contains(landing, tc.code)
			})
			after := errorsBy(s)
			for r, n := range after {
				if r != tc.reason && n != before[r] {
					t.Errorf("%s: errors with reason %s went from %v to %v", tc.name, r, before[r], n)
				}
			}
			if w.value(s, "support_source_up") != 0 {
				t.Errorf("%s: support_source_up is not 0 after the failed sync", tc.name)
			}
			tc.end()
			last = w.recovered(t, last)
		})
	}
	s, _ = w.p.scrape()
	if n := w.value(s, "support_source_requests_total", "code", "429"); n != 1 {
		t.Errorf("%v requests answered 429, want the one ratelimited", n)
	}
	if !strings.Contains(w.logs.String(), "not_in_channel") {
		t.Errorf("the log does not tell not_in_channel:\n%s", tail(w.logs.String(), 20))
	}
}

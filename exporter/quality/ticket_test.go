package quality

import (
	"reflect"
	"testing"
	"time"

	commonmodel "github.com/prometheus/common/model"

	"github.com/support-exporter/support_exporter/exporter/config"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// ticketStep stores fetched versions, then compares the snapshot at now
// with the empty snapshot changed by want.
type ticketStep struct {
	fetched []item.Ticket
	now     time.Time
	want    func(*VendorSnapshot)
}

func TestTicketScenarios(t *testing.T) {
	h := time.Hour
	m := time.Minute
	const (
		fr  = FirstResponse
		res = Resolution
	)
	business := func(v *config.Vendor) {
		v.CalendarParsed = shanghai(t)
		v.Calendar = "shanghai-office"
		v.SLA[0].Clock = "business"
	}
	officeCalendar := func(v *config.Vendor) {
		v.CalendarParsed = shanghai(t)
		v.Calendar = "shanghai-office"
	}
	tests := []struct {
		name         string
		vendor       func(*config.Vendor)
		historyStart time.Time
		settle       time.Duration // global.solved_settle; zero: the default, 96h
		steps        []ticketStep
	}{
		{
			name: "answered before any status change",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusNew, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(10*m))}}},
				now: after(h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 1
					observe(&v.FirstResponse[High][Business], 600)
					v.SLAChecks[High][fr] = 1
					v.Open[High][AwaitingVendor] = 1
				},
			}},
		},
		{
			name: "reply timestamped before creation counts as zero (API figures)",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0,
					Figures: &item.Figures{FirstReplyAt: after(-30 * time.Second), Replies: 1}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					observe(&v.FirstResponse[Urgent][Business], 0)
					v.SLAChecks[Urgent][fr] = 1
					v.Open[Urgent][AwaitingVendor] = 1
				},
			}},
		},
		{
			name: "reply timestamped before creation is not a first reply (timeline)",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(-30*time.Second))}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
					v.Open[Urgent][AwaitingVendor] = 1
					v.Breaching[Urgent][fr] = 1
					v.OldestUnanswered[Urgent] = t0
				},
			}},
		},
		{
			name: "reopened twice: two reopens, not one-touch",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "normal", Status: item.StatusClosed, CreatedAt: t0,
					Events: []item.Event{
						ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h)),
						ev(item.EventReopened, after(3*h)), ev(item.EventVendorReply, after(4*h)), ev(item.EventSolved, after(5*h)),
						ev(item.EventReopened, after(6*h)), ev(item.EventVendorReply, after(7*h)), ev(item.EventSolved, after(8*h)),
					}}},
				now: after(9 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Normal] = 1
					observe(&v.FirstResponse[Normal][Business], 3600)
					observe(&v.Resolution[Normal], 7200)
					observe(&v.Rounds[Normal], 1)
					v.Reopened[Normal] = 2
					v.SLAChecks[Normal][fr] = 1
				},
			}},
		},
		{
			name: "closed after one reply and no reopen is one-touch",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusClosed, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(h))}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 3600)
					observe(&v.Rounds[Low], 1)
					v.FirstContact[Low] = 1
				},
			}},
		},
		{
			// Freshdesk tickets stay "Resolved" (solved): counting only at
			// the close found none of them (0 where 4 are due, before turn
			// 2). Four solved after exactly one reply, never reopened; one
			// after two replies; one reopened. Figures as Freshdesk gives.
			name: "Freshdesk: resolved tickets that stay resolved are one-touch once settled, 4 of 6",
			steps: func() []ticketStep {
				resolved := func(id string, solved time.Duration, replies, reopens int) item.Ticket {
					return item.Ticket{ID: id, Priority: "medium", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(solved),
						Figures: &item.Figures{FirstReplyAt: after(30 * m), FirstSolvedAt: after(solved), Replies: replies, Reopens: reopens}}
				}
				tickets := []item.Ticket{
					resolved("1", 2*h, 1, 0), resolved("2", 3*h, 1, 0), resolved("3", 5*h, 1, 0), resolved("4", h, 1, 0),
					resolved("5", 2*h, 2, 0), resolved("6", 4*h, 1, 1),
				}
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Normal] = 6
					v.SLAChecks[Normal][fr] = 6 // replied at 00:30, the 8h target met
					v.Reopened[Normal] = 1
					for _, tk := range tickets {
						observe(&v.FirstResponse[Normal][Business], 1800)
						observe(&v.Resolution[Normal], tk.Figures.FirstSolvedAt.Sub(t0).Seconds())
						observe(&v.Rounds[Normal], float64(tk.Figures.Replies))
					}
				}
				return []ticketStep{
					{fetched: tickets, now: after(50 * h), want: counters},
					// The last of the four solved at 05:00 settles at 101h.
					{now: after(100 * h), want: func(v *VendorSnapshot) { counters(v); v.FirstContact[Normal] = 3 }},
					{now: after(101 * h), want: func(v *VendorSnapshot) { counters(v); v.FirstContact[Normal] = 4 }},
				}
			}(),
		},
		{
			// Zendesk closes a solved ticket after 4 days: one-touch counts
			// when the solve has stood for solved_settle, or at the close if
			// that comes first (0 of 1 before turn 2 for the solved one).
			name: "Zendesk: solved, not closed, is one-touch once settled; closed earlier, at the close",
			steps: func() []ticketStep {
				zendesk := func(id string, status item.Status) item.Ticket {
					return item.Ticket{ID: id, Priority: "urgent", Status: status, CreatedAt: t0, UpdatedAt: after(2 * h),
						Figures: &item.Figures{FirstReplyAt: after(30 * m), FirstSolvedAt: after(2 * h), Replies: 1}}
				}
				counters := func(n int) func(v *VendorSnapshot) {
					return func(v *VendorSnapshot) {
						v.TicketsCreated[Urgent] = uint64(n)
						v.SLAChecks[Urgent][fr], v.SLAChecks[Urgent][res] = uint64(n), uint64(n)
						for range n {
							observe(&v.FirstResponse[Urgent][Business], 1800)
							observe(&v.Resolution[Urgent], 7200)
							observe(&v.Rounds[Urgent], 1)
						}
					}
				}
				return []ticketStep{
					{fetched: []item.Ticket{zendesk("solved", item.StatusSolved)}, now: after(10 * h), want: counters(1)},
					{fetched: []item.Ticket{zendesk("closed", item.StatusClosed)}, now: after(20 * h),
						want: func(v *VendorSnapshot) { counters(2)(v); v.FirstContact[Urgent] = 1 }},
					{now: after(98*h - time.Millisecond), want: func(v *VendorSnapshot) { counters(2)(v); v.FirstContact[Urgent] = 1 }},
					{now: after(98 * h), want: func(v *VendorSnapshot) { counters(2)(v); v.FirstContact[Urgent] = 2 }},
				}
			}(),
		},
		{
			name:   "global.solved_settle 24h: one-touch a day after the solve",
			settle: 24 * h,
			steps: func() []ticketStep {
				solved := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
				}
				return []ticketStep{
					{fetched: []item.Ticket{solved}, now: after(25 * h), want: counters},
					{now: after(26 * h), want: func(v *VendorSnapshot) { counters(v); v.FirstContact[Low] = 1 }},
				}
			}(),
		},
		{
			name: "a reopen after the one-touch settled does not take it back",
			steps: func() []ticketStep {
				solved := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}
				reopened := solved
				reopened.Status = item.StatusOpen
				reopened.Events = append(append([]item.Event(nil), solved.Events...), ev(item.EventReopened, after(99*h)))
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
					v.FirstContact[Low] = 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{solved}, now: after(98 * h), want: counters},
					{fetched: []item.Ticket{reopened}, now: after(100 * h), want: func(v *VendorSnapshot) {
						counters(v)
						v.Reopened[Low] = 1
						v.Open[Low][AwaitingVendor] = 1
					}},
				}
			}(),
		},
		{
			name: "reopened before it settled: never one-touch",
			steps: []ticketStep{
				{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}}, now: after(50 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Low] = 1
						observe(&v.FirstResponse[Low][Business], 3600)
						observe(&v.Resolution[Low], 7200)
						observe(&v.Rounds[Low], 1)
					}},
				{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h)),
						ev(item.EventReopened, after(60*h)), ev(item.EventSolved, after(61*h))}}}, now: after(200 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Low] = 1
						observe(&v.FirstResponse[Low][Business], 3600)
						observe(&v.Resolution[Low], 7200)
						observe(&v.Rounds[Low], 1)
						v.Reopened[Low] = 1
					}},
			},
		},
		{
			name: "solved but not closed is not yet one-touch",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(h))}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 3600)
					observe(&v.Rounds[Low], 1)
				},
			}},
		},
		{
			name: "solved with no reply: first response checked against the solve, not observed",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventSolved, after(2*h))}}},
				now: after(3 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					observe(&v.Resolution[Urgent], 7200)
					observe(&v.Rounds[Urgent], 0)
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
					v.SLAChecks[Urgent][res] = 1
				},
			}},
		},
		{
			name: "solved status without a solve time is solved at its last update",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(5 * h)}},
				now:     after(30 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					observe(&v.Resolution[Urgent], 5*3600)
					observe(&v.Rounds[Urgent], 0)
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
					v.SLAChecks[Urgent][res] = 1
				},
			}},
		},
		{
			name: "closed unsolved (not planned): clocks end at the close, no resolution, not one-touch",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(h / 2),
						Events: []item.Event{ev(item.EventVendorReply, after(h/2))}}},
					now: after(2 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Urgent] = 1
						observe(&v.FirstResponse[Urgent][Business], 1800)
						v.SLAChecks[Urgent][fr] = 1
						v.Open[Urgent][AwaitingVendor] = 1
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusClosed, CreatedAt: t0, UpdatedAt: after(30 * h),
						Events: []item.Event{ev(item.EventVendorReply, after(h/2))}}},
					now: after(31 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Urgent] = 1
						observe(&v.FirstResponse[Urgent][Business], 1800)
						v.SLAChecks[Urgent][fr] = 1
						v.SLAChecks[Urgent][res], v.SLABreaches[Urgent][res] = 1, 1
					},
				},
			},
		},
		{
			name: "breach while open, then answered late: counted once",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0}},
					now:     after(5 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingVendor] = 1
						v.Breaching[High][fr] = 1
						v.OldestUnanswered[High] = t0
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusPending, CreatedAt: t0,
						Events: []item.Event{ev(item.EventVendorReply, after(6*h))}}},
					now: after(7 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						observe(&v.FirstResponse[High][Business], 6*3600)
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingCustomer] = 1
					},
				},
			},
		},
		{
			// Before turn 2 the late reply turned the breach into a met
			// target: the counter went down.
			name: "a breach counted while open stays when a reply timestamped before the deadline is fetched later",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0}},
					now:     after(5 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingVendor] = 1
						v.Breaching[High][fr] = 1
						v.OldestUnanswered[High] = t0
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusPending, CreatedAt: t0,
						Events: []item.Event{ev(item.EventVendorReply, after(3*h))}}},
					now: after(6 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						observe(&v.FirstResponse[High][Business], 3*3600)
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingCustomer] = 1
					},
				},
			},
		},
		{
			name: "a reply fetched before the deadline passed as of the judged instant: met",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0}},
					now:     after(3 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.Open[High][AwaitingVendor] = 1
						v.OldestUnanswered[High] = t0
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusPending, CreatedAt: t0,
						Events: []item.Event{ev(item.EventVendorReply, after(2*h))}}},
					now: after(6 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						observe(&v.FirstResponse[High][Business], 2*3600)
						v.SLAChecks[High][fr] = 1
						v.Open[High][AwaitingCustomer] = 1
					},
				},
			},
		},
		{
			// Before turn 2 the pause took the breach back.
			name: "JSM: a vendor clock counted breached stays breached when a pause moves its deadline and the vendor judges it met",
			steps: func() []ticketStep {
				jsm := func(clock item.SLAClock, status item.Status, updated time.Duration) item.Ticket {
					return item.Ticket{ID: "1", Priority: "low", Status: status, CreatedAt: t0, UpdatedAt: after(updated),
						Figures: &item.Figures{FirstResponseSLA: &clock}}
				}
				breached := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					v.SLAChecks[Low][fr], v.SLABreaches[Low][fr] = 1, 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{jsm(item.SLAClock{Deadline: after(h)}, item.StatusOpen, 0)}, now: after(2 * h),
						want: func(v *VendorSnapshot) {
							breached(v)
							v.Open[Low][AwaitingVendor] = 1
							v.Breaching[Low][fr] = 1
							v.OldestUnanswered[Low] = t0
						}},
					{fetched: []item.Ticket{jsm(item.SLAClock{Deadline: after(5 * h)}, item.StatusPending, 2*h)}, now: after(3 * h),
						want: func(v *VendorSnapshot) {
							breached(v)
							v.Open[Low][AwaitingCustomer] = 1
							v.OldestUnanswered[Low] = t0
						}},
					{fetched: []item.Ticket{jsm(item.SLAClock{Deadline: after(5 * h), Stopped: after(4 * h)}, item.StatusPending, 4*h)}, now: after(5 * h),
						want: func(v *VendorSnapshot) {
							breached(v)
							v.Open[Low][AwaitingCustomer] = 1
							v.OldestUnanswered[Low] = t0
						}},
				}
			}(),
		},
		{
			name: "creation moved later by the vendor: deadlines from the creation first stored",
			steps: []ticketStep{
				{fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0}}, now: after(30 * m),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Urgent] = 1
						v.Open[Urgent][AwaitingVendor] = 1
						v.OldestUnanswered[Urgent] = t0
					}},
				{fetched: []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: after(2 * h)}}, now: after(90 * m),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Urgent] = 1
						v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1 // due at 01:00
						v.Open[Urgent][AwaitingVendor] = 1
						v.Breaching[Urgent][fr] = 1
						v.OldestUnanswered[Urgent] = t0
					}},
			},
		},
		{
			name:         "creation moved before history_start after it was counted: still counted",
			historyStart: t0,
			steps: func() []ticketStep {
				want := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					v.Open[Low][AwaitingVendor] = 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: after(h),
						Events: []item.Event{ev(item.EventVendorReply, after(2*h))}}}, now: after(3 * h), want: want},
					{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: after(-10 * h),
						Events: []item.Event{ev(item.EventVendorReply, after(2*h))}}}, now: after(4 * h), want: want},
				}
			}(),
		},
		{
			name: "a version that drops the timeline and reverts the close lowers nothing",
			steps: func() []ticketStep {
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 3600)
					observe(&v.Rounds[Low], 1)
					v.Followups[Low] = 1
					v.FirstContact[Low] = 1
					v.Escalations[Low] = 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusClosed, CreatedAt: t0, Events: []item.Event{
						ev(item.EventCustomerReply, after(m)), ev(item.EventEscalated, after(2*m)),
						ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(h)),
					}}}, now: after(2 * h), want: counters},
					// Shown open after its solve: reopened, though no event
					// says so (a reopen seen).
					{fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0}}, now: after(3 * h),
						want: func(v *VendorSnapshot) { counters(v); v.Reopened[Low] = 1; v.Open[Low][AwaitingVendor] = 1 }},
				}
			}(),
		},
		{
			// Terms: until 2026-07-01 urgent first response 2h; from then 1h
			// and resolution 24h.
			name: "contract terms: each ticket judged by the term in force at its creation",
			vendor: func(v *config.Vendor) {
				v.SLA = config.SLATerms{
					{FirstResponse: map[string]commonmodel.Duration{"urgent": hours(2)}},
					datedTerm(ts("2026-07-01T00:00:00Z"), config.SLA{FirstResponse: map[string]commonmodel.Duration{"urgent": hours(1)},
						Resolution: map[string]commonmodel.Duration{"urgent": hours(24)}}),
				}
			},
			steps: []ticketStep{{
				fetched: []item.Ticket{
					{ID: "june", Priority: "urgent", Status: item.StatusSolved, CreatedAt: ts("2026-06-30T23:30:00Z"), Events: []item.Event{
						ev(item.EventVendorReply, ts("2026-07-01T01:00:00Z")), ev(item.EventSolved, ts("2026-07-02T06:00:00Z"))}},
					{ID: "july", Priority: "urgent", Status: item.StatusSolved, CreatedAt: ts("2026-07-01T00:30:00Z"), Events: []item.Event{
						ev(item.EventVendorReply, ts("2026-07-01T02:00:00Z")), ev(item.EventSolved, ts("2026-07-02T06:30:00Z"))}},
				},
				now: ts("2026-07-03T00:00:00Z"),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 2
					for _, d := range []float64{5400, 5400} {
						observe(&v.FirstResponse[Urgent][Business], d)
					}
					observe(&v.Resolution[Urgent], 30*3600+30*60)
					observe(&v.Resolution[Urgent], 30*3600)
					observe(&v.Rounds[Urgent], 1)
					observe(&v.Rounds[Urgent], 1)
					// june: 1h30 within 2h, no resolution target; july: 1h30
					// over 1h, 30h over 24h.
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 2, 1
					v.SLAChecks[Urgent][res], v.SLABreaches[Urgent][res] = 1, 1
				},
			}},
		},
		{
			name: "a ticket created before the first term's from has no targets",
			vendor: func(v *config.Vendor) {
				v.SLA = config.SLATerms{datedTerm(after(24*h), config.SLA{FirstResponse: map[string]commonmodel.Duration{"urgent": hours(1)}})}
			},
			steps: []ticketStep{{
				fetched: []item.Ticket{
					{ID: "before", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0},
					{ID: "after", Priority: "urgent", Status: item.StatusOpen, CreatedAt: after(24 * h)},
				},
				now: after(30 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 2
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
					v.Open[Urgent][AwaitingVendor] = 2
					v.Breaching[Urgent][fr] = 1
					v.OldestUnanswered[Urgent] = t0
				},
			}},
		},
		{
			// Term 1 on the calendar clock, term 2 (from Monday 2026-03-09
			// in Shanghai) on the business clock: each ticket's durations
			// and deadline in its own term's clock.
			name: "contract terms: the SLA clock of each ticket's term",
			vendor: func(v *config.Vendor) {
				officeCalendar(v)
				v.SLA = config.SLATerms{
					{FirstResponse: map[string]commonmodel.Duration{"high": hours(4)}},
					datedTerm(ts("2026-03-09T00:00:00+08:00"), config.SLA{Clock: "business", FirstResponse: map[string]commonmodel.Duration{"high": hours(4)}}),
				}
			},
			steps: []ticketStep{{
				fetched: []item.Ticket{
					// Friday 17:00, replied Tuesday 10:00: 89h of wall time.
					{ID: "calendar", Priority: "high", Status: item.StatusOpen, CreatedAt: ts("2026-03-06T17:00:00+08:00"),
						Events: []item.Event{ev(item.EventVendorReply, ts("2026-03-10T10:00:00+08:00"))}},
					// Tuesday 17:00, replied Wednesday 10:00: 2h of business time.
					{ID: "business", Priority: "high", Status: item.StatusOpen, CreatedAt: ts("2026-03-10T17:00:00+08:00"),
						Events: []item.Event{ev(item.EventVendorReply, ts("2026-03-11T10:00:00+08:00"))}},
				},
				now: ts("2026-03-11T12:00:00+08:00"),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 2
					observe(&v.FirstResponse[High][Business], 89*3600)
					observe(&v.FirstResponse[High][Business], 2*3600)
					v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 2, 1
					v.Open[High][AwaitingVendor] = 2
				},
			}},
		},
		{
			name: "priority bumped after creation: counters keep the first, gauges move",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "normal", Status: item.StatusOpen, CreatedAt: t0}},
					now:     after(h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Normal] = 1
						v.Open[Normal][AwaitingVendor] = 1
						v.OldestUnanswered[Normal] = t0
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "P1", Status: item.StatusOnHold, CreatedAt: t0}},
					now:     after(2 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Normal] = 1 // normal's 8h target has not passed
						v.Open[Urgent][OnHold] = 1
						v.Breaching[Urgent][fr] = 1 // urgent's 1h target has
						v.OldestUnanswered[Urgent] = t0
					},
				},
			},
		},
		{
			name: "a priority no mapping knows is normal, counted unknown once under the first priority; none at all is not unknown",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{
						{ID: "sev", Priority: "Sev-2", Status: item.StatusOpen, CreatedAt: t0},
						{ID: "unset", Priority: "", Status: item.StatusOpen, CreatedAt: t0},
						{ID: "blank", Priority: "  ", Status: item.StatusOpen, CreatedAt: t0},
					},
					now: after(h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Normal] = 3
						v.UnknownPriority = 1
						v.Open[Normal][AwaitingVendor] = 3
						v.OldestUnanswered[Normal] = t0
					},
				},
				{
					// The vendor fixes one and breaks another: the counter
					// keeps the first priorities, the gauges move.
					fetched: []item.Ticket{
						{ID: "sev", Priority: "P1", Status: item.StatusOpen, CreatedAt: t0},
						{ID: "sev", Priority: "P1", Status: item.StatusOpen, CreatedAt: t0},
						{ID: "unset", Priority: "Sev-3", Status: item.StatusOpen, CreatedAt: t0},
					},
					now: after(2 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Normal] = 3
						v.UnknownPriority = 1
						v.Open[Urgent][AwaitingVendor] = 1
						v.Open[Normal][AwaitingVendor] = 2
						v.Breaching[Urgent][fr] = 1
						v.OldestUnanswered[Urgent] = t0
						v.OldestUnanswered[Normal] = t0
					},
				},
			},
		},
		{
			name: "rating changed good, bad, good: three ratings",
			steps: func() []ticketStep {
				solved := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0,
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}
				base := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
				}
				var steps []ticketStep
				for _, s := range []struct {
					rating    item.Rating
					good, bad uint64
				}{{item.RatingGood, 1, 0}, {item.RatingGood, 1, 0}, {item.RatingNone, 1, 0}, {item.RatingBad, 1, 1}, {item.RatingGood, 2, 1}} {
					rated := solved
					rated.Satisfaction = s.rating
					steps = append(steps, ticketStep{fetched: []item.Ticket{rated}, now: after(3 * h), want: func(v *VendorSnapshot) {
						base(v)
						v.Ratings[Good], v.Ratings[Bad] = s.good, s.bad
					}})
				}
				return steps
			}(),
		},
		{
			name: "escalation by configured tag (any case) is sticky",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, Tags: []string{"vip", "ESCALATED"}}},
					now:     after(h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Low] = 1
						v.Open[Low][AwaitingVendor] = 1
						v.OldestUnanswered[Low] = t0
						v.Escalations[Low], v.EscalationsOpen[Low] = 1, 1
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, Tags: []string{"vip"}}},
					now:     after(h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[Low] = 1
						v.Open[Low][AwaitingVendor] = 1
						v.OldestUnanswered[Low] = t0
						v.Escalations[Low] = 1
					},
				},
			},
		},
		{
			name: "escalation by API flag",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, Escalated: true}},
				now:     after(h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					v.Open[Low][AwaitingVendor] = 1
					v.OldestUnanswered[Low] = t0
					v.Escalations[Low], v.EscalationsOpen[Low] = 1, 1
				},
			}},
		},
		{
			name: "escalation by timeline event",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0,
					Events: []item.Event{ev(item.EventEscalated, after(m))}}},
				now: after(h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					v.Open[Low][AwaitingVendor] = 1
					v.OldestUnanswered[Low] = t0
					v.Escalations[Low], v.EscalationsOpen[Low] = 1, 1
				},
			}},
		},
		{
			name: "a tag that is not configured does not escalate",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, Tags: []string{"escalated-later"}}},
				now:     after(h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					v.Open[Low][AwaitingVendor] = 1
					v.OldestUnanswered[Low] = t0
				},
			}},
		},
		{
			name: "follow-ups are customer replies while already awaiting the vendor",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0,
					Events: []item.Event{
						// Out of order on purpose: the walk is in time order.
						ev(item.EventVendorReply, after(30*m)),
						ev(item.EventCustomerReply, after(10*m)), // chases since creation
						ev(item.EventCustomerReply, after(20*m)), // chases again
						ev(item.EventCustomerReply, after(40*m)), // answers the vendor
						ev(item.EventCustomerReply, after(50*m)), // chases
						ev(item.EventSolved, after(h)),
						ev(item.EventReopened, after(2*h)),
						ev(item.EventCustomerReply, after(2*h+10*m)), // chases after the reopen
					}}},
				now: after(3 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 1800)
					observe(&v.Resolution[Low], 3600)
					observe(&v.Rounds[Low], 1)
					v.Followups[Low] = 4
					v.Reopened[Low] = 1
					v.Open[Low][AwaitingVendor] = 1
				},
			}},
		},
		{
			name: "API figures take precedence; their reopens never go down",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: t0,
						Events:  []item.Event{ev(item.EventVendorReply, after(h))},
						Figures: &item.Figures{FirstReplyAt: after(2 * h), FirstSolvedAt: after(3 * h), Replies: 2, Reopens: 1}}},
					now: after(4 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						observe(&v.FirstResponse[High][Business], 7200)
						observe(&v.Resolution[High], 3*3600)
						observe(&v.Rounds[High], 2)
						v.Reopened[High] = 1
						v.SLAChecks[High][fr], v.SLAChecks[High][res] = 1, 1
					},
				},
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: t0,
						Figures: &item.Figures{FirstReplyAt: after(2 * h), FirstSolvedAt: after(3 * h), Replies: 3, Reopens: 0}}},
					now: after(4 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						observe(&v.FirstResponse[High][Business], 7200)
						observe(&v.Resolution[High], 3*3600)
						observe(&v.Rounds[High], 2) // pinned at the first solve
						v.Reopened[High] = 1
						v.SLAChecks[High][fr], v.SLAChecks[High][res] = 1, 1
					},
				},
			},
		},
		{
			name:         "items created before history_start are ignored",
			historyStart: t0,
			steps: []ticketStep{{
				fetched: []item.Ticket{
					{ID: "early", Priority: "urgent", Status: item.StatusOpen, CreatedAt: after(-time.Second)},
					{ID: "early-unknown", Priority: "sev-1", Status: item.StatusOpen, CreatedAt: after(-time.Second)},
					{ID: "on-time", Priority: "low", Status: item.StatusOpen, CreatedAt: t0},
				},
				now: after(h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					v.Open[Low][AwaitingVendor] = 1
					v.OldestUnanswered[Low] = t0
				},
			}},
		},
		{
			name:   "business clock across a weekend and a holiday",
			vendor: business,
			steps: []ticketStep{{
				// Friday 17:00 in Shanghai; Monday is a holiday.
				fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: ts("2026-03-06T17:00:00+08:00"),
					Events: []item.Event{
						ev(item.EventVendorReply, ts("2026-03-10T10:00:00+08:00")),
						ev(item.EventSolved, ts("2026-03-10T11:00:00+08:00")),
					}}},
				now: ts("2026-03-10T12:00:00+08:00"),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 1
					observe(&v.FirstResponse[High][Business], 7200) // Friday 1h + Tuesday 1h
					observe(&v.Resolution[High], 3*3600)
					observe(&v.Rounds[High], 1)
					v.SLAChecks[High][fr], v.SLAChecks[High][res] = 1, 1 // 4h ran out Tuesday 12:00
				},
			}},
		},
		{
			name:   "business deadline runs out after the weekend and the holiday",
			vendor: business,
			steps: func() []ticketStep {
				created := ts("2026-03-06T17:30:00+08:00") // urgent 1h: due Tuesday 09:30
				open := []item.Ticket{{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: created}}
				gauges := func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					v.Open[Urgent][AwaitingVendor] = 1
					v.OldestUnanswered[Urgent] = created.UTC()
				}
				return []ticketStep{
					{fetched: open, now: ts("2026-03-09T12:00:00+08:00"), want: gauges},
					{fetched: open, now: ts("2026-03-10T09:29:00+08:00"), want: gauges},
					{fetched: open, now: ts("2026-03-10T09:31:00+08:00"), want: func(v *VendorSnapshot) {
						gauges(v)
						v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
						v.Breaching[Urgent][fr] = 1
					}},
				}
			}(),
		},
		{
			name:   "created 23:59 Friday in the vendor's zone is off hours",
			vendor: officeCalendar,
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: ts("2026-03-06T23:59:00+08:00"),
					Events: []item.Event{
						ev(item.EventVendorReply, ts("2026-03-07T00:59:00+08:00")),
						ev(item.EventSolved, ts("2026-03-07T01:59:00+08:00")),
					}}},
				now: ts("2026-03-07T03:00:00+08:00"),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Off], 3600) // calendar clock: wall time
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
				},
			}},
		},
		{
			name:   "created on a holiday is off hours, on a working day business",
			vendor: officeCalendar,
			steps: []ticketStep{{
				fetched: []item.Ticket{
					{ID: "holiday", Priority: "low", Status: item.StatusSolved, CreatedAt: ts("2026-03-09T10:00:00+08:00"),
						Events: []item.Event{ev(item.EventVendorReply, ts("2026-03-09T10:05:00+08:00")), ev(item.EventSolved, ts("2026-03-09T10:05:00+08:00"))}},
					{ID: "workday", Priority: "low", Status: item.StatusSolved, CreatedAt: ts("2026-03-10T10:00:00+08:00"),
						Events: []item.Event{ev(item.EventVendorReply, ts("2026-03-10T10:05:00+08:00")), ev(item.EventSolved, ts("2026-03-10T10:05:00+08:00"))}},
				},
				now: ts("2026-03-11T00:00:00+08:00"),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 2
					observe(&v.FirstResponse[Low][Off], 300)
					observe(&v.FirstResponse[Low][Business], 300)
					observe(&v.Resolution[Low], 300)
					observe(&v.Resolution[Low], 300)
					observe(&v.Rounds[Low], 1)
					observe(&v.Rounds[Low], 1)
				},
			}},
		},
		{
			name: "the vendor's stopped clocks decide the verdicts, not the configured targets",
			steps: []ticketStep{{
				// High's targets are 4h and 72h: met by our clock, yet the
				// vendor's own goal for first response was missed.
				fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h),
					Figures: &item.Figures{FirstReplyAt: after(30 * m), FirstSolvedAt: after(2 * h), Replies: 1,
						FirstResponseSLA: &item.SLAClock{Deadline: after(15 * m), Stopped: after(30 * m), Breached: true},
						ResolutionSLA:    &item.SLAClock{Deadline: after(8 * h), Stopped: after(2 * h)}}}},
				now: after(3 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 1
					observe(&v.FirstResponse[High][Business], 1800)
					observe(&v.Resolution[High], 7200)
					observe(&v.Rounds[High], 1)
					v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
					v.SLAChecks[High][res] = 1
				},
			}},
		},
		{
			name: "a vendor clock counts where no target is configured",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "low", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(h),
					Figures: &item.Figures{FirstReplyAt: after(h), Replies: 1,
						FirstResponseSLA: &item.SLAClock{Deadline: after(2 * h), Stopped: after(h)}}}},
				now: after(2 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					v.SLAChecks[Low][fr] = 1
					v.Open[Low][AwaitingVendor] = 1
				},
			}},
		},
		{
			name: "a running vendor clock breaches at the vendor's deadline, not ours",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: t0,
						Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(30 * m)}}}},
					now: after(30 * m), // not after the deadline yet
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.Open[High][AwaitingVendor] = 1
						v.OldestUnanswered[High] = t0
					},
				},
				{
					now: after(31 * m), // our 4h target is far off
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingVendor] = 1
						v.Breaching[High][fr] = 1
						v.OldestUnanswered[High] = t0
					},
				},
			},
		},
		{
			name: "a paused vendor clock does not breach, whatever our target says",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusPending, CreatedAt: t0, UpdatedAt: after(h),
					Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{}}}},
				now: after(10 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 1
					v.Open[High][AwaitingCustomer] = 1
					v.OldestUnanswered[High] = t0
				},
			}},
		},
		{
			name: "a running vendor clock already breached counts from when it was seen so",
			steps: []ticketStep{
				{
					fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: after(2 * h),
						Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{Breached: true}}}},
					now: after(2 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.Open[High][AwaitingVendor] = 1
						v.OldestUnanswered[High] = t0
					},
				},
				{
					now: after(3 * h),
					want: func(v *VendorSnapshot) {
						v.TicketsCreated[High] = 1
						v.SLAChecks[High][fr], v.SLABreaches[High][fr] = 1, 1
						v.Open[High][AwaitingVendor] = 1
						v.Breaching[High][fr] = 1
						v.OldestUnanswered[High] = t0
					},
				},
			},
		},
		{
			name: "a vendor clock still running when the ticket is solved ends at the solve",
			steps: []ticketStep{{
				fetched: []item.Ticket{{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(3 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(2*h)), ev(item.EventSolved, after(3*h))},
					Figures: &item.Figures{FirstReplyAt: after(2 * h), FirstSolvedAt: after(3 * h), Replies: 1,
						ResolutionSLA: &item.SLAClock{Deadline: after(h)}}}},
				now: after(4 * h),
				want: func(v *VendorSnapshot) {
					v.TicketsCreated[High] = 1
					observe(&v.FirstResponse[High][Business], 7200)
					observe(&v.Resolution[High], 10800)
					observe(&v.Rounds[High], 1)
					v.SLAChecks[High][fr] = 1
					v.SLAChecks[High][res], v.SLABreaches[High][res] = 1, 1
				},
			}},
		},
		{
			// Before turn 3 the vendor's clock, showing later, took the breach
			// back (checks and breaches 1/1 to 0/0).
			name: "whose verdict: a breach counted on our clock stays when a running vendor clock shows later",
			steps: func() []ticketStep {
				open := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
				withClock := open
				withClock.UpdatedAt = after(2 * h)
				withClock.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(10 * h)}}
				want := func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1 // our 1h target passed as of 2h
					v.Open[Urgent][AwaitingVendor] = 1
					v.Breaching[Urgent][fr] = 1
					v.OldestUnanswered[Urgent] = t0
				}
				return []ticketStep{
					{fetched: []item.Ticket{open}, now: after(2 * h), want: want},
					{fetched: []item.Ticket{withClock}, now: after(3 * h), want: want},
				}
			}(),
		},
		{
			// Before turn 3 the clock coming back took the breach back.
			name: "whose verdict: a breach counted on our clock while the vendor's was dropped stays when it comes back",
			steps: func() []ticketStep {
				running := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: t0,
					Figures: &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(10 * h)}}}
				dropped := running
				dropped.UpdatedAt, dropped.Figures = after(2*h), nil
				back := running
				back.UpdatedAt = after(3 * h)
				open := func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					v.Open[Urgent][AwaitingVendor] = 1
					v.OldestUnanswered[Urgent] = t0
				}
				breached := func(v *VendorSnapshot) {
					open(v)
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
					v.Breaching[Urgent][fr] = 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{running}, now: after(2 * h), want: open}, // the vendor's 10h deadline is ahead
					// Ours judges without the vendor's: seen running as of
					// 2h, past its 1h target.
					{fetched: []item.Ticket{dropped}, now: after(3 * h), want: breached},
					{fetched: []item.Ticket{back}, now: after(4 * h), want: breached},
				}
			}(),
		},
		{
			// Before turn 3 the vendor's met verdict replaced ours (1/1 to 1/0).
			name: "whose verdict: a breach judged on our clock at the reply stays when a stopped vendor clock judged met shows later",
			steps: func() []ticketStep {
				replied := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusPending, CreatedAt: t0, UpdatedAt: after(2 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(2*h))}}
				withClock := replied
				withClock.UpdatedAt = after(3 * h)
				withClock.Figures = &item.Figures{FirstReplyAt: after(2 * h), Replies: 1,
					FirstResponseSLA: &item.SLAClock{Deadline: after(4 * h), Stopped: after(2 * h)}}
				want := func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					observe(&v.FirstResponse[Urgent][Business], 7200)
					v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1 // replied at 2h, our target 1h
					v.Open[Urgent][AwaitingCustomer] = 1
				}
				return []ticketStep{
					{fetched: []item.Ticket{replied}, now: after(3 * h), want: want},
					{fetched: []item.Ticket{withClock}, now: after(4 * h), want: want},
				}
			}(),
		},
		{
			name: "whose verdict: a vendor clock that shows before our clock judged anything judges the target",
			steps: func() []ticketStep {
				open := item.Ticket{ID: "1", Priority: "urgent", Status: item.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
				withClock := open
				withClock.UpdatedAt = after(30 * m)
				withClock.Figures = &item.Figures{FirstResponseSLA: &item.SLAClock{Deadline: after(10 * h)}}
				want := func(v *VendorSnapshot) {
					v.TicketsCreated[Urgent] = 1
					v.Open[Urgent][AwaitingVendor] = 1
					v.OldestUnanswered[Urgent] = t0
				}
				return []ticketStep{
					{fetched: []item.Ticket{open}, now: after(30 * m), want: want},
					// Our 1h target passed, the vendor's 10h deadline has not.
					{fetched: []item.Ticket{withClock}, now: after(3 * h), want: want},
					{now: after(11 * h), want: func(v *VendorSnapshot) {
						want(v)
						v.SLAChecks[Urgent][fr], v.SLABreaches[Urgent][fr] = 1, 1
						v.Breaching[Urgent][fr] = 1
					}},
				}
			}(),
		},
		{
			// Before turn 3 the revert went unseen: counted one-touch at 98h,
			// after 3h solved, and no reopen.
			name: "shown open after its solve without a reopen event, before it settled: a reopen, never one-touch",
			steps: func() []ticketStep {
				solved := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}
				reverted := solved
				reverted.Status, reverted.UpdatedAt = item.StatusOpen, after(49*h)
				again := solved
				again.UpdatedAt = after(95 * h)
				again.Events = []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h)), ev(item.EventSolved, after(95*h))}
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
				}
				reopened := func(v *VendorSnapshot) { counters(v); v.Reopened[Low] = 1 }
				return []ticketStep{
					{fetched: []item.Ticket{solved}, now: after(3 * h), want: counters},
					{fetched: []item.Ticket{reverted}, now: after(50 * h), want: func(v *VendorSnapshot) {
						reopened(v)
						v.Open[Low][AwaitingVendor] = 1
					}},
					{fetched: []item.Ticket{again}, now: after(98 * h), want: reopened},
					{now: after(200 * h), want: reopened},
				}
			}(),
		},
		{
			name: "shown open without a reopen event after the one-touch settled: it stays, and counts a reopen",
			steps: func() []ticketStep {
				solved := item.Ticket{ID: "1", Priority: "low", Status: item.StatusSolved, CreatedAt: t0, UpdatedAt: after(2 * h),
					Events: []item.Event{ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))}}
				reverted := solved
				reverted.Status, reverted.UpdatedAt = item.StatusOpen, after(100*h)
				counters := func(v *VendorSnapshot) {
					v.TicketsCreated[Low] = 1
					observe(&v.FirstResponse[Low][Business], 3600)
					observe(&v.Resolution[Low], 7200)
					observe(&v.Rounds[Low], 1)
					v.FirstContact[Low] = 1 // settled at 2h + 96h
				}
				return []ticketStep{
					{fetched: []item.Ticket{solved}, now: after(98 * h), want: counters},
					{fetched: []item.Ticket{reverted}, now: after(101 * h), want: func(v *VendorSnapshot) {
						counters(v)
						v.Reopened[Low] = 1
						v.Open[Low][AwaitingVendor] = 1
					}},
				}
			}(),
		},
		{
			name: "a reopen seen, then the vendor's event for it: one reopen; seen once more: two",
			steps: func() []ticketStep {
				reply, solve := ev(item.EventVendorReply, after(h)), ev(item.EventSolved, after(2*h))
				version := func(status item.Status, updated time.Duration, events ...item.Event) item.Ticket {
					return item.Ticket{ID: "1", Priority: "low", Status: status, CreatedAt: t0, UpdatedAt: after(updated),
						Events: append([]item.Event{reply, solve}, events...)}
				}
				counters := func(reopens uint64) func(v *VendorSnapshot) {
					return func(v *VendorSnapshot) {
						v.TicketsCreated[Low] = 1
						observe(&v.FirstResponse[Low][Business], 3600)
						observe(&v.Resolution[Low], 7200)
						observe(&v.Rounds[Low], 1)
						v.Reopened[Low] = reopens
					}
				}
				open := func(reopens uint64, state OpenState) func(v *VendorSnapshot) {
					return func(v *VendorSnapshot) { counters(reopens)(v); v.Open[Low][state] = 1 }
				}
				reopenedAt9 := ev(item.EventReopened, after(9*h))
				return []ticketStep{
					{fetched: []item.Ticket{version(item.StatusSolved, 2*h)}, now: after(3 * h), want: counters(0)},
					{fetched: []item.Ticket{version(item.StatusOpen, 10*h)}, now: after(11 * h), want: open(1, AwaitingVendor)},
					{fetched: []item.Ticket{version(item.StatusOpen, 12*h, reopenedAt9)}, now: after(13 * h), want: open(1, AwaitingVendor)},
					{fetched: []item.Ticket{version(item.StatusSolved, 20*h, reopenedAt9, ev(item.EventSolved, after(20*h)))}, now: after(21 * h),
						want: counters(1)},
					{fetched: []item.Ticket{version(item.StatusPending, 30*h, reopenedAt9, ev(item.EventSolved, after(20*h)))}, now: after(31 * h),
						want: open(2, AwaitingCustomer)},
				}
			}(),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := testVendor()
			if tc.vendor != nil {
				tc.vendor(v)
			}
			r := mustRulesOf(t, v, config.Global{HistoryStart: config.Date{Time: tc.historyStart}, SolvedSettle: commonmodel.Duration(tc.settle)})
			s := newStore(r)
			for i, step := range tc.steps {
				for _, tk := range step.fetched {
					s.ticket("helpdesk", tk)
				}
				got := s.agg.Snapshot(at(step.now))
				// Replies by hour of the week have scenarios of their own
				// (TestVendorRepliesByHourOfWeek); the recomputation below
				// still compares them.
				withoutReplies := *got
				withoutReplies.VendorReplies = ReplyHours{}
				assertSnapshot(t, r, &withoutReplies, step.now, step.want)
				if fresh := s.reload().Snapshot(at(step.now)); !reflect.DeepEqual(fresh, s.agg.Snapshot(at(step.now))) {
					t.Errorf("step %d: incremental snapshot differs from a recomputation:\n%s", i, snapshotDiff(fresh, s.agg.Snapshot(at(step.now))))
				}
			}
		})
	}
}

// The same instants written in other time zones give the same snapshot.
func TestTicketTimeZonesDoNotMatter(t *testing.T) {
	v := testVendor()
	v.CalendarParsed, v.Calendar, v.SLA[0].Clock = shanghai(t), "shanghai-office", "business"
	r := mustRules(t, v, time.Time{})
	tickets := []item.Ticket{
		{ID: "1", Priority: "high", Status: item.StatusSolved, CreatedAt: ts("2026-03-06T17:00:00+08:00"),
			Events: []item.Event{ev(item.EventVendorReply, ts("2026-03-10T10:00:00+08:00")), ev(item.EventSolved, ts("2026-03-10T11:00:00+08:00"))}},
		{ID: "2", Priority: "urgent", Status: item.StatusOpen, CreatedAt: ts("2026-03-06T23:59:00+08:00")},
		{ID: "3", Priority: "normal", Status: item.StatusPending, CreatedAt: ts("2026-03-10T09:00:00+08:00"),
			Figures: &item.Figures{FirstReplyAt: ts("2026-03-10T13:00:00+08:00"), Replies: 1}},
	}
	now := ts("2026-03-11T12:00:00+08:00")
	var snaps []*VendorSnapshot
	for _, zone := range []string{"UTC", "America/New_York", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		s := newStore(r)
		for _, tk := range tickets {
			tk.CreatedAt = tk.CreatedAt.In(loc)
			tk.Events = append([]item.Event(nil), tk.Events...)
			for i := range tk.Events {
				tk.Events[i].At = tk.Events[i].At.In(loc)
			}
			if tk.Figures != nil {
				fig := *tk.Figures
				fig.FirstReplyAt = fig.FirstReplyAt.In(loc)
				tk.Figures = &fig
			}
			s.ticket("helpdesk", tk)
		}
		snaps = append(snaps, s.agg.Snapshot(at(now.In(loc))))
	}
	if snaps[0].TicketsCreated != [NumPriorities]uint64{1, 1, 1, 0} || snaps[0].FirstResponse[High][Business].Count != 1 {
		t.Fatalf("tickets not counted: %+v", snaps[0])
	}
	for i := 1; i < len(snaps); i++ {
		if !reflect.DeepEqual(snaps[0], snaps[i]) {
			t.Errorf("zone %d differs from UTC:\n%s", i, snapshotDiff(snaps[0], snaps[i]))
		}
	}
}

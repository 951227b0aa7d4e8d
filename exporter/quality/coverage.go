package quality

import "time"

// Follow-the-sun coverage: the vendor's public replies by hour of the week
// in its calendar's zone (UTC without a calendar), the counter
// support_vendor_replies_total (docs/metrics.md, "Follow-the-sun
// coverage"). A reply counts once, from the instants pinned in the ticket
// (item.TicketHistory.VendorReplies): one the vendor later deletes stays
// counted, one it moves counts at both instants (a moved reply cannot be
// told from a new one).

// DaysPerWeek and HoursPerDay size ReplyHours.
const (
	DaysPerWeek = 7
	HoursPerDay = 24
)

// ReplyHours counts replies by local weekday (time.Weekday: 0 is Sunday,
// as PromQL's day_of_week) and local hour (0 to 23, as PromQL's hour).
type ReplyHours [DaysPerWeek][HoursPerDay]uint64

// replyZone is the zone replies are bucketed in: the vendor calendar's.
func (r *Rules) replyZone() *time.Location {
	if r.calendar == nil {
		return time.UTC
	}
	return r.calendar.Location()
}

// addReplies adds (or, with minus, takes back) the replies at the given
// instants to the hours of the week they fell in.
func (t *tally) addReplies(loc *time.Location, replies []time.Time, s sign) {
	for _, at := range replies {
		local := at.In(loc)
		t.replyHours[local.Weekday()][local.Hour()] += uint64(s)
	}
}

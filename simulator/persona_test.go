package simulator

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// ticketStats sums up a vendor's tickets as of now.
type ticketStats struct {
	medianFirstReply time.Duration
	oneTouch, reopen float64 // shares of solved tickets
}

func statsOf(tickets []TicketTruth) ticketStats {
	var replies []time.Duration
	var solved, oneTouch, reopened int
	for _, tt := range tickets {
		if !tt.FirstReply.IsZero() {
			replies = append(replies, tt.FirstReply.Sub(tt.Created))
		}
		if tt.FirstSolve.IsZero() {
			continue
		}
		solved++
		if tt.Reopens > 0 {
			reopened++
		} else if tt.Replies == 1 {
			oneTouch++
		}
	}
	slices.Sort(replies)
	return ticketStats{
		medianFirstReply: replies[len(replies)/2],
		oneTouch:         float64(oneTouch) / float64(solved),
		reopen:           float64(reopened) / float64(solved),
	}
}

func TestPersonasAreMeasurablyDifferent(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 12, Vendors: []Vendor{
		vendor("fast", FastShallow, 1500), vendor("slow", SlowThorough, 1500),
	}})
	fast, slow := statsOf(s.Truth("fast", testStart).Tickets), statsOf(s.Truth("slow", testStart).Tickets)
	tests := []struct {
		what string
		ok   bool
	}{
		{"FastShallow answers first within minutes", fast.medianFirstReply < 15*time.Minute},
		{"SlowThorough answers first after hours", slow.medianFirstReply > 3*time.Hour},
		{"about 30% of FastShallow's tickets are reopened", fast.reopen > 0.2 && fast.reopen < 0.4},
		{"SlowThorough's tickets are rarely reopened", slow.reopen < 0.08},
		{"FastShallow rarely solves in one touch", fast.oneTouch < 0.2},
		{"SlowThorough mostly solves in one touch", slow.oneTouch > 0.6},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: fast %+v, slow %+v", tt.what, fast, slow)
		}
	}
}

func TestNoNightShiftRepliesOnlyInBusinessHours(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 13, Vendors: []Vendor{vendor("day", NoNightShift, 800), vendor("always", Persona{}, 800)}})
	outside := func(name string) (replies, off int) {
		w := s.worlds[name]
		for i := range w.v.Tickets {
			for _, st := range w.timeline(i).steps {
				if st.kind.vendorReply() {
					replies++
					if !w.cal.Contains(time.Unix(st.at, 0)) {
						off++
					}
				}
			}
		}
		return replies, off
	}
	if replies, off := outside("day"); replies == 0 || off != 0 {
		t.Errorf("NoNightShift: %d of %d replies outside business hours, want none", off, replies)
	}
	if replies, off := outside("always"); off*10 < replies {
		t.Errorf("a typical vendor: %d of %d replies outside business hours; the comparison proves nothing", off, replies)
	}
	// Black-box: tickets created on a weekend wait for Monday.
	for _, tt := range s.Truth("day", testStart).Tickets {
		if wd := tt.Created.In(s.worlds["day"].cal.Location()).Weekday(); (wd == time.Saturday || wd == time.Sunday) &&
			!tt.FirstReply.IsZero() && tt.FirstReply.Sub(tt.Created) < 24*time.Hour && tt.FirstReply.In(s.worlds["day"].cal.Location()).Weekday() != time.Monday {
			t.Errorf("ticket %d created %s was answered %s, before Monday", tt.ID, tt.Created, tt.FirstReply)
		}
	}
}

func TestStatusPagePersonas(t *testing.T) {
	c := newClock(testStart)
	quick, silent, short := vendor("quick", Persona{}, 1), vendor("silent", SilentDuringIncidents, 1), vendor("short", ShortNoticeMaintenance, 1)
	for _, v := range []*Vendor{&quick, &silent, &short} {
		v.History, v.IncidentsPerWeek, v.MaintenancesPerWeek = 90*24*time.Hour, 4, 3
	}
	s := startSim(t, c, Options{Seed: 14, Vendors: []Vendor{quick, silent, short}})
	notice := func(name string) (lo, hi, medianGap time.Duration) {
		var gaps []time.Duration
		lo = time.Duration(1 << 62)
		for _, in := range s.Truth(name, testStart).Incidents {
			d := in.Created.Sub(in.Started)
			lo, hi = min(lo, d), max(hi, d)
			for i := 1; i < len(in.Updates); i++ {
				gaps = append(gaps, in.Updates[i].Sub(in.Updates[i-1]))
			}
		}
		slices.Sort(gaps)
		return lo, hi, gaps[len(gaps)/2]
	}
	qlo, qhi, qgap := notice("quick")
	slo, shi, sgap := notice("silent")
	if qhi > 30*time.Minute || slo < 30*time.Minute || shi > 90*time.Minute || sgap < 3*qgap {
		t.Errorf("first post after %v-%v (gaps %v) for a typical vendor, %v-%v (gaps %v) for SilentDuringIncidents",
			qlo, qhi, qgap, slo, shi, sgap)
	}
	leadTimes := func(name string) (lo, hi time.Duration) {
		lo = time.Duration(1 << 62)
		for _, m := range s.Truth(name, testStart).Maintenances {
			d := m.ScheduledFor.Sub(m.Created)
			lo, hi = min(lo, d), max(hi, d)
		}
		return lo, hi
	}
	if lo, _ := leadTimes("quick"); lo < 3*24*time.Hour {
		t.Errorf("a typical vendor announced a maintenance only %v ahead", lo)
	}
	if lo, hi := leadTimes("short"); lo < 59*time.Minute || hi > 4*time.Hour+time.Minute {
		t.Errorf("ShortNoticeMaintenance announced %v-%v ahead, want 1-4 h", lo, hi)
	}
}

func TestCombine(t *testing.T) {
	p := Combine(NoNightShift, SilentDuringIncidents, ShortNoticeMaintenance)
	if p.Name != "no-night-shift+silent-during-incidents+short-notice-maintenance" {
		t.Errorf("name %q", p.Name)
	}
	full := p.withDefaults()
	if !full.BusinessHoursOnly || full.IncidentNotice != SilentDuringIncidents.IncidentNotice ||
		full.MaintenanceNotice != ShortNoticeMaintenance.MaintenanceNotice || full.FirstReply != typical.FirstReply {
		t.Errorf("combined persona lost a trait: %+v", full)
	}
	if err := full.validate(); err != nil {
		t.Error(err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	good := vendor("acme", Persona{}, 10)
	bad := func(f func(v *Vendor)) []Vendor { v := good; f(&v); return []Vendor{v} }
	tests := []struct {
		name    string
		vendors []Vendor
		want    string
	}{
		{"no vendors", nil, "no vendors"},
		{"name with a dot", bad(func(v *Vendor) { v.Name = "a.b" }), "vendor name"},
		{"unknown zone", bad(func(v *Vendor) { v.Timezone = "Mars/Olympus" }), "time zone"},
		{"tickets without history", bad(func(v *Vendor) { v.History = 0 }), "History"},
		{"negative rate", bad(func(v *Vendor) { v.IncidentsPerWeek = -1 }), "negative rate"},
		{"inverted delay", bad(func(v *Vendor) {
			v.Persona.FirstReply = Delay{Min: time.Hour, Median: time.Minute, Max: 2 * time.Hour}
		}), "FirstReply"},
		{"share above one", bad(func(v *Vendor) { v.Persona.ReopenShare = 2 }), "ReopenShare"},
		{"twice", []Vendor{good, good}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Vendors: tt.vendors})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one about %q", err, tt.want)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	vs := Demo(testStart)
	zones := map[string]string{}
	for _, v := range vs {
		zones[v.Name] = v.Timezone
		if v.History < 30*24*time.Hour || v.History > 31*24*time.Hour || v.Tickets < 300 || v.Tickets > 2000 || v.LiveTicketsPerHour <= 0 {
			t.Errorf("%s: %v of history, %d tickets, %v live per hour", v.Name, v.History, v.Tickets, v.LiveTicketsPerHour)
		}
	}
	want := map[string]string{
		"swiftedge": "Asia/Singapore", "deeproute": "Europe/Berlin", "nightless": "America/Los_Angeles",
		"openpipe": "Asia/Tokyo", "edgebuyer": "America/New_York", "feedcast": "Europe/London",
		"chatwire": "America/Sao_Paulo", "slowpost": "Asia/Kolkata", "cloudline": "America/Chicago",
	}
	if !maps.Equal(zones, want) {
		t.Errorf("demo vendors %v, want %v", zones, want)
	}
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 1, Vendors: vs})
	var open, upcoming int
	before := map[string]int{}
	for _, v := range vs {
		truth := s.Truth(v.Name, testStart)
		before[v.Name] = len(truth.Tickets)
		for _, in := range truth.Incidents {
			if in.Resolved.IsZero() {
				open++
			}
		}
		for _, m := range truth.Maintenances {
			if m.ScheduledFor.After(testStart) {
				upcoming++
			}
		}
	}
	if open == 0 || upcoming == 0 {
		t.Errorf("at Start the demo shows %d open incidents and %d upcoming maintenances, want some of each", open, upcoming)
	}
	for _, v := range vs {
		if n := len(s.Truth(v.Name, testStart.Add(10*time.Minute)).Tickets); n <= before[v.Name] {
			t.Errorf("%s: no new ticket within 10 minutes (%d then %d)", v.Name, before[v.Name], n)
		}
	}
}

// TestChatAndMailPersonas: the chat vendor answers a question asked in
// office hours within minutes, and never at night; the mail vendor's
// person answers about a day later (its auto-acknowledgement is no reply:
// it is not in the timeline).
func TestChatAndMailPersonas(t *testing.T) {
	c := newClock(testStart)
	demo := Demo(testStart)
	named := func(name string, p Persona) Vendor {
		i := slices.IndexFunc(demo, func(v Vendor) bool { return v.Name == name })
		if i < 0 || demo[i].Persona.Name != p.Name {
			t.Fatalf("Demo has no %s with persona %s", name, p.Name)
		}
		return demo[i]
	}
	chat, mail := named("chatwire", ChatOfficeHours), named("slowpost", MailNextDay)
	s := startSim(t, c, Options{Seed: 21, Vendors: []Vendor{chat, mail}})
	waits := func(name string, inOffice bool) (out []time.Duration) {
		cal := s.worlds[name].cal
		for _, tk := range s.Truth(name, testStart).Tickets {
			if tk.FirstReply.IsZero() {
				continue
			}
			// Never at night: whenever the question came, the answer
			// comes in office hours.
			if name == chat.Name && !cal.Contains(tk.FirstReply) {
				t.Errorf("%s: ticket %d answered at %s, outside office hours", name, tk.ID, tk.FirstReply)
			}
			if inOffice && !cal.Contains(tk.Created) {
				continue
			}
			out = append(out, tk.FirstReply.Sub(tk.Created))
		}
		slices.Sort(out)
		return out
	}
	chatWaits := waits(chat.Name, true)
	mailWaits := waits(mail.Name, false)
	if len(chatWaits) < 100 || len(mailWaits) < 100 {
		t.Fatalf("%d chatwire and %d slowpost first replies, want 100+ each", len(chatWaits), len(mailWaits))
	}
	if chatWaits[len(chatWaits)/2] > 15*time.Minute || chatWaits[len(chatWaits)/2] < 2*time.Minute {
		t.Errorf("chatwire: %d first replies to office-hours questions, median %v, want 100+ within minutes", len(chatWaits), chatWaits[len(chatWaits)/2])
	}
	if mailWaits[len(mailWaits)/2] < 12*time.Hour || mailWaits[len(mailWaits)/2] > 36*time.Hour {
		t.Errorf("slowpost: %d first replies, median %v, want 100+ about a day after the mail", len(mailWaits), mailWaits[len(mailWaits)/2])
	}
	if !mail.Persona.withDefaults().AutoAcknowledges || chat.Persona.withDefaults().AutoAcknowledges {
		t.Error("only the mail persona auto-acknowledges")
	}
}

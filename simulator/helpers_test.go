package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// testStart is a Tuesday noon UTC.
var testStart = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for the simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// vendor is a small vendor for tests: 30 days, a few hundred tickets.
func vendor(name string, p Persona, tickets int) Vendor {
	return Vendor{
		Name: name, Persona: p, Timezone: "Europe/Berlin", History: 30 * 24 * time.Hour, Tickets: tickets,
		IncidentsPerWeek: 3, MaintenancesPerWeek: 2,
	}
}

// startSim starts a simulation at testStart with the clock c and unlimited
// export requests unless opts says otherwise.
func startSim(t testing.TB, c *clock, opts Options) *Sim {
	t.Helper()
	if opts.Start.IsZero() {
		opts.Start = testStart
	}
	opts.Clock = c.Now
	if opts.ExportRequestsPerMinute == 0 {
		opts.ExportRequestsPerMinute = -1
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// get fetches a path of a vendor's API with the vendor's Zendesk
// credentials.
func get(t testing.TB, s *Sim, vendor, kind, pathAndQuery string) response {
	t.Helper()
	user, pass := s.ZendeskCredentials(vendor)
	return getAs(t, s.URL(vendor, kind)+pathAndQuery, user, pass)
}

// getAs fetches url with basic auth as user, or without auth when user is "-".
func getAs(t testing.TB, url, user, pass string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "-" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

// exportTicket mirrors the fields of a real export's ticket that the tests
// read (see testdata/zendesk_export_page.json).
type exportTicket struct {
	ID                 int64    `json:"id"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Priority           *string  `json:"priority"`
	Status             string   `json:"status"`
	Tags               []string `json:"tags"`
	GeneratedTimestamp int64    `json:"generated_timestamp"`
	SatisfactionRating *struct {
		Score string `json:"score"`
	} `json:"satisfaction_rating"`
}

type exportMetricSet struct {
	TicketID     int64 `json:"ticket_id"`
	Replies      int   `json:"replies"`
	Reopens      int   `json:"reopens"`
	ReplySeconds struct {
		Calendar *int64 `json:"calendar"`
	} `json:"reply_time_in_seconds"`
	ReplyMinutes struct {
		Calendar *int64 `json:"calendar"`
		Business *int64 `json:"business"`
	} `json:"reply_time_in_minutes"`
	FirstResolution struct {
		Calendar *int64 `json:"calendar"`
	} `json:"first_resolution_time_in_minutes"`
	AssigneeUpdatedAt *string `json:"assignee_updated_at"`
}

type exportPage struct {
	Tickets      []exportTicket    `json:"tickets"`
	MetricSets   []exportMetricSet `json:"metric_sets"`
	AfterURL     *string           `json:"after_url"`
	AfterCursor  *string           `json:"after_cursor"`
	BeforeCursor *string           `json:"before_cursor"`
	EndOfStream  *bool             `json:"end_of_stream"`
}

// export follows a whole export from query (a start_time or cursor query)
// and returns its tickets in order, the metric sets by ticket id, the last
// after_cursor and the number of pages.
func export(t testing.TB, s *Sim, vendor, query string) (tickets []exportTicket, metrics map[int64]exportMetricSet, cursor string, pages int) {
	t.Helper()
	user, pass := s.ZendeskCredentials(vendor)
	url := s.URL(vendor, KindZendesk) + exportPath + "?" + query
	metrics = map[int64]exportMetricSet{}
	for pages = 1; ; pages++ {
		r := getAs(t, url, user, pass)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: HTTP %d: %s", pages, r.status, r.body)
		}
		var p exportPage
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if p.EndOfStream == nil || p.AfterCursor == nil || p.AfterURL == nil {
			t.Fatalf("page %d lacks end_of_stream, after_cursor or after_url: %.300s", pages, r.body)
		}
		tickets = append(tickets, p.Tickets...)
		for _, m := range p.MetricSets {
			metrics[m.TicketID] = m
		}
		cursor = *p.AfterCursor
		if *p.EndOfStream {
			return tickets, metrics, cursor, pages
		}
		url = *p.AfterURL
	}
}

package awssupport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// caseFake answers DescribeCases with one case the test sets, and
// DescribeCommunications with the communications it sets.
type caseFake struct {
	mu       sync.Mutex
	status   string
	comms    []string // "at|author", newest first
	recent   int      // how many come with the case
	commReqs []string // DescribeCommunications bodies
	caseReqs []string // DescribeCases bodies
	// noToken: recentCommunications names no nextToken even when the
	// case has more communications than it shows.
	noToken bool
	// repeat: DescribeCommunications answers its list on two pages, the
	// second repeating the first.
	repeat bool
}

func (f *caseFake) render(list []string) string {
	var parts []string
	for _, c := range list {
		at, by, _ := strings.Cut(c, "|")
		parts = append(parts, fmt.Sprintf(`{"caseId":"case-1","body":"…","submittedBy":%q,"timeCreated":%q,"attachmentSet":[]}`, by, at))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (f *caseFake) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDTEST/") {
		rw.WriteHeader(400)
		_, _ = rw.Write([]byte(`{"__type":"MissingAuthenticationTokenException"}`))
		return
	}
	switch r.Header.Get("X-Amz-Target") {
	case targetPrefix + "DescribeCases":
		f.caseReqs = append(f.caseReqs, string(body))
		var in describeCases
		_ = json.Unmarshal(body, &in)
		if len(in.CaseIDList) == 0 && in.AfterTime > "2026-03-01T10:00:00.000Z" {
			_, _ = rw.Write([]byte(`{"cases":[]}`)) // created before the mark
			return
		}
		next := ""
		if len(f.comms) > f.recent && !f.noToken {
			next = `,"nextToken":"more"`
		}
		fmt.Fprintf(rw, `{"cases":[{"caseId":"case-1","displayId":"1","subject":"s","status":%q,"serviceCode":"x","categoryCode":"y",`+
			`"severityCode":"high","submittedBy":"me@buyer.example","timeCreated":"2026-03-01T10:00:00.000Z",`+
			`"recentCommunications":{"communications":%s%s},"ccEmailAddresses":[],"language":"en"}]}`,
			f.status, f.render(f.comms[:min(f.recent, len(f.comms))]), next)
	case targetPrefix + "DescribeCommunications":
		f.commReqs = append(f.commReqs, string(body))
		var in describeCommunications
		_ = json.Unmarshal(body, &in)
		var list []string
		for _, c := range f.comms {
			if at, _, _ := strings.Cut(c, "|"); at > in.AfterTime {
				list = append(list, c)
			}
		}
		next := ""
		if f.repeat && in.NextToken == "" {
			next = `,"nextToken":"again"`
		}
		fmt.Fprintf(rw, `{"communications":%s%s}`, f.render(list), next)
	}
}

// caseSync starts a source reading fake, with its clock at 2026-03-02
// 00:00 UTC, and returns what syncs it once and what writes a ticket's
// events as "kind@15:04 ...".
func caseSync(t *testing.T, fake *caseFake) (sync func() item.Ticket, events func(item.Ticket) string) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	env := collectortest.Env("aws_support", srv.URL, srv.Client())
	env.Config.Options = &Options{Region: "us-east-1", VendorNames: []string{vendorName}, ReopenWindow: 14 * 24 * time.Hour, AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	env.Now = func() time.Time { return now }
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	sync = func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
			t.Fatal(err)
		}
		return st.Tickets()["case-1"]
	}
	events = func(tk item.Ticket) string {
		var s []string
		for _, e := range tk.Events {
			s = append(s, string(e.Kind)+"@"+e.At.Format("15:04"))
		}
		return strings.Join(s, " ")
	}
	return sync, events
}

// TestSyncRulesAndDating plays a case through its life: the description is
// no reply, AWS's communications are the vendor's, a resolve is dated by
// the communication that came with it, a reopen by the buyer's reply, and
// older communications are read only when the five recent ones may miss
// one stored nowhere.
func TestSyncRulesAndDating(t *testing.T) {
	fake := &caseFake{status: "work-in-progress", recent: 5, comms: []string{
		"2026-03-01T12:00:00.000Z|me@buyer.example",
		"2026-03-01T11:00:00.000Z|" + vendorName,
		"2026-03-01T10:00:00.000Z|me@buyer.example",
	}}
	sync, events := caseSync(t, fake)
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }

	tk := sync()
	if got := events(tk); got != "vendor_reply@11:00 customer_reply@12:00" || tk.Status != item.StatusOpen || tk.Priority != "high" {
		t.Errorf("first sync: %s, %s %s", got, tk.Status, tk.Priority)
	}

	// AWS answers and resolves: the solve is dated by its answer.
	fake.comms = append([]string{"2026-03-01T13:00:00.000Z|" + vendorName}, fake.comms...)
	fake.status = "resolved"
	tk = sync()
	if got := events(tk); got != "vendor_reply@11:00 customer_reply@12:00 vendor_reply@13:00 solved@13:00" || tk.Status != item.StatusSolved {
		t.Errorf("resolved: %s, %s", got, tk.Status)
	}

	// The buyer replies, which reopens it, and AWS answers: the reopen is
	// the buyer's reply. Five recent of seven: the oldest recent (11:00)
	// is not newer than the stored latest (13:00), so the case's own
	// five suffice.
	fake.comms = append([]string{"2026-03-01T15:00:00.000Z|" + vendorName, "2026-03-01T14:00:00.000Z|me@buyer.example"}, fake.comms...)
	fake.status = "reopened"
	tk = sync()
	if got := events(tk); got != "vendor_reply@11:00 customer_reply@12:00 vendor_reply@13:00 solved@13:00 customer_reply@14:00 reopened@14:00 vendor_reply@15:00" ||
		tk.Status != item.StatusOpen || len(fake.commReqs) != 0 {
		t.Errorf("reopened: %s, %s, %d DescribeCommunications", got, tk.Status, len(fake.commReqs))
	}

	// Six communications more than the stored latest: the five recent
	// cannot hold them all, so the rest are read after the stored latest.
	for h := 16; h <= 21; h++ {
		fake.comms = append([]string{fmt.Sprintf("2026-03-01T%d:00:00.000Z|%s", h, vendorName)}, fake.comms...)
	}
	tk = sync()
	if len(fake.commReqs) != 1 || !strings.Contains(fake.commReqs[0], `"afterTime":"2026-03-01T15:00:00.000Z"`) {
		t.Errorf("DescribeCommunications: %q", fake.commReqs)
	}
	if n := strings.Count(events(tk), "vendor_reply"); n != 9 || !tk.UpdatedAt.Equal(at("2026-03-01T21:00:00Z")) {
		t.Errorf("after six replies: %s (updated %s)", events(tk), tk.UpdatedAt)
	}
}

// TestSyncReopenedAndResolvedBetweenPolls: a case stored resolved, then
// reopened by the buyer's reply and resolved again before the next poll,
// shows the reopen at the reply and the solve at the latest communication
// after it, or at the poll when there is none.
func TestSyncReopenedAndResolvedBetweenPolls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		comms []string
		want  string
	}{
		{"answered", []string{"2026-03-01T15:00:00.000Z|" + vendorName, "2026-03-01T14:00:00.000Z|me@buyer.example"},
			"vendor_reply@11:00 vendor_reply@13:00 solved@13:00 customer_reply@14:00 reopened@14:00 vendor_reply@15:00 solved@15:00"},
		{"resolved by the buyer", []string{"2026-03-01T14:00:00.000Z|me@buyer.example"},
			"vendor_reply@11:00 vendor_reply@13:00 solved@13:00 customer_reply@14:00 reopened@14:00 solved@00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &caseFake{status: "resolved", recent: 5, comms: []string{
				"2026-03-01T13:00:00.000Z|" + vendorName,
				"2026-03-01T11:00:00.000Z|" + vendorName,
				"2026-03-01T10:00:00.000Z|me@buyer.example",
			}}
			sync, events := caseSync(t, fake)
			if got := events(sync()); got != "vendor_reply@11:00 vendor_reply@13:00 solved@13:00" {
				t.Fatalf("first sync: %s", got)
			}
			fake.comms = append(tc.comms, fake.comms...)
			tk := sync()
			if got := events(tk); got != tc.want || tk.Status != item.StatusSolved {
				t.Errorf("reopened and resolved again: %s, %s;\nwant %s", got, tk.Status, tc.want)
			}
			if again := events(sync()); again != tc.want {
				t.Errorf("the poll after: %s", again)
			}
		})
	}
}

// TestSyncFiveRecentWithoutToken: five recent communications without a
// nextToken are not taken as all there are: the case's communications are
// read.
func TestSyncFiveRecentWithoutToken(t *testing.T) {
	fake := &caseFake{status: "work-in-progress", recent: 5, noToken: true}
	for h := 16; h >= 10; h-- {
		by := "me@buyer.example"
		if h%2 == 1 {
			by = vendorName
		}
		fake.comms = append(fake.comms, fmt.Sprintf("2026-03-01T%d:00:00.000Z|%s", h, by))
	}
	sync, events := caseSync(t, fake)
	tk := sync()
	want := "vendor_reply@11:00 customer_reply@12:00 vendor_reply@13:00 customer_reply@14:00 vendor_reply@15:00 customer_reply@16:00"
	if got := events(tk); got != want || len(fake.commReqs) != 1 {
		t.Errorf("%s, %d DescribeCommunications;\nwant %s, 1", got, len(fake.commReqs), want)
	}
}

// TestSyncCommunicationsRepeated: a communication two pages of one
// DescribeCommunications read repeat is one reply.
func TestSyncCommunicationsRepeated(t *testing.T) {
	fake := &caseFake{status: "work-in-progress", recent: 5, repeat: true}
	for h := 16; h >= 10; h-- {
		fake.comms = append(fake.comms, fmt.Sprintf("2026-03-01T%d:00:00.000Z|%s", h, vendorName))
	}
	sync, events := caseSync(t, fake)
	tk := sync()
	if got := strings.Count(events(tk), "vendor_reply"); got != 7 || len(fake.commReqs) != 2 {
		t.Errorf("%d vendor replies over %d pages, want 7 over 2: %s", got, len(fake.commReqs), events(tk))
	}
}

// TestRequestsNameNoLanguage: DescribeCases never sends language, which
// filters (boto/boto3#4520): cases in Japanese, Chinese or Korean would
// never be read.
func TestRequestsNameNoLanguage(t *testing.T) {
	fake := &caseFake{status: "work-in-progress", recent: 5, comms: []string{"2026-03-01T10:00:00.000Z|me@buyer.example"}}
	sync, _ := caseSync(t, fake)
	sync()
	sync()
	if len(fake.caseReqs) == 0 {
		t.Fatal("no DescribeCases")
	}
	for _, b := range fake.caseReqs {
		if strings.Contains(b, `"language"`) {
			t.Errorf("DescribeCases %s names a language", b)
		}
	}
}

// TestWorstPageUnderTheCap: a DescribeCases page of as many cases as the
// collector asks for, each with five communications of 8,000 CJK
// characters escaped as JSON \uXXXX, fits maxPageBytes.
func TestWorstPageUnderTheCap(t *testing.T) {
	fake := &caseFake{status: "work-in-progress", recent: 5, comms: []string{"2026-03-01T10:00:00.000Z|me@buyer.example"}}
	sync, _ := caseSync(t, fake)
	sync()
	var in describeCases
	if err := json.Unmarshal([]byte(fake.caseReqs[0]), &in); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat(`\u554f`, 8000) // 問
	comm := `{"caseId":"case-123456789012-2026-0123456789abcdef","body":"` + body + `","submittedBy":"someone.with.a.long.address@buyer.example",` +
		`"timeCreated":"2026-03-01T10:00:00.000Z","attachmentSet":[{"attachmentId":"` + strings.Repeat("a", 200) + `","fileName":"` + strings.Repeat("f", 255) + `"}]}`
	one := `{"caseId":"case-123456789012-2026-0123456789abcdef","displayId":"1234567890","subject":"` + strings.Repeat(`\u554f`, 500) +
		`","status":"work-in-progress","serviceCode":"amazon-elastic-compute-cloud-linux","categoryCode":"other","severityCode":"urgent",` +
		`"submittedBy":"someone@buyer.example","timeCreated":"2026-03-01T10:00:00.000Z","recentCommunications":{"communications":[` +
		strings.Repeat(comm+",", 4) + comm + `],"nextToken":"` + strings.Repeat("t", 500) + `"},"ccEmailAddresses":[],"language":"ja"}`
	page := `{"cases":[` + strings.Repeat(one+",", in.MaxResults-1) + one + `],"nextToken":"` + strings.Repeat("t", 500) + `"}`
	if !json.Valid([]byte(page)) {
		t.Fatal("the page is no JSON")
	}
	if in.MaxResults < 10 || in.MaxResults > 100 || len(page) > maxPageBytes {
		t.Errorf("maxResults %d: a worst page is %d bytes, the cap %d", in.MaxResults, len(page), maxPageBytes)
	}
}

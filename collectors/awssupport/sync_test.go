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
		var in describeCases
		_ = json.Unmarshal(body, &in)
		if len(in.CaseIDList) == 0 && in.AfterTime > "2026-03-01T10:00:00.000Z" {
			_, _ = rw.Write([]byte(`{"cases":[]}`)) // created before the mark
			return
		}
		next := ""
		if len(f.comms) > f.recent {
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
		fmt.Fprintf(rw, `{"communications":%s}`, f.render(list))
	}
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
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	env := collectortest.Env("aws_support", srv.URL, srv.Client())
	env.Config.Options = &Options{Region: "us-east-1", VendorNames: []string{vendorName}, ReopenWindow: 14 * 24 * time.Hour, AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	env.Now = func() time.Time { return now }
	st := collectortest.NewStore()
	env.Stored = st.Stored
	src := collectortest.NewSource(t, New, env)
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	sync := func() item.Ticket {
		t.Helper()
		if err := src.Sync(context.Background(), st.Cursor(), st.Emit); err != nil {
			t.Fatal(err)
		}
		return st.Tickets()["case-1"]
	}
	events := func(tk item.Ticket) string {
		var s []string
		for _, e := range tk.Events {
			s = append(s, string(e.Kind)+"@"+e.At.Format("15:04"))
		}
		return strings.Join(s, " ")
	}

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

package gcpsupport

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestDecodeSearchPage reads the documented cases.search answer
// (testdata/README.md) as the collector does.
func TestDecodeSearchPage(t *testing.T) {
	var p searchPage
	if err := json.Unmarshal(collectortest.Testdata(t, "search_cases.json"), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Cases) != 2 || p.NextPageToken != "CgwIyL2jswYQwMDaoQIQ0Mq4FA" {
		t.Fatalf("got %d cases, next %q", len(p.Cases), p.NextPageToken)
	}
	want := []struct {
		number, state, priority string
		status                  item.Status
		escalated               bool
		created, updated        time.Time
	}{
		{"43595344", "SOLUTION_PROVIDED", "P1", item.StatusSolved, true,
			time.Date(2024, 6, 3, 16, 51, 48, 702e6, time.UTC), time.Date(2024, 6, 4, 9, 12, 5, 113e6, time.UTC)},
		{"43112854", "ACTION_REQUIRED", "P2", item.StatusPending, false,
			time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC), time.Date(2024, 6, 2, 10, 30, 0, 0, time.UTC)},
	}
	for i, w := range want {
		c := p.Cases[i]
		num, err := c.number()
		if err != nil || num != w.number {
			t.Errorf("case %d: number %q (%v), want %q", i, num, err, w.number)
		}
		created, err1 := parseTime("createTime", c.CreateTime)
		updated, err2 := parseTime("updateTime", c.UpdateTime)
		if err1 != nil || err2 != nil || !created.Equal(w.created) || !updated.Equal(w.updated) {
			t.Errorf("case %d: created %v updated %v (%v, %v), want %v and %v", i, created, updated, err1, err2, w.created, w.updated)
		}
		if c.State != w.state || status(c.State) != w.status || c.Priority != w.priority || c.Escalated != w.escalated || c.Creator.GoogleSupport {
			t.Errorf("case %d: %+v, want state %s (%s), priority %s, escalated %v, not Google's", i, c, w.state, w.status, w.priority, w.escalated)
		}
	}
}

// TestDecodeComments reads the documented comments.list answer: Google
// Support's comments are told by creator.googleSupport alone.
func TestDecodeComments(t *testing.T) {
	var p commentsPage
	if err := json.Unmarshal(collectortest.Testdata(t, "comments.json"), &p); err != nil {
		t.Fatal(err)
	}
	google := []bool{true, false, true}
	if len(p.Comments) != len(google) || p.NextPageToken != "" {
		t.Fatalf("got %d comments, next %q", len(p.Comments), p.NextPageToken)
	}
	for i, c := range p.Comments {
		if c.Creator.GoogleSupport != google[i] {
			t.Errorf("comment %d (%s): googleSupport %v, want %v", i, c.Name, c.Creator.GoogleSupport, google[i])
		}
	}
}

func TestStatusOfEveryState(t *testing.T) {
	for state, want := range map[string]item.Status{
		"NEW": item.StatusNew, "IN_PROGRESS_GOOGLE_SUPPORT": item.StatusOpen, "ACTION_REQUIRED": item.StatusPending,
		"SOLUTION_PROVIDED": item.StatusSolved, "CLOSED": item.StatusClosed, "STATE_UNSPECIFIED": item.StatusOpen,
		"A_STATE_ADDED_LATER": item.StatusOpen,
	} {
		if got := status(state); got != want {
			t.Errorf("%s: %s, want %s", state, got, want)
		}
	}
}

func TestCaseNumber(t *testing.T) {
	for name, want := range map[string]string{
		"projects/some-project/cases/43595344": "43595344",
		"projects/123456789/cases/43595344":    "43595344", // the same case, named by the project's number
		"organizations/123/cases/456":          "456",
		"projects/p/cases/":                    "",
		"projects/p/cases/1/comments/2":        "",
		"projects/p":                           "",
	} {
		c := gcpCase{Name: name}
		got, err := c.number()
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: %q (%v), want %q", name, got, err, want)
		}
	}
}

// TestPriority: Google's P0..P4 pass as written, the vendor's own values;
// PRIORITY_UNSPECIFIED is no priority, not an unknown one.
func TestPriority(t *testing.T) {
	for in, want := range map[string]string{"P0": "P0", "P1": "P1", "P4": "P4", "PRIORITY_UNSPECIFIED": "", "": ""} {
		if got := priority(in); got != want {
			t.Errorf("priority(%q) = %q, want %q", in, got, want)
		}
	}
}

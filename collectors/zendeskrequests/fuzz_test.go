package zendeskrequests

import (
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func FuzzDecodeRequests(f *testing.F) {
	f.Add(listBody(f, docRequest(f)))
	f.Add(collectortest.Testdata(f, "docs_list_requests.json"))
	f.Add([]byte(`{"requests":[],"meta":{"has_more":true,"after_cursor":"eHh4"}}`))
	f.Add([]byte(`{"requests":null,"meta":null}`))
	valid := map[string]bool{}
	for _, s := range requestStatuses {
		valid[string(s)] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, _, err := decodeRequests(body)
		if err != nil {
			return
		}
		for _, r := range reqs {
			if !valid[string(r.status)] {
				t.Errorf("accepted request %+v with an unknown status", r)
			}
		}
	})
}

func FuzzDecodeComments(f *testing.F) {
	f.Add(collectortest.Marshal(f, map[string]any{"comments": []any{docComment(f)}, "meta": map[string]any{"has_more": false}}))
	f.Add([]byte(`{"comments":[{"id":1,"author_id":2,"public":false,"created_at":"2025-01-01T00:00:00Z"}],"meta":{"has_more":true,"after_cursor":"x"}}`))
	f.Add([]byte(`{"comments":[{"body":"Thanks for your help","id":43}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		comments, _, err := decodeComments(body)
		if err != nil {
			return
		}
		// Whatever decodes maps to a timeline without panicking.
		events := (&collector{}).timeline(1, comments)
		if len(events) >= len(comments) && len(comments) > 0 {
			t.Errorf("%d events from %d comments: the description is no reply", len(events), len(comments))
		}
	})
}

// FuzzParseCursor: a stored cursor is ours, but a damaged one must neither
// panic nor encode into something unreadable.
func FuzzParseCursor(f *testing.F) {
	good, err := (cursor{Since: created, SinceIDs: []int64{4}, Walk: &walk{After: "a", Cap: created.Add(hour)}}).encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"since":"2025-03-03T13:00:00Z","since_ids":[4]}`))
	f.Add([]byte(`{"walk":{"after":"","cap":"0001-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := parseCursor(raw)
		if err != nil {
			return
		}
		re, err := c.encode()
		if err != nil {
			return
		}
		if _, err := parseCursor(re); err != nil {
			t.Errorf("cursor %s re-encoded as unreadable %s: %v", raw, re, err)
		}
	})
}

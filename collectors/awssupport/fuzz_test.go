package awssupport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode: any answer decodes or fails without a panic, and an error
// body never reaches the error's text.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"cli_describe_cases.json", "cli_describe_communications.json", "describe_cases_paged.json", "throttling.json", "subscription_required.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p casesPage
		if json.Unmarshal(b, &p) == nil {
			for _, c := range p.Cases {
				_, _ = parseTime(c.TimeCreated)
				_, _ = oldestOf(c.RecentCommunications.Communications)
			}
		}
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		// The type is kept (an identifier, checked); the message never.
		if _, err := refused(400, b); err != nil && len(e.Message) > 8 && !strings.Contains(e.Type, e.Message) && strings.Contains(err.Error(), e.Message) {
			t.Errorf("the error %q repeats the body's message", err)
		}
	})
}

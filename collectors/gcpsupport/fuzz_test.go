package gcpsupport

import (
	"encoding/json"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// FuzzDecode: whatever a search or comments page holds, reading it never
// panics, and a case whose number or times do not parse is refused.
func FuzzDecode(f *testing.F) {
	for _, seed := range collectortest.Seeds(f, "*.json") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p searchPage
		if json.Unmarshal(data, &p) == nil {
			for i := range p.Cases {
				c := &p.Cases[i]
				num, err := c.number()
				if err == nil && num == "" {
					t.Errorf("case %q: an empty number without an error", c.Name)
				}
				_, _ = parseTime("createTime", c.CreateTime)
				_ = status(c.State)
			}
		}
		var cp commentsPage
		_ = json.Unmarshal(data, &cp)
	})
}

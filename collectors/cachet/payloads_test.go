package cachet

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// template returns the first item of a testdata list: the shape the
// canned items copy, so that they are the real API's.
func template(t *testing.T, file string) map[string]any {
	t.Helper()
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(collectortest.Testdata(t, file), &doc); err != nil || len(doc.Data) == 0 {
		t.Fatalf("%s: %v", file, err)
	}
	return doc.Data[0]
}

// withFields copies tmpl with fields replaced, whole JSON numbers as ints.
func withFields(tmpl map[string]any, fields map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range tmpl {
		if n, ok := v.(float64); ok && n == math.Trunc(n) {
			v = int(n)
		}
		out[k] = v
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// stamp is the zone-less time of the n-th minute after 2024-03-01 00:00.
func stamp(n int) string {
	return fmt.Sprintf("2024-03-%02d %02d:%02d:00", 1+n/1440, n/60%24, n%60)
}

func intParam(q url.Values, key string, def int) int {
	if n, err := strconv.Atoi(q.Get(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// incidents are n incidents shaped like the testdata list, ids n down to
// 1 (newest first, as the collector asks), one minute apart, each with one
// update ten minutes later.
func incidents(t *testing.T, n int) []map[string]any {
	inc := template(t, "cachet_incidents_list.json")
	var out []map[string]any
	for i := n; i >= 1; i-- {
		out = append(out, withFields(inc, map[string]any{
			"id": i, "component_id": 1, "status": 1, "visible": 1,
			"occurred_at": stamp(i - 1), "created_at": stamp(i), "updated_at": stamp(i + 10),
			"updates": []map[string]any{{"id": i, "incident_id": i, "status": 4, "created_at": stamp(i + 10)}},
		}))
	}
	return out
}

// listPage is page `page` of items, perPage a page, as Cachet writes its
// lists; numbers as text when asText, as Cachet before 2.0 wrote them.
func listPage(t *testing.T, items []map[string]any, page int, asText bool) string {
	t.Helper()
	last := max(1, (len(items)+perPage-1)/perPage)
	from, to := min((page-1)*perPage, len(items)), min(page*perPage, len(items))
	number := func(n int) any {
		if asText {
			return strconv.Itoa(n)
		}
		return n
	}
	data := items[from:to]
	if data == nil {
		data = []map[string]any{}
	}
	return string(collectortest.Marshal(t, map[string]any{
		"meta": map[string]any{"pagination": map[string]any{
			"total": number(len(items)), "count": number(to - from), "per_page": number(perPage),
			"current_page": number(page), "total_pages": number(last),
			"links": map[string]any{"next_page": nil, "previous_page": nil},
		}},
		"data": data,
	}))
}

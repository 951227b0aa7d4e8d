package simulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// readJSON reads a real payload from testdata (see testdata/SOURCES.md).
func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// sameKeys checks that got has every key of the real object, nulls
// included, and no key the real one lacks but those in extra; nested
// objects (and the first objects of arrays) are compared likewise where
// both sides have them.
func sameKeys(t *testing.T, what string, got, real map[string]any, extra []string) {
	t.Helper()
	for k, rv := range real {
		gv, ok := got[k]
		if !ok {
			t.Errorf("%s: no %q, which the real API sends", what, k)
			continue
		}
		switch rv := rv.(type) {
		case map[string]any:
			if gv, ok := gv.(map[string]any); ok {
				sameKeys(t, what+"."+k, gv, rv, extra)
			}
		case []any:
			if gv, ok := gv.([]any); ok && len(gv) > 0 && len(rv) > 0 {
				rm, rok := rv[0].(map[string]any)
				gm, gok := gv[0].(map[string]any)
				if rok && gok {
					sameKeys(t, what+"."+k+"[]", gm, rm, extra)
				}
			}
		}
	}
	for k := range got {
		if _, ok := real[k]; !ok && !slices.Contains(extra, k) {
			t.Errorf("%s: %q, which the real API does not send", what, k)
		}
	}
}

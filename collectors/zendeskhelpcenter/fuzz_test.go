package zendeskhelpcenter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzArticlesPage: any body decodes without panicking, as GetJSON
// decodes a page. Seeds: the recorded payloads.
func FuzzArticlesPage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"articles":[{"html_url":"https://h/a","edited_at":null,"outdated_locales":["de"]}],"meta":{"has_more":false}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var p articlesPage
		if json.Unmarshal(body, &p) != nil || p.Articles == nil {
			return
		}
		for _, a := range *p.Articles {
			_ = len(a.OutdatedLocales)
		}
	})
}

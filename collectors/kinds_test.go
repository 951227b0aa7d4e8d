package collectors_test

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/collectors"
	"github.com/support-exporter/support_exporter/exporter/config"
)

var update = flag.Bool("update", false, "rewrite docs/sources.md's table of kinds from collectors.Kinds")

// sourcesDoc is the page every kind is documented on.
const sourcesDoc = "../docs/sources.md"

// The generated table sits between these lines of docs/sources.md.
const (
	tableBegin = "<!-- BEGIN kinds: generated from collectors.Kinds by `go test ./collectors -update` -->"
	tableEnd   = "<!-- END kinds -->"
)

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// commonKeys are the keys every source has (config.Source's): no kind may
// declare one as its own.
func commonKeys() map[string]bool {
	keys := map[string]bool{}
	typ := reflect.TypeFor[config.Source]()
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

// TestEveryKindIsWhole fails when a registered kind lacks any part of its
// declaration: what it feeds, its docs, its credentials, its constructor,
// documented keys whose defaults pass their own checks, and its section
// in docs/sources.md.
func TestEveryKindIsWhole(t *testing.T) {
	doc, err := os.ReadFile(sourcesDoc)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, k := range collectors.Kinds {
		t.Run(k.Name, func(t *testing.T) {
			if !kindName.MatchString(k.Name) {
				t.Errorf("name %q: want lower-case letters, digits and _", k.Name)
			}
			if seen[k.Name] {
				t.Errorf("declared twice")
			}
			seen[k.Name] = true
			if k.Feeds.List() == "" {
				t.Errorf("Feeds %d is no feed", k.Feeds)
			}
			if k.Title == "" || k.URLExample == "" || k.Credentials.Doc == "" {
				t.Errorf("Title %q, URLExample %q, Credentials.Doc %q: every one is needed for the docs", k.Title, k.URLExample, k.Credentials.Doc)
			}
			if k.Credentials.Required && len(k.Credentials.Accepts) == 0 {
				t.Errorf("credentials required but no way to carry them accepted")
			}
			if k.DefaultURL != "" {
				if u, err := url.Parse(k.DefaultURL); err != nil || u.Scheme != "https" || u.Host == "" {
					t.Errorf("DefaultURL %q is no https URL", k.DefaultURL)
				}
			}
			if k.PriorityInTags && k.Feeds != config.FeedsTickets {
				t.Errorf("PriorityInTags on a kind that feeds no tickets")
			}
			if k.New == nil {
				t.Fatalf("no constructor")
			}
			checkOptions(t, &k.Kind)
			if heading := "### `" + k.Name + "` — " + k.Title + "\n"; !strings.Contains(string(doc), heading) {
				t.Errorf("%s has no section %q", sourcesDoc, heading)
			}
		})
	}
}

// checkOptions checks a kind's own keys: a pointer to a struct, every key
// documented and none a common key, and defaults that pass the kind's
// checks, but for the keys it documents as required.
func checkOptions(t *testing.T, k *config.Kind) {
	t.Helper()
	if k.Options == nil {
		return
	}
	opts := k.Options()
	if v := reflect.ValueOf(opts); v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		t.Fatalf("Options() = %T, want a non-nil pointer to a struct", opts)
	}
	if reflect.ValueOf(opts).Pointer() == reflect.ValueOf(k.Options()).Pointer() {
		t.Errorf("Options() returns the same value twice: sources would share their keys")
	}
	typ := reflect.TypeOf(opts).Elem()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() && f.Tag.Get("yaml") == "" {
			t.Errorf("field %s has no yaml tag: its key would be refused as unknown", f.Name)
		}
	}
	keys := k.Keys()
	if len(keys) == 0 {
		t.Errorf("Options() has no yaml keys; leave Options nil instead")
	}
	common := commonKeys()
	if !common["poll_interval"] {
		t.Fatalf("config.Source's keys %v lack poll_interval", common)
	}
	for _, key := range keys {
		if key.Doc == "" {
			t.Errorf("key %s has no doc tag", key.Name)
		}
		if common[key.Name] {
			t.Errorf("key %s is a key of every source", key.Name)
		}
	}
	opts.Check(func(key, format string, args ...any) {
		for _, k := range keys {
			if k.Name == key && strings.Contains(k.Doc, "(required)") {
				return
			}
		}
		t.Errorf("the defaults fail their own check: %s: %s", key, fmt.Sprintf(format, args...))
	})
}

// TestSourcesDocTable keeps docs/sources.md's table of kinds what the
// declarations say (-update rewrites it).
func TestSourcesDocTable(t *testing.T) {
	doc, err := os.ReadFile(sourcesDoc)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(doc), tableBegin+"\n")
	_, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok || !ok2 {
		t.Fatalf("%s lacks the lines %q and %q around the table of kinds", sourcesDoc, tableBegin, tableEnd)
	}
	want := before + tableBegin + "\n" + kindsTable(collectors.Kinds.Config()) + tableEnd + after
	if *update {
		if err := os.WriteFile(sourcesDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("%s's table of kinds is not what collectors.Kinds declares: run go test ./collectors -update and commit the docs", sourcesDoc)
	}
}

// kindsTable is the Markdown table of kinds.
func kindsTable(kinds config.Kinds) string {
	var b strings.Builder
	b.WriteString("| kind | under | `url` | credentials | own keys |\n|---|---|---|---|---|\n")
	for _, k := range kinds {
		u := "`" + k.URLExample + "`"
		if k.DefaultURL != "" {
			u += " (default)"
		}
		creds := k.Credentials.Doc
		if len(k.Credentials.Accepts) > 0 {
			var ways []string
			for _, a := range k.Credentials.Accepts {
				way := a.String()
				if a == config.AuthHeader {
					way += " `" + k.Credentials.Header + "`"
				}
				ways = append(ways, way)
			}
			need := "optional"
			if k.Credentials.Required {
				need = "required"
			}
			creds = fmt.Sprintf("%s, in `http_client`: %s. %s", need, strings.Join(ways, "; "), creds)
		}
		var keys []string
		for _, key := range k.Keys() {
			s := "`" + key.Name + "`"
			if key.Default != "" {
				s += " (default `" + key.Default + "`)"
			}
			// A pipe ends a table cell, even in a code span (a default
			// regexp's alternation): GitHub's tables take it escaped.
			keys = append(keys, strings.ReplaceAll(s+": "+key.Doc, "|", `\|`))
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | `%s` | %s | %s | %s |\n", k.Name, anchor(k), k.Feeds.List(), u, creds, strings.Join(keys, "<br>"))
	}
	return b.String()
}

// anchor is the GitHub anchor of the kind's section "### `name` — Title".
func anchor(k config.Kind) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k.Name + " — " + k.Title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// TestComponentsWhileOngoingAtLoad: the incidentio kind declares that it
// names components only while an incident is ongoing, and a source of it
// carries that from the load (quality keeps the last named at resolution);
// a statuspage source does not.
func TestComponentsWhileOngoingAtLoad(t *testing.T) {
	const yaml = `vendors:
  - name: acme
    status_pages:
      - {name: io, kind: incidentio, url: https://status.example.com}
      - {name: sp, kind: statuspage, url: https://status.example.org}
`
	cfg, err := config.Parse([]byte(yaml), "<test>", collectors.Kinds.Config())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range cfg.Vendors[0].StatusPages {
		got[s.Name] = s.ComponentsWhileOngoing
	}
	if !got["io"] || got["sp"] {
		t.Errorf("ComponentsWhileOngoing %v, want io only", got)
	}
}

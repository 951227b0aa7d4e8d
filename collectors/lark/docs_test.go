package lark

import (
	"os"
	"strings"
	"testing"
)

// larkDoc is docs/sources.md's section of the kind.
func larkDoc(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/sources.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(raw), "### `lark`")
	if !ok {
		t.Fatal("docs/sources.md has no lark section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec
}

// TestScopes: Lark wants a read scope and, to read every message of a
// group, im:message.group_msg in addition: the hints and the docs ask
// for both, and for no scope the collector never uses.
func TestScopes(t *testing.T) {
	for _, code := range []int{codeScopeMissing, codeNoPermission} {
		h := hints[code]
		if !strings.Contains(h, "im:message:readonly") || !strings.Contains(h, "im:message.group_msg") || strings.Contains(h, "(or") {
			t.Errorf("hint of %d %q: want both scopes", code, h)
		}
	}
	doc := larkDoc(t)
	if strings.Contains(doc, "im:chat:readonly") {
		t.Error("docs/sources.md asks for im:chat:readonly, which the collector never uses")
	}
	for _, scope := range []string{"`im:message:readonly`", "`im:message.group_msg`"} {
		if !strings.Contains(doc, scope) {
			t.Errorf("docs/sources.md does not ask for %s", scope)
		}
	}
}

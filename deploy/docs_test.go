package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestInstallDoc: every relative link of docs/install.md leads to a file
// or directory of the repository, and it covers each way to install.
func TestInstallDoc(t *testing.T) {
	doc := readFile(t, "docs/install.md")
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`).FindAllStringSubmatch(doc, -1) {
		link := m[1]
		if strings.Contains(link, "://") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "docs", filepath.FromSlash(link))); err != nil {
			t.Errorf("docs/install.md links to %s: %v", link, err)
		}
	}
	for _, want := range []string{"make release", "sha256sums.txt", "make docker", "support_exporter.service",
		"support_exporter.socket", "--web.systemd-socket", "deploy/helm/support-exporter", `job="` + chartJob + `"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/install.md does not mention %s", want)
		}
	}
}

package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotice: every Go module linked into a release binary (any of its
// platforms) that carries a NOTICE file is named in NOTICE, as the Apache
// License asks of a redistribution (section 4(d)).
func TestNotice(t *testing.T) {
	notice := readFile(t, "NOTICE")
	if !strings.Contains(notice, "Copyright 2026 The support_exporter Authors") {
		t.Error("NOTICE does not name the project's copyright")
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}\t{{.Dir}}{{end}}", "./cmd/support_exporter")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list (%s): %v", goos, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			path, dir, _ := strings.Cut(line, "\t")
			if dir == "" || path == "github.com/support-exporter/support_exporter" {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(dir, "NOTICE*"))
			if len(files) > 0 && !strings.Contains(notice, "\n"+path+"\n") {
				t.Errorf("%s (%s) has %s; NOTICE does not carry it", path, goos, filepath.Base(files[0]))
			}
		}
	}
}

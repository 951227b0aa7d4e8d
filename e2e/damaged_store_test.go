package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedStore: a store damaged while the exporter was stopped (every
// fifth page zeroed, or the file cut in half) makes the exporter exit with
// code 3 and one line naming the file and the way out, never a panic
// trace; --storage.check says sound (0) of the store before, damaged (1)
// after.
func TestDamagedStore(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 2000})
	dataDir := t.TempDir()
	w.runUntilSynced(t, dataDir)
	file := filepath.Join(dataDir, "support_exporter.db")

	out, err := exec.Command(binary, "--storage.check", "--storage.path="+dataDir).CombinedOutput()
	if code := exitCode(err); code != 0 {
		t.Fatalf("--storage.check of the sound store: exit %d, want 0\n%s", code, out)
	}
	if !strings.Contains(string(out), "2000") {
		t.Errorf("--storage.check does not report the 2000 tickets stored:\n%s", out)
	}
	sound, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	damages := map[string]func([]byte) []byte{
		"every fifth page zeroed": func(b []byte) []byte {
			b = append([]byte(nil), b...)
			for p := 2; (p+1)*page <= len(b); p += 5 {
				clear(b[p*page : (p+1)*page])
			}
			return b
		},
		"cut in half": func(b []byte) []byte { return b[:len(b)/2] },
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(file, damage(sound), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(binary, "--storage.check", "--storage.path="+dataDir).CombinedOutput()
			if code := exitCode(err); code != 1 {
				t.Errorf("--storage.check: exit %d, want 1\n%s", code, out)
			}
			if strings.Contains(string(out), "goroutine ") {
				t.Errorf("--storage.check printed a panic trace:\n%s", out)
			}

			cmd := exec.Command(binary, append(w.args(dataDir), "--web.listen-address="+freeAddr(t))...)
			logs := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = logs, logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the exporter on a damaged store still runs after 30 s:\n%s", tail(logs.String(), 20))
			}
			if code := exitCode(err); code != 3 {
				t.Errorf("exit %d, want 3\n%s", code, tail(logs.String(), 20))
			}
			log := logs.String()
			if strings.Contains(log, "goroutine ") || strings.Contains(log, "panic:") {
				t.Errorf("the exporter printed a panic trace:\n%s", log)
			}
			var line string
			for _, l := range strings.Split(log, "\n") {
				if strings.Contains(l, "damaged") {
					line = l
				}
			}
			for _, want := range []string{file, "move the file aside", "resync", "alerts"} {
				if !strings.Contains(line, want) {
					t.Errorf("the damage message does not say %q: %s", want, line)
				}
			}
		})
	}
}

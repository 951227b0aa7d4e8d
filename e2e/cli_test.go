package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestConfigCheck(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 10})
	out, err := exec.Command(binary, "--config.check", "--config.file="+w.cfgPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK (1 vendors, 2 sources)") {
		t.Fatalf("good config: err=%v out=%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("global:\n  poll_intervall: 5m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binary, "--config.check", "--config.file="+bad).CombinedOutput()
	if code := exitCode(err); code != 1 {
		t.Fatalf("bad config: exit %d, want 1 (%s)", code, out)
	}
	if !strings.Contains(string(out), bad+":2:") || !strings.Contains(string(out), "poll_intervall") {
		t.Fatalf("bad config: message does not name file, line and key: %s", out)
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestReload: a bad config on SIGHUP or POST /-/reload keeps the running
// one and reports it; a good one is applied.
func TestReload(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 100})
	p := start(t, nil, w.args(t.TempDir())...)
	good, err := os.ReadFile(w.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	reloadOK := func() float64 {
		s, _ := p.scrape()
		v, _ := s.get("support_exporter_config_last_reload_successful")
		return v
	}
	if reloadOK() != 1 {
		t.Fatal("reload status not 1 at start")
	}
	if err := os.WriteFile(w.cfgPath, []byte("vendors: [{name: x, tickets: [{name: y, kind: nope}]}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "failed reload reported", func() bool { return reloadOK() == 0 })
	s, _ := p.scrape()
	if _, ok := s.get("support_source_up", "vendor", w.vendor, "source", "helpdesk", "kind", "zendesk"); !ok {
		t.Fatal("the old configuration's sources vanished after a failed reload")
	}
	resp, err := http.Post("http://"+p.addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("POST /-/reload with a bad config: %d, want 500", resp.StatusCode)
	}
	if code, _ := p.get("/-/reload"); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /-/reload: %d, want 405", code)
	}
	if err := os.WriteFile(w.cfgPath, good, 0o600); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post("http://"+p.addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || reloadOK() != 1 {
		t.Fatalf("POST /-/reload with the good config: %d, reload status %v", resp.StatusCode, reloadOK())
	}
}

func TestVersionAndBuildInfo(t *testing.T) {
	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "support_exporter, version") {
		t.Fatalf("--version: err=%v out=%s", err, out)
	}
	w := newWorld(t, worldOptions{tickets: 10})
	p := start(t, nil, w.args(t.TempDir())...)
	s, _ := p.scrape()
	if s.sum("support_exporter_build_info") != 1 {
		t.Fatal("support_exporter_build_info is not 1")
	}
}

// TestGoKitLogStyle: --log.style=go-kit keeps go-kit/log's key names for
// log pipelines that parse them.
func TestGoKitLogStyle(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 10})
	logs := &syncBuffer{}
	p := start(t, logs, append(w.args(t.TempDir()), "--log.style=go-kit")...)
	p.term()
	first := strings.SplitN(logs.String(), "\n", 2)[0]
	if !strings.HasPrefix(first, "ts=") || !strings.Contains(first, " caller=") || !strings.Contains(first, " level=info") {
		t.Fatalf("not go-kit style: %q", first)
	}
}

// TestWebConfigBasicAuth: --web.config.file protects every endpoint.
func TestWebConfigBasicAuth(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(webCfg, []byte("basic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, worldOptions{tickets: 10})
	p := startNoWait(t, nil, append(w.args(t.TempDir()), "--web.config.file="+webCfg)...)
	waitFor(t, 30*time.Second, "listener", func() bool { code, _ := p.get("/metrics"); return code != 0 })
	if code, _ := p.get("/metrics"); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without credentials: %d, want 401", code)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+p.addr+"/metrics", nil)
	req.SetBasicAuth("prometheus", "scrape-pass")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics with credentials: %d", resp.StatusCode)
	}
}

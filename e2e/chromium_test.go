package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromiumPath is headless Chromium (Debian's `chromium`, which .ci/run
// installs). Under CI (CI=true) a missing Chromium fails the test; on a
// developer's machine without one the test is skipped, saying so.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "chromium not found: install Debian's `chromium` package (bash .ci/run does)"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal(msg + "; under CI this test never skips")
	}
	t.Skip(msg + "; skipped because CI is not set")
	return ""
}

// chromiumPage is what one headless Chromium run made of a page.
type chromiumPage struct {
	// Console holds every message the page wrote to the console: script
	// errors, Content-Security-Policy violations, console.* calls.
	Console []string
	// Requests are the URLs the page itself asked for, other than its own
	// (Chromium's NetLog, by initiator: the browser's own background
	// requests have none and are left out). Nothing leaves the machine:
	// every name but 127.0.0.1 resolves to nothing.
	Requests []string
	PNG, PDF string // the screenshot and the printout
	Took     time.Duration
}

// renderInChromium loads page in headless Chromium with a window of w×h
// CSS pixels, and writes a screenshot of the window and an A4 printout.
func renderInChromium(t *testing.T, bin, page string, w, h int) chromiumPage {
	t.Helper()
	dir := t.TempDir()
	out := chromiumPage{PNG: filepath.Join(dir, "page.png"), PDF: filepath.Join(dir, "page.pdf")}
	netlog := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--no-first-run", "--disable-extensions",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
		"--log-net-log="+netlog,
		"--enable-logging=stderr", "--v=0",
		fmt.Sprintf("--window-size=%d,%d", w, h),
		"--screenshot="+out.PNG, "--print-to-pdf="+out.PDF, "--no-pdf-header-footer",
		page)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	// The launcher is a shell script: end the whole group on a timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	started := time.Now()
	log, err := cmd.CombinedOutput()
	out.Took = time.Since(started)
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", page, err, tail(string(log), 30))
	}
	for _, m := range consoleRe.FindAllStringSubmatch(string(log), -1) {
		out.Console = append(out.Console, m[1])
	}
	out.Requests = pageRequests(t, netlog, page)
	return out
}

// consoleRe finds the page's console messages in Chromium's log
// (--enable-logging=stderr --v=0): `[...:INFO:CONSOLE:12] "text", source: URL (12)`.
var consoleRe = regexp.MustCompile(`(?m):CONSOLE(?::\d+|\(\d+\))\] (.*)$`)

// pageRequests reads the URL requests of a NetLog (--log-net-log) that a
// page initiated (its initiator is an origin, "null" for a file), other
// than the page itself.
func pageRequests(t *testing.T, path, page string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("chromium's NetLog: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("chromium's NetLog %s: %v", path, err)
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("chromium's NetLog has no URL_REQUEST_START_JOB events: its format changed")
	}
	var out []string
	seen := false
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		switch {
		case e.Params.URL == page:
			seen = true
		case e.Params.Initiator != "" && e.Params.Initiator != "not an origin":
			out = append(out, e.Params.URL+" (from "+e.Params.Initiator+")")
		}
	}
	// A file is read outside the network stack; a page over HTTP must
	// show, or the log would be of nothing.
	if !seen && !strings.HasPrefix(page, "file:") {
		t.Fatalf("chromium's NetLog does not show the page %s itself being loaded: the check of its requests would see nothing", page)
	}
	return out
}

// checkPNG checks a screenshot: a PNG that decodes at w×h.
func checkPNG(t *testing.T, path string, w, h int) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG: %q", path, b[:min(len(b), 8)])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Fatalf("%s is %v, want %dx%d (the window)", path, got, w, h)
	}
	return int64(len(b))
}

// checkPDF checks a printout: a PDF with at least one page; it returns
// its size and page count.
func checkPDF(t *testing.T, path string) (size int64, pages int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
		t.Fatalf("%s is not a complete PDF (%d bytes)", path, len(b))
	}
	// Chromium (Skia) writes page objects uncompressed: count them.
	pages = len(pdfPageRe.FindAll(b, -1))
	if pages < 1 {
		t.Fatalf("%s has no page", path)
	}
	return int64(len(b)), pages
}

var pdfPageRe = regexp.MustCompile(`/Type\s*/Page\b`)

// TestChromiumHarness: the checks see what they look for. A page with an
// external image and console output shows both, so that a report showing
// neither is evidence.
func TestReportChromiumHarness(t *testing.T) {
	bin := chromiumPath(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head><body><p>bad</p>
<img src="http://example.com/pixel.png" alt=""><script>console.error("boom")</script></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o600); err != nil {
		t.Fatal(err)
	}
	got := renderInChromium(t, bin, "file://"+page, 400, 300)
	if len(got.Console) != 1 || !strings.Contains(got.Console[0], `"boom"`) {
		t.Errorf("console: %q, want the page's one message", got.Console)
	}
	if len(got.Requests) != 1 || !strings.HasPrefix(got.Requests[0], "http://example.com/pixel.png") {
		t.Errorf("requests: %q, want the external image", got.Requests)
	}
	checkPNG(t, got.PNG, 400, 300)
	checkPDF(t, got.PDF)
}

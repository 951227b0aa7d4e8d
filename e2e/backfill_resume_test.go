package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBackfillCommandLine drives the backfill as a user does: refused with
// its remedy while the exporter holds the store, possible meanwhile with
// --sync into a store of its own, and, stopped by Ctrl-C once its first
// file is written, resumed by the same command into exactly the files of an
// uninterrupted run.
func TestBackfillCommandLine(t *testing.T) {
	w := newWorld(t, worldOptions{tickets: 1500, history: 90 * day})
	data := t.TempDir()
	exp := start(t, nil, w.args(data)...)
	waitFor(t, 60*time.Second, "initial sync", func() bool {
		s, _ := exp.scrape()
		return w.synced(s)
	})
	from := "--from=" + frozenNow.Add(-91*day).UTC().Format(time.DateOnly)
	to := "--to=" + frozenNow.Add(time.Hour).UTC().Format(time.RFC3339)
	args := func(store, out string, extra ...string) []string {
		return append([]string{"backfill", "--config.file=" + w.cfgPath, "--storage.path=" + store, "--output=" + out,
			"--step=30m", from, to, "--label=job=support_exporter", "--label=instance=" + exp.addr}, extra...)
	}

	out, err := exec.Command(binary, args(data, filepath.Join(t.TempDir(), "locked"))...).CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "locked by another process") || !strings.Contains(string(out), "--sync") {
		t.Fatalf("backfill on the running exporter's store: exit %d, want 1 saying the store is locked and what to do:\n%s", code, out)
	}
	out, err = exec.Command(binary, args(t.TempDir(), filepath.Join(t.TempDir(), "nostore"))...).CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "no store at") {
		t.Fatalf("backfill of a directory without a store: exit %d, want 1 saying there is no store (not a history of zeros):\n%s", code, out)
	}
	own, synced := filepath.Join(t.TempDir(), "own-store"), filepath.Join(t.TempDir(), "synced")
	out, err = exec.Command(binary, args(own, synced, "--sync")...).CombinedOutput()
	if err != nil || !regexp.MustCompile(`wrote [1-9][0-9]* samples`).Match(out) {
		t.Fatalf("backfill --sync into its own store while the exporter runs: %v\n%s", err, out)
	}
	exp.term()
	// A --sync run resumes too: without syncing again, which would move the
	// store past what its files show.
	files := omFiles(t, synced)
	if err := os.Remove(files[len(files)-1]); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binary, args(own, synced, "--sync")...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "not syncing again") || !strings.Contains(string(out), fmt.Sprintf("(%d kept from an interrupted run)", len(files)-1)) {
		t.Fatalf("resuming a --sync backfill: %v\n%s", err, out)
	}

	whole := filepath.Join(t.TempDir(), "whole")
	if out, err := exec.Command(binary, args(data, whole)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted backfill: %v\n%s", err, tail(string(out), 20))
	}
	wholeFiles := omFiles(t, whole)
	if len(wholeFiles) < 3 {
		t.Fatalf("%d files: want several, to interrupt between", len(wholeFiles))
	}

	resumed := filepath.Join(t.TempDir(), "resumed")
	cmd := exec.Command(binary, args(data, resumed)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitEvery(t, 60*time.Second, 5*time.Millisecond, "the first file", func() bool { return len(omFiles(t, resumed)) > 0 })
	// Frozen while Ctrl-C is sent, so that a busy machine cannot let it
	// finish first; it takes the signal as it resumes.
	for _, sig := range []syscall.Signal{syscall.SIGSTOP, syscall.SIGINT, syscall.SIGCONT} {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	err = cmd.Wait()
	if code := exitCode(err); code != 130 || !strings.Contains(stderr.String(), "run the same command again to resume") {
		t.Fatalf("interrupted backfill: exit %d, want 130 with how to resume:\n%s", code, tail(stderr.String(), 10))
	}
	kept := len(omFiles(t, resumed))
	t.Logf("interrupted with %d of %d files complete", kept, len(wholeFiles))
	if kept == 0 || kept == len(wholeFiles) {
		t.Fatalf("%d of %d files after the interrupt: want some, not all", kept, len(wholeFiles))
	}
	if tmp, _ := filepath.Glob(filepath.Join(resumed, "*.tmp")); len(tmp) > 0 {
		t.Errorf("the interrupt left partial files: %v", tmp)
	}

	out, err = exec.Command(binary, args(data, resumed)...).Output()
	if err != nil {
		t.Fatalf("resumed backfill: %v", err)
	}
	m := regexp.MustCompile(`\((\d+) kept from an interrupted run\)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the resumed run does not say what it kept:\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n != kept {
		t.Errorf("the resumed run kept %d files, %d were complete", n, kept)
	}
	got := omFiles(t, resumed)
	if len(got) != len(wholeFiles) {
		t.Fatalf("%d files after the resume, the uninterrupted run wrote %d", len(got), len(wholeFiles))
	}
	for i := range got {
		a, _ := os.ReadFile(wholeFiles[i])
		b, _ := os.ReadFile(got[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's", filepath.Base(got[i]))
		}
	}
}

// omFiles lists a backfill's complete files, in time order.
func omFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "support_exporter-*.om"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

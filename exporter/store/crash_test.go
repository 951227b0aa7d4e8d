package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// crashChildEnv, when set to a store directory, turns the test binary into
// the crash test's child: it commits batches until it is killed.
const crashChildEnv = "SUPPORT_EXPORTER_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := runCrashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2) // the child only ever ends by being killed
	}
	os.Exit(m.Run())
}

// crashSources are synced concurrently by the child, as the exporter does.
var crashSources = []SourceKey{{"crash", "one"}, {"crash", "two/2"}}

// batchSize varies the number of tickets per batch so that a torn batch
// could not hide behind a fixed size.
func batchSize(n int) int { return 1 + n%7 }

// runCrashChild commits batch after batch for every crash source. Batch n
// holds tickets "n/0".."n/k-1" and incident "n", each tagged with n,
// rewrites ticket "latest" with n and sets the cursor to n. After each
// commit it prints "source n", so the parent knows what was acknowledged.
func runCrashChild(dir string) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	errs := make(chan error, len(crashSources))
	for _, k := range crashSources {
		go func() {
			for {
				cursor, err := s.Cursor(k)
				if err != nil {
					errs <- err
					return
				}
				n := 1
				if cursor != nil {
					last, err := strconv.Atoi(string(cursor))
					if err != nil {
						errs <- err
						return
					}
					n = last + 1
				}
				if err := s.Update(k, func(tx *Tx) error { return putCrashBatch(tx, n) }); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				fmt.Printf("%s %d\n", k.Source, n)
				mu.Unlock()
			}
		}()
	}
	return <-errs
}

func putCrashBatch(tx *Tx, n int) error {
	batch := strconv.Itoa(n)
	for j := range batchSize(n) {
		if _, err := tx.PutTicket(&item.Ticket{ID: fmt.Sprintf("%d/%d", n, j), Priority: batch}); err != nil {
			return err
		}
	}
	if _, err := tx.PutIncident(&item.Incident{ID: batch, Components: []string{batch}}); err != nil {
		return err
	}
	if _, err := tx.PutTicket(&item.Ticket{ID: "latest", Priority: batch}); err != nil {
		return err
	}
	return tx.SetCursor([]byte(batch))
}

// TestCrashNeitherLosesNorDoubles kills a child that commits batches at
// random moments, several times over the same store, and checks after each
// kill that every acknowledged batch is stored, and that the store holds
// exactly the batches up to its cursor, each one complete.
func TestCrashNeitherLosesNorDoubles(t *testing.T) {
	dir := t.TempDir()
	acknowledged := map[string]int{}
	for round := range 10 {
		killAfter := 1 + rand.IntN(40)
		acks, stderr := runAndKillChild(t, dir, killAfter)
		for source, n := range acks {
			acknowledged[source] = max(acknowledged[source], n)
		}
		if len(acks) == 0 {
			t.Fatalf("round %d: the child committed nothing; its stderr: %s", round, stderr)
		}

		s, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for _, k := range crashSources {
			checkCrashSource(t, s, k, acknowledged[k.Source])
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			t.Fatalf("round %d (killed after %d acknowledgements) broke the store", round, killAfter)
		}
	}
}

// runAndKillChild starts the child and SIGKILLs it once it has
// acknowledged killAfter commits; it returns the last batch acknowledged
// per source.
func runAndKillChild(t *testing.T, dir string, killAfter int) (map[string]int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := map[string]int{}
	lines := bufio.NewScanner(stdout)
	for seen := 0; lines.Scan(); seen++ {
		source, batch, ok := strings.Cut(lines.Text(), " ")
		n, err := strconv.Atoi(batch)
		if !ok || err != nil {
			t.Errorf("child printed %q", lines.Text())
			continue
		}
		acks[source] = n
		if seen+1 == killAfter {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Wait reports the kill as an error; anything else ended the child
	// early, and the scan above already stopped at its EOF.
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("child ended by itself (%v); stderr: %s", err, stderr.String())
	}
	return acks, stderr.String()
}

func checkCrashSource(t *testing.T, s *Store, k SourceKey, acknowledged int) {
	t.Helper()
	cursor := 0
	if c := cursorOf(t, s, k); c != nil {
		var err error
		if cursor, err = strconv.Atoi(string(c)); err != nil {
			t.Fatalf("%v: cursor %q", k, c)
		}
	}
	if cursor < acknowledged {
		t.Errorf("%v: cursor %d, but batch %d was acknowledged: lost", k, cursor, acknowledged)
	}
	perBatch := map[int]int{}
	incidents := 0
	err := s.Load(k, Handlers{
		Ticket: func(ticket *item.Ticket) error {
			if ticket.ID == "latest" {
				if ticket.Priority != strconv.Itoa(cursor) {
					t.Errorf("%v: ticket latest holds batch %s, cursor is %d", k, ticket.Priority, cursor)
				}
				return nil
			}
			var n, j int
			if _, err := fmt.Sscanf(ticket.ID, "%d/%d", &n, &j); err != nil {
				return fmt.Errorf("ticket id %q: %w", ticket.ID, err)
			}
			if ticket.Priority != strconv.Itoa(n) || j >= batchSize(n) {
				t.Errorf("%v: ticket %s holds batch %s", k, ticket.ID, ticket.Priority)
			}
			perBatch[n]++
			return nil
		},
		Incident: func(i *item.Incident) error {
			if n, err := strconv.Atoi(i.ID); err != nil || n < 1 || n > cursor || i.Components[0] != i.ID {
				t.Errorf("%v: incident %q (%v) outside batches 1..%d", k, i.ID, i.Components, cursor)
			}
			incidents++
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantTickets := 0
	for n := 1; n <= cursor; n++ {
		if perBatch[n] != batchSize(n) {
			t.Errorf("%v: batch %d has %d tickets, want %d", k, n, perBatch[n], batchSize(n))
		}
		wantTickets += batchSize(n)
	}
	for n := range perBatch {
		if n > cursor {
			t.Errorf("%v: batch %d stored beyond cursor %d", k, n, cursor)
		}
	}
	if cursor > 0 {
		wantTickets++ // "latest"
	}
	assertCounts(t, s, k, wantTickets, cursor, 0)
	if incidents != cursor {
		t.Errorf("%v: %d incidents, want %d", k, incidents, cursor)
	}
}

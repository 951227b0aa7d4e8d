package store

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestReadsKeepTheMapsResidentSetBounded reads a store several times
// releaseEvery in size, in full (Load) and item by item (Ticket), and
// samples how much of the store file is resident in the process's memory
// map as it goes: reading must not pile up the file's pages (without
// releaseMapped every page read stays, the whole file by the end), and
// every item must still decode to what was stored.
func TestReadsKeepTheMapsResidentSetBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 166 MB store")
	}
	s := openTemp(t)
	k := SourceKey{"acme", "helpdesk"}
	const n = 200_000
	fillTickets(t, s, k, n)
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() < 4*releaseEvery {
		t.Fatalf("the store is %d bytes: too small to tell", info.Size())
	}
	// A store written over time: a third of the tickets changed in random
	// order, so that their leaves are scattered through the file and each
	// one a Load reaches may fault anew.
	rnd := rand.New(rand.NewPCG(1, 2))
	order := rnd.Perm(n)[:n/3]
	for start := 0; start < len(order); start += 5000 {
		err := s.Update(k, func(tx *Tx) error {
			for _, j := range order[start:min(start+5000, len(order))] {
				tk := benchTicket(j)
				tk.UpdatedAt = tk.UpdatedAt.Add(time.Hour)
				if _, err := tx.PutTicket(tk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Remap(); err != nil { // drop what the writes mapped in
		t.Fatal(err)
	}
	// A page read since the last release is resident; so are the branch
	// pages read again, and the pages of a record read while the count
	// crosses the bound. Twice the bound leaves room for both.
	limit := int64(2 * releaseEvery)
	var peak int64
	sample := func() {
		if r := mappedResident(t, s.Path()); r > peak {
			peak = r
		}
	}

	seen := 0
	err = s.Load(k, Handlers{Ticket: func(tk *item.Ticket) error {
		if want := benchTicket(seen); tk.ID != want.ID || !tk.CreatedAt.Equal(want.CreatedAt) || len(tk.Events) != len(want.Events) {
			t.Fatalf("ticket %d read back as %s created %s with %d events", seen, tk.ID, tk.CreatedAt, len(tk.Events))
		}
		if seen++; seen%2000 == 0 {
			sample()
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("Load streamed %d tickets, want %d", seen, n)
	}
	t.Logf("a full Load: at most %d bytes resident", peak)
	if peak > limit {
		t.Errorf("a full Load of a %d-byte store kept up to %d bytes of it resident, want at most %d", info.Size(), peak, limit)
	}

	peak = 0
	for i := range n {
		j := (i * 7919) % n // scattered, as a replay reads
		tk, err := s.Ticket(k, benchTicket(j).ID)
		if err != nil || tk == nil || !tk.CreatedAt.Equal(benchTicket(j).CreatedAt) {
			t.Fatalf("ticket %d: %v, %v", j, tk, err)
		}
		if i%2000 == 0 {
			sample()
		}
	}
	t.Logf("reads by id: at most %d bytes resident", peak)
	if peak > limit {
		t.Errorf("reading every ticket by id kept up to %d bytes of the store resident, want at most %d", peak, limit)
	}
}

// mappedResident is how many bytes of the file at path are resident in
// this process's memory maps (the Rss of its mappings in smaps).
func mappedResident(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total int64
	inFile := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"): // a mapping's header
			inFile = fields[len(fields)-1] == path
		case inFile && len(fields) == 3 && fields[0] == "Rss:":
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			total += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

package store

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestIdentify walks one source through its life: first seen, seen again,
// moved to a vanity domain, refused under another kind.
func TestIdentify(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "helpdesk"}
	steps := []struct {
		name      string
		kind, url string
		data      bool // store a ticket for the source after this step
		want      *URLChange
		wantErr   string
		wantKind  string // stored after the step
		wantURL   string
		wantWrite bool // the step commits
	}{
		{name: "first seen", kind: "zendesk", url: "https://acme.zendesk.com",
			wantKind: "zendesk", wantURL: "https://acme.zendesk.com", wantWrite: true},
		{name: "a kind mistyped before anything was stored may change", kind: "zendesk_requests", url: "https://acme.zendesk.com",
			wantKind: "zendesk_requests", wantURL: "https://acme.zendesk.com", wantWrite: true, data: true},
		{name: "seen again: nothing written", kind: "zendesk_requests", url: "https://acme.zendesk.com",
			wantKind: "zendesk_requests", wantURL: "https://acme.zendesk.com"},
		{name: "a vanity domain", kind: "zendesk_requests", url: "https://support.acme.example/?token=secret#top",
			want:     &URLChange{From: "https://acme.zendesk.com", To: "https://support.acme.example/"},
			wantKind: "zendesk_requests", wantURL: "https://support.acme.example/", wantWrite: true},
		{name: "another kind once items are stored", kind: "freshdesk", url: "https://acme.freshdesk.com",
			wantErr:  `source "helpdesk" of vendor "acme" was stored as kind zendesk_requests, is configured as kind freshdesk: a changed kind needs a new source name`,
			wantKind: "zendesk_requests", wantURL: "https://support.acme.example/"},
	}
	for _, step := range steps {
		writes := committed(s)
		got, err := s.Identify(k, step.kind, step.url)
		switch {
		case step.wantErr != "":
			var kindErr *KindChangedError
			if !errors.As(err, &kindErr) || err.Error() != step.wantErr {
				t.Errorf("%s: error %v, want %q", step.name, err, step.wantErr)
			}
		case err != nil:
			t.Fatalf("%s: %v", step.name, err)
		}
		assertSame(t, step.name, got, step.want)
		if wrote := committed(s) != writes; wrote != step.wantWrite {
			t.Errorf("%s: wrote %v, want %v", step.name, wrote, step.wantWrite)
		}
		kind, url := storedIdentity(t, s, k)
		if kind != step.wantKind || url != step.wantURL {
			t.Errorf("%s: stored %q %q, want %q %q", step.name, kind, url, step.wantKind, step.wantURL)
		}
		if step.data {
			update(t, s, k, func(tx *Tx) error { return errOf(tx.PutTicket(&item.Ticket{ID: "1"})) })
		}
	}
	// What older builds read is unchanged by the identity keys.
	n := 0
	if err := s.Load(k, Handlers{Ticket: func(*item.Ticket) error { n++; return nil }}); err != nil || n != 1 {
		t.Errorf("Load = %d tickets, %v; want the one ticket", n, err)
	}
	assertCounts(t, s, k, 1, 0, 0)
}

// committed counts the pages the store has written.
func committed(s *Store) int64 {
	stats := s.db.Stats()
	return stats.TxStats.GetWrite()
}

func storedIdentity(t *testing.T, s *Store, k SourceKey) (kind, url string) {
	t.Helper()
	err := s.view(func(tx *bolt.Tx) error {
		id := readIdentity(sourceBucket(tx, k))
		kind, url = id.kind, id.url
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kind, url
}

// TestIdentifyAdoptsTheFirstKind: a source stored before kinds were
// recorded takes the first kind given, with its items kept.
func TestIdentifyAdoptsTheFirstKind(t *testing.T) {
	s := openTemp(t)
	k := SourceKey{"acme", "status"}
	update(t, s, k, func(tx *Tx) error {
		if err := tx.SetCursor([]byte("c")); err != nil {
			return err
		}
		return errOf(tx.PutIncident(&item.Incident{ID: "1"}))
	})
	if change, err := s.Identify(k, "statuspage", "https://status.acme.example"); err != nil || change != nil {
		t.Fatalf("Identify = %v, %v; want the kind adopted, no URL change", change, err)
	}
	if kind, _ := storedIdentity(t, s, k); kind != "statuspage" {
		t.Errorf("stored kind %q, want statuspage", kind)
	}
	var kindErr *KindChangedError
	if _, err := s.Identify(k, "cachet", "https://status.acme.example"); !errors.As(err, &kindErr) {
		t.Errorf("Identify under another kind = %v, want a KindChangedError", err)
	}
	assertCounts(t, s, k, 0, 1, 0)
}

func TestIdentifyRefusesBadInput(t *testing.T) {
	s := openTemp(t)
	cases := []struct {
		name      string
		key       SourceKey
		kind, url string
		want      string
	}{
		{"no vendor", SourceKey{"", "helpdesk"}, "zendesk", "https://a.example", "a vendor, a source name and a kind are required"},
		{"no kind", SourceKey{"acme", "helpdesk"}, "", "https://a.example", "a vendor, a source name and a kind are required"},
		{"a URL that does not parse", SourceKey{"acme", "helpdesk"}, "zendesk", "https://user:secret@a.example/%zz", "the URL does not parse"},
	}
	for _, tc := range cases {
		_, err := s.Identify(tc.key, tc.kind, tc.url)
		assertErrorContains(t, err, tc.want)
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the URL's password: %v", tc.name, err)
		}
	}
	if sources, err := s.Sources(); err != nil || len(sources) != 0 {
		t.Errorf("Sources() = %v, %v; want nothing recorded", sources, err)
	}
}

package store

import (
	"testing"
	"time"
)

func TestVendorSettingsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.VendorSettings("acme"); err != nil || got != (VendorSettings{}) {
		t.Fatalf("a new store: %+v, %v; want nothing kept", got, err)
	}
	at := time.Date(2026, 12, 6, 20, 0, 0, 123, time.UTC)
	want := VendorSettings{Fingerprint: "f1", RebuiltAt: at}
	if err := s.SetVendorSettings(map[string]VendorSettings{"acme": want, "other": {Fingerprint: "f2"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.VendorSettings("acme"); err != nil || !got.RebuiltAt.Equal(at) || got.Fingerprint != "f1" {
		t.Errorf("after a reopen: %+v, %v; want %+v", got, err, want)
	}
	if got, _ := s.VendorSettings("other"); got.Fingerprint != "f2" || !got.RebuiltAt.IsZero() {
		t.Errorf("other vendor: %+v", got)
	}
	if err := s.SetVendorSettings(map[string]VendorSettings{"acme": {Fingerprint: "f3"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.VendorSettings("acme"); got.Fingerprint != "f3" || !got.RebuiltAt.IsZero() {
		t.Errorf("rebuilt_at not cleared: %+v", got)
	}
}

// TestCheckReadsVendorSettings: Check vouches for the vendors bucket.
func TestCheckReadsVendorSettings(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetVendorSettings(map[string]VendorSettings{"acme": {Fingerprint: "f", RebuiltAt: time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Sound() {
		t.Errorf("Check found problems in a sound store: %v", r.Problems)
	}
}

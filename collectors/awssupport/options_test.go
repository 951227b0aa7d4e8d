package awssupport

import (
	"slices"
	"testing"
	"time"
)

// TestOptionsCheck: each mistake is reported under its key.
func TestOptionsCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		keys []string
	}{
		{"defaults", func(*Options) {}, nil},
		{"china", func(o *Options) { o.Region = "cn-north-1" }, nil},
		{"gov cloud", func(o *Options) { o.Region = "us-gov-west-1" }, nil},
		{"not a region", func(o *Options) { o.Region = "US East" }, []string{"region"}},
		{"no vendor name", func(o *Options) { o.VendorNames = nil }, []string{"vendor_names"}},
		{"negative window", func(o *Options) { o.ReopenWindow = -time.Hour }, []string{"reopen_window"}},
		{"key id alone", func(o *Options) { o.AccessKeyID = "AKIDEXAMPLE" }, []string{"access_key_id"}},
		{"secret alone", func(o *Options) { o.SecretAccessKey = "s" }, []string{"access_key_id"}},
	} {
		o := NewOptions().(*Options)
		tc.edit(o)
		var keys []string
		o.Check(func(key, _ string, _ ...any) { keys = append(keys, key) })
		if !slices.Equal(keys, tc.keys) {
			t.Errorf("%s: reported %q, want %q", tc.name, keys, tc.keys)
		}
	}
}

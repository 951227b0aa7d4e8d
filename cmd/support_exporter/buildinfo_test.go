package main

import (
	"runtime/debug"
	"testing"
)

func TestFillStamp(t *testing.T) {
	vcs := func(main string, kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/support-exporter/support_exporter", Version: main}}
		for i := 0; i+1 < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	const rev = "6c3c628abcdef0123456789abcdef0123456789a"
	for _, tc := range []struct {
		name string
		in   stamp
		bi   *debug.BuildInfo
		want stamp
	}{
		{"ldflags kept", stamp{"9.9.9", "abc", "20260101-00:00:00"},
			vcs("v1.2.3", "vcs.revision", rev, "vcs.time", "2026-12-07T11:20:00Z"),
			stamp{"9.9.9", "abc", "20260101-00:00:00"}},
		{"go install of a tag", stamp{},
			vcs("v1.2.3"),
			stamp{Version: "1.2.3"}},
		{"go install of a release candidate", stamp{},
			vcs("v1.3.0-rc.1"),
			stamp{Version: "1.3.0-rc.1"}},
		{"pseudo-version: the VERSION file", stamp{},
			vcs("v0.0.0-20261207112000-6c3c628abcde+dirty", "vcs.revision", rev, "vcs.modified", "true", "vcs.time", "2026-12-07T11:20:00+01:00"),
			stamp{"0.1.0", rev + "-modified", "20261207-10:20:00"}},
		{"pseudo-version after a tag", stamp{},
			vcs("v1.2.4-0.20261207112000-6c3c628abcde"),
			stamp{Version: "0.1.0"}},
		{"go build in a checkout", stamp{},
			vcs("(devel)", "vcs.revision", rev, "vcs.modified", "false", "vcs.time", "2026-12-07T11:20:00Z"),
			stamp{"0.1.0", rev, "20261207-11:20:00"}},
		{"-buildvcs=false", stamp{}, vcs("(devel)"), stamp{Version: "0.1.0"}},
		{"no build information", stamp{}, nil, stamp{Version: "0.1.0"}},
		{"a bad vcs.time is left out", stamp{}, vcs("", "vcs.time", "yesterday"), stamp{Version: "0.1.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fillStamp(tc.in, "0.1.0", tc.bi); got != tc.want {
				t.Errorf("fillStamp = %+v, want %+v", got, tc.want)
			}
		})
	}
}

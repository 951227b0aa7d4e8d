package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/common/version"

	supportexporter "github.com/support-exporter/support_exporter"
)

// stamp is the part of github.com/prometheus/common/version that `make
// build` sets with -ldflags and support_exporter_build_info shows.
type stamp struct {
	Version, Revision, BuildDate string
}

// stampVersion fills what -ldflags left empty (a plain `go build`, `go run`
// or `go install`) from the module's build information and the VERSION file,
// so that build_info never says version="". Called once, first thing in main.
func stampVersion() {
	bi, _ := debug.ReadBuildInfo()
	s := fillStamp(stamp{version.Version, version.Revision, version.BuildDate}, supportexporter.Version(), bi)
	version.Version, version.Revision, version.BuildDate = s.Version, s.Revision, s.BuildDate
}

// releaseVersion is a module version of a tagged release (v1.2.3, v1.2.3-rc.1),
// not a pseudo-version (v0.0.0-20261207112000-6c3c628abcde) nor "(devel)".
var releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$`)

var pseudoVersion = regexp.MustCompile(`[0-9]{14}-[0-9a-f]{12}$`)

// fillStamp returns s with its empty fields filled:
//   - Version: the module version when the binary was built from a tagged
//     release (`go install ...@v1.2.3`), without its "v"; otherwise the VERSION
//     file (file), which `make build` uses too;
//   - Revision: vcs.revision, with "-modified" when the tree had changes (as
//     github.com/prometheus/common/version.GetRevision writes it);
//   - BuildDate: vcs.time (the commit's time), in the Makefile's layout.
//
// Fields set by -ldflags are kept. bi may be nil (no build information).
func fillStamp(s stamp, file string, bi *debug.BuildInfo) stamp {
	settings := map[string]string{}
	if bi != nil {
		for _, kv := range bi.Settings {
			settings[kv.Key] = kv.Value
		}
		if v := bi.Main.Version; s.Version == "" && releaseVersion.MatchString(v) && !pseudoVersion.MatchString(v) {
			s.Version = strings.TrimPrefix(v, "v")
		}
	}
	if s.Version == "" {
		s.Version = file
	}
	if rev := settings["vcs.revision"]; s.Revision == "" && rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += "-modified"
		}
		s.Revision = rev
	}
	if t, err := time.Parse(time.RFC3339, settings["vcs.time"]); s.BuildDate == "" && err == nil {
		s.BuildDate = t.UTC().Format("20060102-15:04:05")
	}
	return s
}

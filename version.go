// Package supportexporter holds what belongs to the repository as a whole:
// the release version, read from the VERSION file and embedded, so that a
// binary built without the Makefile's -ldflags (a plain `go build`,
// `go run`, `go install`) still knows which release it is.
package supportexporter

import (
	_ "embed"
	"strings"
)

//go:embed VERSION
var versionFile string

// Version is the release version in the VERSION file, e.g. "0.1.0": the one
// source of the version of the binary (Makefile), the image (Dockerfile),
// the release tarballs and the Helm chart's appVersion.
func Version() string { return strings.TrimSpace(versionFile) }

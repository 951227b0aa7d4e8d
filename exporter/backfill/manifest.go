package backfill

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// manifestName is the file in the output directory that records what a
// run writes, so that an interrupted run resumes only with the same
// inputs: files written from other inputs would not join.
const manifestName = "backfill.json"

type manifest struct {
	Version int               `json:"version"`
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	Step    string            `json:"step"`
	Span    string            `json:"block_span"`
	Vendors []string          `json:"vendors"`
	Labels  map[string]string `json:"labels"`
	// Config is the digest of the configuration file, whose SLA targets
	// and calendars the values depend on.
	Config string `json:"config_sha256"`
	// Synced is each source's last complete sync ("vendor/source"): the
	// store the files were computed from.
	Synced map[string]time.Time `json:"synced"`
}

// differences lists the fields in which m and other differ.
func (m *manifest) differences(other *manifest) []string {
	var d []string
	add := func(name string, a, b any) { d = append(d, fmt.Sprintf("%s %v (now %v)", name, a, b)) }
	if !m.From.Equal(other.From) {
		add("from", m.From.Format(time.RFC3339), other.From.Format(time.RFC3339))
	}
	if !m.To.Equal(other.To) {
		add("to", m.To.Format(time.RFC3339), other.To.Format(time.RFC3339))
	}
	if m.Step != other.Step {
		add("step", m.Step, other.Step)
	}
	if m.Span != other.Span {
		add("block span", m.Span, other.Span)
	}
	if !slices.Equal(m.Vendors, other.Vendors) {
		add("vendors", m.Vendors, other.Vendors)
	}
	if !maps.Equal(m.Labels, other.Labels) {
		add("labels", m.Labels, other.Labels)
	}
	if m.Config != other.Config {
		d = append(d, "the configuration file changed")
	}
	if !maps.EqualFunc(m.Synced, other.Synced, time.Time.Equal) {
		d = append(d, "the store changed (a sync ran)")
	}
	return d
}

// readManifest reads dir's manifest; nil when there is none.
func readManifest(dir string) (*manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	if m.Version != 1 {
		return nil, fmt.Errorf("%s: version %d, this build writes 1", filepath.Join(dir, manifestName), m.Version)
	}
	return &m, nil
}

// startOutput prepares dir for a new run: it must be empty or absent, so
// that no file of another run (or of the user) is mixed in.
func startOutput(dir string, m *manifest) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("output directory %s is not empty and holds no %s: choose an empty directory", dir, manifestName)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, manifestName), append(data, '\n'), 0o644)
}

// fileName names the file of the block range starting at start; names sort
// in time order.
func fileName(start time.Time) string {
	return "support_exporter-" + start.UTC().Format("20060102T150405Z") + ".om"
}

// removeTemporaries deletes the partial files an interrupted run left.
func removeTemporaries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".om.tmp") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

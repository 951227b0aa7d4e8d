package alerts

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed rule files from Default()")

// TestGeneratedFilesAreCurrent fails when the committed rule files are not
// what Default() generates; go test ./alerts -update rewrites them.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	for _, f := range []struct {
		name     string
		generate func(Config) ([]byte, error)
	}{
		{RulesFile, RecordingRules},
		{AlertsFile, AlertingRules},
		{BackfillRulesFile, BackfillRecordingRules},
	} {
		t.Run(f.name, func(t *testing.T) {
			want, err := f.generate(Default())
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			if *update {
				if err := os.WriteFile(f.name, want, 0o644); err != nil {
					t.Fatalf("update: %v", err)
				}
			}
			got, err := os.ReadFile(f.name)
			if err != nil {
				t.Fatalf("read committed file: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what Default() generates: run go test ./alerts -update and commit it", f.name)
			}
		})
	}
}

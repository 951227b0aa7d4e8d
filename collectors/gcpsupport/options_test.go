package gcpsupport

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commoncfg "github.com/prometheus/common/config"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// TestOptions: parent is checked at load; the kind has no priorities of
// its own (Google's P0..P4 are the vendor's values, mapped by the
// vendor's priorities); credentials_file is read relative to the config
// file's directory, as http_client's files are.
func TestOptions(t *testing.T) {
	fixed := collectortest.NewClock(collectortest.SimStart)
	env, _ := collectortest.SimEnv(t, simKind, "kind: gcp_support\nparent: projects/my-project-123\n", fixed.Now)
	if got := env.Config.Options.(*Options).Parent; got != "projects/my-project-123" {
		t.Errorf("parent %q", got)
	}
	for file, want := range map[string]string{"key.json": "/etc/support_exporter/key.json", "/abs/key.json": "/abs/key.json"} {
		yaml := "vendors:\n  - name: acme\n    tickets:\n      - name: test\n        kind: gcp_support\n        parent: projects/p-123456\n        credentials_file: " + file + "\n"
		cfg, err := config.Parse([]byte(yaml), "/etc/support_exporter/support_exporter.yml", config.Kinds{simKind})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Vendors[0].Tickets[0].Options.(*Options).CredentialsFile; got != want {
			t.Errorf("credentials_file %s: read as %s, want %s", file, got, want)
		}
	}
	for _, tc := range []struct{ body, want string }{
		{"kind: gcp_support\n", "parent"},
		{"kind: gcp_support\nparent: my-project\n", "is not projects/PROJECT"},
		{"kind: gcp_support\nparent: organizations/acme\n", "is not projects/PROJECT"},
		{"kind: gcp_support\nparent: projects/p-123456\npriorities: {P1: urgent}\n", "priorities"},
	} {
		yaml := "vendors:\n  - name: acme\n    tickets:\n      - name: test\n"
		for l := range strings.Lines(tc.body) {
			yaml += "        " + l
		}
		_, err := config.Parse([]byte(yaml), "<test>", config.Kinds{simKind})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error saying %q", tc.body, err, tc.want)
		}
	}
}

// TestNew refuses what it cannot use: a parent of no shape, two sources
// of tokens, a key file it cannot read or that is no service account's,
// without repeating the file's content.
func TestNew(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-a-real-key"
	env := func(opts Options, bearer bool) source.Env {
		e := collectortest.Env("gcp_support", DefaultURL, http.DefaultClient)
		e.Config.Options = &opts
		if bearer {
			e.Config.HTTPClient.Authorization = &commoncfg.Authorization{Type: "Bearer", Credentials: "ya29.elsewhere"}
		}
		return e
	}
	key := write("key.json", `{"type":"service_account","client_email":"x@p.iam.gserviceaccount.com","private_key":"`+secret+`"}`)
	sim, _ := collectortest.SmallWorld(t, 1)
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, sim.GCPSupportKey(collectortest.SimVendor), 0o600); err != nil {
		t.Fatal(err)
	}
	collectortest.CheckNew(t, New, []collectortest.NewCase{
		{Name: "a token elsewhere", Env: env(Options{Parent: "projects/p-123456"}, true)},
		{Name: "the metadata server", Env: env(Options{Parent: "organizations/123"}, false)},
		{Name: "a key file", Env: env(Options{Parent: "projects/123", CredentialsFile: good}, false)},
		{Name: "a damaged key", Env: env(Options{Parent: "projects/123", CredentialsFile: key}, false), WantErr: "not a PEM-encoded RSA key"},
		{Name: "no parent", Env: env(Options{}, true), WantErr: "parent"},
		{Name: "both", Env: env(Options{Parent: "projects/p-123456", CredentialsFile: key}, true), WantErr: "set one"},
		{Name: "no file", Env: env(Options{Parent: "projects/p-123456", CredentialsFile: filepath.Join(dir, "none.json")}, false), WantErr: "credentials_file"},
		{Name: "no JSON", Env: env(Options{Parent: "projects/p-123456", CredentialsFile: write("pem", secret)}, false), WantErr: "not a JSON key file"},
		{Name: "a user's credentials", Env: env(Options{Parent: "projects/p-123456",
			CredentialsFile: write("adc.json", `{"type":"authorized_user","client_secret":"`+secret+`"}`)}, false), WantErr: "service_account"},
	}, secret)
}

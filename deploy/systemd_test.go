package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// unit is a systemd unit file: each section's directives, in order.
type unit map[string][][2]string

func parseUnit(text string) unit {
	u := unit{}
	section := ""
	var cont strings.Builder
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if cont.Len() == 0 && (line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cont.WriteString(s + " ")
			continue
		}
		cont.WriteString(line)
		line = cont.String()
		cont.Reset()
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		u[section] = append(u[section], [2]string{k, v})
	}
	return u
}

// get returns the last value of a directive in a section.
func (u unit) get(section, key string) string {
	v := ""
	for _, kv := range u[section] {
		if kv[0] == key {
			v = kv[1]
		}
	}
	return v
}

const systemdDir = "examples/systemd"

// TestSystemdUnits: the service runs the exporter with flags it accepts,
// its config and store where the unit's directories are, hardened; the
// socket is the exporter's default port; systemd-analyze verify (where
// installed) finds nothing to say about either.
func TestSystemdUnits(t *testing.T) {
	svc := parseUnit(readFile(t, systemdDir+"/support_exporter.service"))
	sock := parseUnit(readFile(t, systemdDir+"/support_exporter.socket"))

	exec0 := strings.Fields(svc.get("Service", "ExecStart"))
	if len(exec0) < 2 || filepath.Base(exec0[0]) != "support_exporter" {
		t.Fatalf("ExecStart %q does not run support_exporter", exec0)
	}
	flags := map[string]string{}
	for _, a := range exec0[1:] {
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		flags[name] = value
	}

	// Every flag is one the binary accepts (--web.systemd-socket on Linux only).
	help, _ := exec.Command(exporterBinary(t), "--help").CombinedOutput()
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`--(?:\[no-\])?([a-z][a-z0-9.-]*)`).FindAllStringSubmatch(string(help), -1) {
		known[m[1]] = true
	}
	if !known["config.file"] {
		t.Fatalf("--help lists no flags:\n%s", help)
	}
	for name := range flags {
		if !known[name] {
			t.Errorf("ExecStart passes --%s, which support_exporter --help does not list", name)
		}
	}
	if runtime.GOOS == "linux" && !known["web.systemd-socket"] {
		t.Error("--web.systemd-socket is not a flag of the Linux binary")
	}

	// Socket activation: the service uses the socket, which listens on the default port.
	if _, ok := flags["web.systemd-socket"]; !ok || !strings.Contains(svc.get("Unit", "Requires"), "support_exporter.socket") {
		t.Error("the service is not socket-activated (--web.systemd-socket, Requires=support_exporter.socket)")
	}
	if !strings.Contains(string(help), "--web.listen-address=:10043") || sock.get("Socket", "ListenStream") != "10043" {
		t.Errorf("ListenStream=%s, want the exporter's default port 10043", sock.get("Socket", "ListenStream"))
	}

	// The store in StateDirectory, the config in ConfigurationDirectory.
	if got, want := flags["storage.path"], "/var/lib/"+svc.get("Service", "StateDirectory"); got != want {
		t.Errorf("--storage.path=%s, StateDirectory is %s", got, want)
	}
	if got, want := filepath.Dir(flags["config.file"]), "/etc/"+svc.get("Service", "ConfigurationDirectory"); got != want {
		t.Errorf("--config.file in %s, ConfigurationDirectory is %s", got, want)
	}

	// Hardening.
	for k, v := range map[string]string{
		"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "", "RestrictSUIDSGID": "yes",
		"MemoryDenyWriteExecute": "yes", "LockPersonality": "yes",
	} {
		found := false
		for _, kv := range svc["Service"] {
			found = found || kv[0] == k
		}
		if !found || svc.get("Service", k) != v {
			t.Errorf("%s=%q, want %q", k, svc.get("Service", k), v)
		}
	}
	// The damaged store's exit code (3) is not restarted into.
	if !strings.Contains(svc.get("Service", "RestartPreventExitStatus"), "3") {
		t.Error("RestartPreventExitStatus does not hold 3 (a damaged store)")
	}

	t.Run("systemd-analyze verify", func(t *testing.T) {
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			const msg = "systemd-analyze not installed (Debian package systemd; bash .ci/run installs it)"
			if inCI() {
				t.Fatal(msg + "; under CI this test never skips")
			}
			t.Skip(msg)
		}
		dir := t.TempDir()
		for _, f := range []string{"support_exporter.service", "support_exporter.socket"} {
			text := readFile(t, systemdDir+"/"+f)
			// verify checks that ExecStart's program exists: the one just built.
			text = strings.ReplaceAll(text, exec0[0], exporterBinary(t))
			if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(analyze, "verify", "--man=no", "./support_exporter.socket", "./support_exporter.service")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	})
}

package deploy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	supportexporter "github.com/support-exporter/support_exporter"
)

// releasePlatforms are the platforms `make release` builds (the Makefile's
// PLATFORMS); RELEASE_PLATFORMS="linux/amd64" narrows the test to some.
var releasePlatforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

// releaseFiles are what each tarball holds besides the binary, as in
// node_exporter's: the license, the notice, the docs to start from and an
// example config.
var releaseFiles = map[string]string{
	"LICENSE":              "LICENSE",
	"NOTICE":               "NOTICE",
	"README.md":            "README.md",
	"CHANGELOG.md":         "CHANGELOG.md",
	"support_exporter.yml": "examples/support_exporter.yml",
}

// TestRelease runs `make release` and checks every tarball (its one
// top-level directory, the binary for its platform, the files beside it,
// root-owned entries) and sha256sums.txt; the host's binary says the
// VERSION file's version.
func TestRelease(t *testing.T) {
	needFull(t)
	platforms := releasePlatforms
	if p := os.Getenv("RELEASE_PLATFORMS"); p != "" {
		platforms = strings.Fields(p)
	}
	dist := t.TempDir()
	run(t, root, "make", "release", "DIST="+dist, "PLATFORMS="+strings.Join(platforms, " "))
	version := supportexporter.Version()

	sums := map[string]string{}
	f, err := os.Open(filepath.Join(dist, "sha256sums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("sha256sums.txt: %q is not `SUM  NAME`", sc.Text())
		}
		sums[name] = sum
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want = append(want, "sha256sums.txt")
	for _, p := range platforms {
		os, arch, _ := strings.Cut(p, "/")
		want = append(want, fmt.Sprintf("support_exporter-%s.%s-%s.tar.gz", version, os, arch))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("dist holds %v, want %v", got, want)
	}
	if len(sums) != len(platforms) {
		t.Errorf("sha256sums.txt lists %d files, want %d", len(sums), len(platforms))
	}

	for _, p := range platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		name := fmt.Sprintf("support_exporter-%s.%s-%s", version, goos, goarch)
		t.Run(p, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dist, name+".tar.gz"))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if sums[name+".tar.gz"] != hex.EncodeToString(sum[:]) {
				t.Errorf("sha256sums.txt says %q, the file's is %x", sums[name+".tar.gz"], sum)
			}
			files := untar(t, data, name)
			bin := "support_exporter"
			if goos == "windows" {
				bin += ".exe"
			}
			var names []string
			for n := range files {
				names = append(names, n)
			}
			wantNames := []string{bin}
			for n, src := range releaseFiles {
				wantNames = append(wantNames, n)
				if !bytes.Equal(files[n], []byte(readFile(t, src))) {
					t.Errorf("%s differs from %s", n, src)
				}
			}
			slices.Sort(names)
			slices.Sort(wantNames)
			if !slices.Equal(names, wantNames) {
				t.Errorf("%s holds %v, want %v", name, names, wantNames)
			}
			if err := checkExecutable(files[bin], goos, goarch); err != nil {
				t.Error(err)
			}
			if goos != runtime.GOOS || goarch != runtime.GOARCH {
				return
			}
			path := filepath.Join(t.TempDir(), bin)
			if err := os.WriteFile(path, files[bin], 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(path, "--version").CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "support_exporter, version "+version+" ") {
				t.Errorf("%s --version: %v\n%s", bin, err, out)
			}
		})
	}
}

// untar returns the regular files of a tarball whose every entry is under
// dir/, by their path below it; it fails t on anything else.
func untar(t *testing.T, data []byte, dir string) map[string][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		if h.Mode&0o022 != 0 {
			t.Errorf("%s: mode %o is writable by others", h.Name, h.Mode)
		}
		if h.Name == dir+"/" && h.Typeflag == tar.TypeDir {
			continue
		}
		rel, ok := strings.CutPrefix(h.Name, dir+"/")
		if !ok || rel == "" || strings.Contains(rel, "/") || h.Typeflag != tar.TypeReg {
			t.Errorf("unexpected entry %s (type %c)", h.Name, h.Typeflag)
			continue
		}
		if strings.HasPrefix(rel, "support_exporter") && !strings.HasSuffix(rel, ".yml") && h.Mode&0o111 != 0o111 {
			t.Errorf("%s: mode %o is not executable", h.Name, h.Mode)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[rel] = b
	}
	return files
}

// checkExecutable says whether b is an executable for goos/goarch.
func checkExecutable(b []byte, goos, goarch string) error {
	r := bytes.NewReader(b)
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			return fmt.Errorf("not ELF: %w", err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != want || f.Type != elf.ET_EXEC {
			return fmt.Errorf("ELF %v %v, want %v executable", f.Machine, f.Type, want)
		}
		// Static (CGO_ENABLED=0): no interpreter, so it runs on distroless
		// static and any libc.
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return fmt.Errorf("dynamically linked")
			}
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			return fmt.Errorf("not Mach-O: %w", err)
		}
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want || f.Type != macho.TypeExec {
			return fmt.Errorf("Mach-O %v %v, want %v executable", f.Cpu, f.Type, want)
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			return fmt.Errorf("not PE: %w", err)
		}
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			return fmt.Errorf("PE machine %#x, want %#x", f.Machine, want)
		}
	default:
		return fmt.Errorf("no check for %s", goos)
	}
	return nil
}

// TestPlainBuildVersion: a binary built by a plain `go build`, without the
// Makefile's -ldflags, still says the VERSION file's version.
func TestPlainBuildVersion(t *testing.T) {
	out, err := exec.Command(exporterBinary(t), "--version").CombinedOutput()
	if want := "support_exporter, version " + supportexporter.Version() + " "; err != nil || !strings.HasPrefix(string(out), want) {
		t.Errorf("--version: %v\n%s\nwant it to start with %q", err, out, want)
	}
}

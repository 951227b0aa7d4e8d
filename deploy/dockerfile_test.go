package deploy

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	supportexporter "github.com/support-exporter/support_exporter"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// parseDockerfile reads the instructions of a Dockerfile (comments and
// blank lines dropped, `\` continuations joined).
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if s, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// stages splits the instructions at each FROM.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

// TestDockerfile checks, without a Docker engine, what makes the image
// multi-arch, non-root and versioned from VERSION.
func TestDockerfile(t *testing.T) {
	st := stages(parseDockerfile(readFile(t, "Dockerfile")))
	if len(st) != 2 {
		t.Fatalf("%d stages, want build and runtime", len(st))
	}
	build, final := st[0], st[1]

	// Build stage: on the builder's platform, cross-compiling to the target's.
	if from := build[0].args; !strings.HasPrefix(from, "--platform=$BUILDPLATFORM ") || !strings.HasSuffix(from, " AS build") {
		t.Errorf("build stage FROM %q: want --platform=$BUILDPLATFORM ... AS build", from)
	}
	args := map[string]string{}
	var runs []string
	for _, in := range build {
		switch in.cmd {
		case "ARG":
			name, def, _ := strings.Cut(in.args, "=")
			args[name] = def
		case "RUN":
			runs = append(runs, in.args)
		}
	}
	for _, a := range []string{"TARGETOS", "TARGETARCH", "VERSION", "REVISION"} {
		if _, ok := args[a]; !ok {
			t.Errorf("build stage: no ARG %s", a)
		}
	}
	if args["VERSION"] != "" {
		t.Errorf("ARG VERSION=%s: the default must come from the VERSION file", args["VERSION"])
	}
	buildRun := ""
	for _, r := range runs {
		if strings.Contains(r, "make build") {
			buildRun = r
		}
	}
	for _, want := range []string{"GOOS=${TARGETOS}", "GOARCH=${TARGETARCH}", `VERSION="${VERSION:-$(cat VERSION)}"`, `REVISION="${REVISION}"`} {
		if !strings.Contains(buildRun, want) {
			t.Errorf("the RUN of make build lacks %s: %q", want, buildRun)
		}
	}
	// make build is static (CGO_ENABLED=0) and -trimpath.
	if !regexp.MustCompile(`(?m)^build:\n\tCGO_ENABLED=0 \$\(GO\) build -trimpath `).MatchString(readFile(t, "Makefile")) {
		t.Error("Makefile: build is not `CGO_ENABLED=0 $(GO) build -trimpath ...`")
	}

	// Runtime stage: distroless static, non-root, labelled.
	if from := final[0].args; !strings.HasPrefix(from, "gcr.io/distroless/static") || !strings.HasSuffix(from, ":nonroot") {
		t.Errorf("runtime stage FROM %q: want distroless static :nonroot", from)
	}
	var user, labels string
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "LABEL":
			labels += in.args
		case "COPY":
			// Files copied from the context exist in the repository.
			if m := regexp.MustCompile(`--from=build (/src/\S+(?: /src/\S+)*) `).FindStringSubmatch(in.args); m != nil {
				for _, p := range strings.Fields(m[1]) {
					rel := strings.TrimPrefix(p, "/src/")
					if rel == "support_exporter" {
						continue
					}
					readFile(t, rel)
				}
			}
		}
	}
	if user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("USER %q: want the distroless nonroot user", user)
	}
	for _, l := range []string{`org.opencontainers.image.version="${VERSION}"`, `org.opencontainers.image.revision="${REVISION}"`,
		`org.opencontainers.image.source=`, `org.opencontainers.image.licenses="Apache-2.0"`} {
		if !strings.Contains(labels, l) {
			t.Errorf("no label %s", l)
		}
	}

	// No version written into the Dockerfile: VERSION is the one source.
	text := readFile(t, "Dockerfile")
	if v := supportexporter.Version(); strings.Contains(text, v) {
		t.Errorf("Dockerfile holds the version %s: take it from VERSION", v)
	}
	if m := regexp.MustCompile(`ARG VERSION=\S+`).FindString(text); m != "" {
		t.Errorf("Dockerfile: %s hard-codes a version", m)
	}

	// The Makefile's docker target passes what the context cannot give.
	mk := readFile(t, "Makefile")
	for _, a := range []string{"--build-arg VERSION=$(VERSION)", "--build-arg REVISION=$(REVISION)", "--platform $(DOCKER_PLATFORMS)"} {
		if !strings.Contains(mk, a) {
			t.Errorf("Makefile docker target lacks %s", a)
		}
	}
}

// TestDockerignore: build outputs, caches and .git stay out of the context,
// and nothing the build needs is left out.
func TestDockerignore(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(readFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimSuffix(l, "/"))
		}
	}
	for _, p := range []string{".git", "dist", ".cache", "data", "support_exporter"} {
		if !slices.Contains(patterns, p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
	ignored := func(path string) bool {
		for _, p := range patterns {
			if strings.HasPrefix(p, "!") {
				continue
			}
			// A pattern excludes the path or one of its parents.
			for q := path; q != "." && q != "/"; q = filepath.Dir(q) {
				if ok, _ := filepath.Match(p, q); ok {
					return true
				}
			}
		}
		return false
	}
	for _, need := range []string{"go.mod", "go.sum", "VERSION", "Makefile", "LICENSE", "NOTICE",
		"examples/support_exporter.yml", "cmd/support_exporter/main.go", "version.go"} {
		if ignored(need) {
			t.Errorf(".dockerignore excludes %s, which the build needs", need)
		}
	}
}

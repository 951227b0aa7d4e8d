package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPrometheus3PassListsEveryPrometheusTest: make test runs the tests that
// start Prometheus or run promtool a second time, with Prometheus 3, by the
// names in the Makefile's PROMETHEUS_TESTS. A test that uses them and is
// missing there would be tested with Debian's 2.x only; a name there that
// no longer uses them (or no longer exists) runs for nothing.
func TestPrometheus3PassListsEveryPrometheusTest(t *testing.T) {
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PROMETHEUS_TESTS\s*:?=\s*\^\((.*)\)\$\$\s*$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile has no line PROMETHEUS_TESTS := ^(TestA|TestB)$$")
	}
	listed := strings.Split(string(m[1]), "|")
	slices.Sort(listed)

	// What execs prometheus or promtool, in each package.
	var found []string
	found = append(found, testsCalling(t, ".", map[string]bool{"startPrometheus": true, "promtoolLint": true})...)
	found = append(found, testsCalling(t, "../alerts", map[string]bool{"promtool": true})...)
	slices.Sort(found)
	if !slices.Equal(found, listed) {
		t.Errorf("the Makefile's PROMETHEUS_TESTS must list exactly the tests that run Prometheus or promtool:\nlisted: %s\nfound:  %s\nwant:   PROMETHEUS_TESTS := ^(%s)$$",
			strings.Join(listed, "|"), strings.Join(found, "|"), strings.Join(found, "|"))
	}
	if !slices.Contains(found, "TestDashboardsAndAlertsAgainstPrometheus") || !slices.Contains(found, "TestPromtoolUnitTests") {
		t.Errorf("the analysis lost a test known to run Prometheus: found %v", found)
	}
}

// testsCalling returns the Test functions of the _test.go files in dir that
// call, directly or through other functions or methods of those files, one
// of roots, or lookPath or toolPath with "prometheus" or "promtool". Callees
// are matched by name alone (a method by its name), which can only add
// tests.
func testsCalling(t *testing.T, dir string, roots map[string]bool) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s (%v)", dir, err)
	}
	calls := map[string]map[string]bool{}
	uses := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if calls[name] == nil {
				calls[name] = map[string]bool{}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var callee string
				switch f := call.Fun.(type) {
				case *ast.Ident:
					callee = f.Name
				case *ast.SelectorExpr:
					callee = f.Sel.Name
				}
				calls[name][callee] = true
				if callee == "lookPath" || callee == "toolPath" {
					for _, arg := range call.Args {
						if lit, ok := arg.(*ast.BasicLit); ok {
							if s, _ := strconv.Unquote(lit.Value); s == "prometheus" || s == "promtool" {
								uses[name] = true
							}
						}
					}
				}
				return true
			})
		}
	}
	// Spread "uses" from callees to callers until nothing changes.
	for changed := true; changed; {
		changed = false
		for caller, callees := range calls {
			if uses[caller] {
				continue
			}
			for callee := range callees {
				if roots[callee] || uses[callee] {
					uses[caller], changed = true, true
					break
				}
			}
		}
	}
	var tests []string
	for name := range calls {
		if strings.HasPrefix(name, "Test") && name != "TestMain" && uses[name] {
			tests = append(tests, name)
		}
	}
	return tests
}

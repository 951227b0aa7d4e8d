//go:build tools

// Package tools pins Helm, used by CI (.ci/run) to lint and template the
// chart in deploy/helm/support-exporter. It lives in its own module so that
// Helm's large dependency tree never enters the exporter's go.mod. Build:
//
//	go build -C internal/tools/helm -o DIR/helm helm.sh/helm/v4/cmd/helm
package tools

import _ "helm.sh/helm/v4/cmd/helm"

// Package deploy holds no code: its tests keep true the ways
// support_exporter is shipped and run. The Helm chart (helm/support-exporter,
// whose rules and dashboards are generated here from the alerts and
// dashboards packages: `go test ./deploy -update`), the release tarballs
// (`make release`), the Dockerfile and .dockerignore, the systemd units
// (examples/systemd) and the NOTICE file. docs/install.md describes them.
//
// Under -short only the tests that need no built binary and no Helm run.
package deploy

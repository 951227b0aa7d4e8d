// Package collectortest holds the test scaffolding every collector package
// needs the same way: the Env the exporter builds, an emit func that keeps
// the batches, testdata and time helpers, the HTTP answers a fake vendor
// gives when it fails, and the assertions every collector's table tests
// repeat. Only tests import it; fakes that speak one vendor's API stay in
// that collector's package.
package collectortest

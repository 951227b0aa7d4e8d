package collectortest

import (
	"net/http"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/config"
)

// Timeout is the request timeout of the Env's client: long enough never to
// fire against a fake on 127.0.0.1, short enough that a hung test says so.
const Timeout = 10 * time.Second

// Env is the environment the exporter builds for a source of kind at
// rawURL: hc sends every request through a fetch.Client with the source's
// own limits, and the clock is time.Now. Tests set what else they need
// (HistoryStart, config fields, Vendor rules) on the result.
func Env(kind, rawURL string, hc *http.Client) source.Env {
	limits := fetch.NewLimits()
	return source.Env{
		Config: &config.Source{Name: "test", Kind: kind, URL: rawURL},
		Vendor: &config.Vendor{Name: "acme"},
		HTTP:   fetch.New(hc, limits, fetch.Options{Timeout: Timeout}),
		Limits: limits,
		Now:    time.Now,
	}
}

// NewSource builds a source with factory and fails the test when it is
// refused: the tests that use it are about syncing, not about New.
func NewSource(tb testing.TB, factory source.Factory, env source.Env) source.Source {
	tb.Helper()
	src, err := factory(env)
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

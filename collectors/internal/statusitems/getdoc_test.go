package statusitems

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

func TestGetDoc(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/number", collectortest.ServeJSON(`42`))
	mux.Handle("/word", collectortest.ServeJSON(`"forty-two"`))
	mux.HandleFunc("/gone", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := fetch.New(srv.Client(), fetch.NewLimits(), fetch.Options{})
	decodeInt := func(b []byte) (int, error) { return strconv.Atoi(string(b)) }

	tests := []struct {
		path       string
		want       int
		wantReason string // "" for success
	}{
		{"/number", 42, ""},
		{"/word", 0, fetch.ReasonDecode},
		{"/gone", 0, fetch.ReasonHTTP},
	}
	for _, tt := range tests {
		got, err := GetDoc(context.Background(), client, srv.URL+tt.path, decodeInt)
		if tt.wantReason == "" {
			if err != nil || got != tt.want {
				t.Errorf("%s: got %d, %v; want %d", tt.path, got, err, tt.want)
			}
			continue
		}
		var fe *fetch.Error
		if !errors.As(err, &fe) || fe.Reason != tt.wantReason || got != 0 {
			t.Errorf("%s: got %d, %v; want reason %s and zero", tt.path, got, err, tt.wantReason)
		}
	}
}

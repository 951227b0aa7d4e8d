package simulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSlackRemoveApp: an app taken out of the channel reads not_in_channel
// on both methods until it is invited back.
func TestSlackRemoveApp(t *testing.T) {
	c := newClock(testStart)
	s := startSim(t, c, Options{Seed: 3, Vendors: []Vendor{vendor("chat", ChatOfficeHours, 20)}})
	w := s.worlds["chat"]
	answer := func(path string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path+"?channel="+w.slackChannel()+"&ts=1.000100", nil)
		r.Header.Set("Authorization", "Bearer "+w.slackToken())
		rec := httptest.NewRecorder()
		s.apis[apiKey{"chat", KindSlack}].ServeHTTP(rec, r)
		var p struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: HTTP %d %q: %v", path, rec.Code, rec.Body, err)
		}
		if p.OK {
			return "ok"
		}
		return p.Error
	}
	if got := answer(slackHistoryPath); got != "ok" {
		t.Fatalf("history before: %s", got)
	}
	if !s.SlackRemoveApp("chat", true) {
		t.Fatal("SlackRemoveApp found no slack API")
	}
	for _, path := range []string{slackHistoryPath, slackRepliesPath} {
		if got := answer(path); got != "not_in_channel" {
			t.Errorf("%s with the app removed: %s, want not_in_channel", path, got)
		}
	}
	s.SlackRemoveApp("chat", false)
	if got := answer(slackHistoryPath); got != "ok" {
		t.Errorf("history once invited back: %s", got)
	}
	if s.SlackRemoveApp("nobody", true) {
		t.Error("SlackRemoveApp reports a vendor that does not exist")
	}
}

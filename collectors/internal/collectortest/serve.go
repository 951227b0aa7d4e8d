package collectortest

import (
	"encoding/json"
	"net/http"
)

// JSONType is the Content-Type vendors' JSON APIs answer with.
const JSONType = "application/json; charset=utf-8"

// WriteJSON answers status with v encoded as JSON, as a fake API's handler
// does for its regular and its error responses.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", JSONType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteBody answers body as it is under contentType; "" sends none, and
// net/http sniffs one. The collectors must judge a body by what it holds,
// whatever it is labelled.
func WriteBody(w http.ResponseWriter, contentType, body string) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	_, _ = w.Write([]byte(body))
}

// WriteCut is WriteBody cut short: it promises a longer body than it sends,
// as when a connection drops mid-response.
func WriteCut(w http.ResponseWriter, contentType, body string) {
	w.Header().Set("Content-Length", "100000")
	WriteBody(w, contentType, body)
}

// ServeJSON is a handler that answers body labelled JSON (see WriteBody).
func ServeJSON(body string) http.HandlerFunc {
	return ServeBody(JSONType, body)
}

// ServeBody is a handler that answers with WriteBody.
func ServeBody(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { WriteBody(w, contentType, body) }
}

// ServeCut is a handler that answers with WriteCut.
func ServeCut(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { WriteCut(w, contentType, body) }
}

// ServeStatus is a handler that answers code with a plain-text body, as a
// proxy or a misconfigured server in front of the API does.
func ServeStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", code) }
}

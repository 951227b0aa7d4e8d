package lark

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// apiError is the Open API's error code and message of a failed answer.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("lark error code %d: %s", e.code, e.msg)
	if hint := hints[e.code]; hint != "" {
		s += " (" + hint + ")"
	}
	return s
}

// Error codes the collector acts on (open.feishu.cn, "Server-side error
// codes" and the message API's reference).
const (
	codeRateLimited     = 99991400 // the gateway's frequency limit
	codeTokenMissing    = 99991661
	codeTokenInvalid    = 99991663
	codeTokenInvalid2   = 99991664
	codeTokenInvalid3   = 99991665
	codeTokenInvalid4   = 99991668
	codeTokenExpired    = 99991677
	codeScopeMissing    = 99991672 // the app lacks a permission the method needs
	codeAppUnavailable  = 99991679
	codeBadParam        = 230001
	codeBotOutside      = 230002 // the app's bot is not in the chat
	codeBotDisabled     = 230006
	codeNoAvailability  = 230013
	codeFrequencyLimit  = 230020
	codeNoPermission    = 230027
	codeTokenBadSecret  = 10014 // the token endpoint: app secret invalid
	codeTokenBadAppID   = 10003
	codeTokenAppBlocked = 10015
)

// hints say what to do about a code, in the error.
var hints = map[int]string{
	codeBotOutside:   "add the app's bot to the chat",
	codeBotDisabled:  "enable the app's bot ability and publish a version",
	codeScopeMissing: "grant the app im:message.group_msg (or im:message:readonly) and publish a version",
	codeNoPermission: "grant the app im:message.group_msg (or im:message:readonly) and publish a version",
	codeTokenInvalid: "the tenant_access_token was refused",
}

func tokenRefused(code int) bool {
	switch code {
	case codeTokenMissing, codeTokenInvalid, codeTokenInvalid2, codeTokenInvalid3, codeTokenInvalid4, codeTokenExpired:
		return true
	}
	return false
}

// reasonOf maps an Open API code to a support_source_errors_total reason;
// ok is false for a code that says nothing more than the HTTP status.
// Every failure of the token request but a rate limit is auth: the app id
// or secret is wrong, or the app is disabled.
func reasonOf(code int, token bool) (string, bool) {
	switch {
	case code == codeRateLimited || code == codeFrequencyLimit:
		return fetch.ReasonRateLimited, true
	case token, tokenRefused(code):
		return fetch.ReasonAuth, true
	}
	switch code {
	case codeScopeMissing, codeAppUnavailable, codeBotOutside, codeBotDisabled, codeNoAvailability, codeNoPermission,
		codeTokenBadSecret, codeTokenBadAppID, codeTokenAppBlocked:
		return fetch.ReasonAuth, true
	}
	return "", false
}

// apiFailure is the error of an answer whose envelope has a non-zero
// code.
func apiFailure(method, u string, status int, env envelope, token bool) error {
	reason, ok := reasonOf(env.Code, token)
	if !ok {
		reason = fetch.ReasonHTTP
	}
	if method == http.MethodGet {
		method = ""
	}
	return &fetch.Error{Reason: reason, Method: method, URL: u, Status: status, Err: &apiError{env.Code, clip(env.Msg)}}
}

// classify reads the Open API's envelope from a failed request's body (a
// 400 with {code, msg}), where there is one: its code says more than the
// status (a 400 is the bot outside the chat, or a token refused).
func classify(err error, token bool) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) || len(fe.Body) == 0 {
		return err
	}
	var env envelope
	if json.Unmarshal(fe.Body, &env) != nil || env.Code == 0 {
		return err
	}
	out := *fe
	out.Body = nil
	out.Err = &apiError{env.Code, clip(env.Msg)}
	if reason, ok := reasonOf(env.Code, token); ok {
		out.Reason = reason
	}
	return &out
}

// codeOf is the Open API code behind err, or 0.
func codeOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.code
	}
	return 0
}

// clip keeps a vendor's message short in our errors.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

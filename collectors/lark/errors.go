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
	codeRateLimited    = 99991400 // the gateway's frequency limit
	codeTokenMissing   = 99991661
	codeTokenInvalid   = 99991663
	codeTokenInvalid2  = 99991664
	codeTokenInvalid3  = 99991665
	codeTokenInvalid4  = 99991668
	codeTokenExpired   = 99991677
	codeScopeMissing   = 99991672 // the app lacks a permission the method needs
	codeAppUnavailable = 99991679
	codeBadParam       = 230001
	codeRecalled       = 230011 // the message was recalled
	codeDeleted        = 230110 // the message was deleted
	codeBotOutside     = 230002 // the app's bot is not in the chat
	codeBotDisabled    = 230006
	codeNoAvailability = 230013
	codeFrequencyLimit = 230020
	codeNoPermission   = 230027
	// The token endpoint's codes for credentials it refuses.
	codeTokenBadAppID   = 10003 // invalid param: no or an unknown app_id
	codeTokenBadSecret  = 10014 // app secret invalid
	codeTokenAppBlocked = 10015 // the app is disabled or deleted
)

// scopesHint: reading a group's messages takes a read scope and, for all
// of them rather than those that mention the bot, the group scope too.
const scopesHint = "grant the app both im:message:readonly and im:message.group_msg, and publish a version"

// hints say what to do about a code, in the error.
var hints = map[int]string{
	codeBotOutside:   "add the app's bot to the chat",
	codeBotDisabled:  "enable the app's bot ability and publish a version",
	codeScopeMissing: scopesHint,
	codeNoPermission: scopesHint,
	codeTokenInvalid: "the tenant_access_token was refused",
}

// threadGone reports whether code, the answer to a topic thread's
// listing, says the thread cannot be read, now or later: its id no
// longer valid (230001, an invalid parameter: the thread's id is the only
// one that varies), its message recalled (230011) or deleted (230110).
// Lark documents these codes for the message API; it does not document
// which of them a thread's listing answers.
func threadGone(code int) bool {
	switch code {
	case codeBadParam, codeRecalled, codeDeleted:
		return true
	}
	return false
}

func tokenRefused(code int) bool {
	switch code {
	case codeTokenMissing, codeTokenInvalid, codeTokenInvalid2, codeTokenInvalid3, codeTokenInvalid4, codeTokenExpired:
		return true
	}
	return false
}

// reasonOf maps an Open API code to a support_source_errors_total reason;
// ok is false for a code that says nothing more than the HTTP status. Of
// the token request's failures only the credential codes are auth (the
// app id or secret wrong, the app disabled); its others say no more than
// the status (http), and a network failure stays network.
func reasonOf(code int, token bool) (string, bool) {
	if code == codeRateLimited || code == codeFrequencyLimit {
		return fetch.ReasonRateLimited, true
	}
	if token {
		switch code {
		case codeTokenBadAppID, codeTokenBadSecret, codeTokenAppBlocked:
			return fetch.ReasonAuth, true
		}
		return "", false
	}
	if tokenRefused(code) {
		return fetch.ReasonAuth, true
	}
	switch code {
	case codeScopeMissing, codeAppUnavailable, codeBotOutside, codeBotDisabled, codeNoAvailability, codeNoPermission:
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

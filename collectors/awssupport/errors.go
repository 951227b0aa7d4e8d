package awssupport

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// classify reads the AWS error envelope a refused request's answer holds
// (fetch.Error.Body) into its reason and error; err is returned as it is
// when there is none (a gateway's HTML, no answer).
func classify(err error) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) || len(fe.Body) == 0 {
		return err
	}
	reason, typed := refused(fe.Status, fe.Body)
	if reason == "" {
		return err
	}
	out := *fe
	out.Body = nil
	out.Reason, out.Err = reason, typed
	return &out
}

// errCaseIDNotFound is AWS's CaseIdNotFound: a caseIdList naming a case
// it does not know, or a DescribeCommunications of one.
var errCaseIDNotFound = errors.New("CaseIdNotFound: AWS knows no such case")

// skewed tells AWS's refusal of a request dated more than 5 minutes from
// its own clock: "Signature expired: 20151120T200815Z is now earlier than
// 20151120T201846Z (20151120T202346Z - 5 min.)", or "Signature not yet
// current: ... is still later than ...". Only these prefixes are read.
func skewed(message string) bool {
	return strings.HasPrefix(message, "Signature expired:") || strings.HasPrefix(message, "Signature not yet current:")
}

// refused reads an AWS JSON 1.1 error ({"__type": ..., "message": ...})
// into a reason (docs/sources.md, `aws_support`). Only the type is kept:
// AWS's messages may repeat the canonical request; a signature's
// refusal for its date is told by the message's start, never quoted.
func refused(status int, body []byte) (string, error) {
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil || e.Type == "" {
		return "", nil
	}
	// The type may be qualified: "com.amazon.coral.service#ThrottlingException".
	typ := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	if len(typ) > 64 || strings.ContainsFunc(typ, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') }) {
		return "", nil
	}
	switch typ {
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded":
		return fetch.ReasonRateLimited, errors.New(typ + ": AWS throttled the account's Support API calls")
	case "SubscriptionRequiredException":
		return fetch.ReasonAuth, errors.New(typ + ": the AWS Support API needs a Business, Enterprise On-Ramp or Enterprise Support plan " +
			"(or their successors) on the account (docs/sources.md, aws_support)")
	case "AccessDeniedException":
		return fetch.ReasonAuth, errors.New(typ + ": the identity may not call the Support API; its policy needs " +
			"support:DescribeCases and support:DescribeCommunications")
	case "CaseIdNotFound":
		return fetch.ReasonHTTP, errCaseIDNotFound
	case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
		"IncompleteSignatureException", "MissingAuthenticationTokenException", "ExpiredTokenException", "InvalidAccessKeyId":
		if skewed(e.Message) {
			return fetch.ReasonAuth, errors.New(typ + ": clock skew: AWS refused the signature's date, more than 5 minutes " +
				"from its own clock; the credentials may be right: set this host's clock right (NTP)")
		}
		return fetch.ReasonAuth, errors.New(typ + ": AWS refused the credentials or their signature")
	}
	// Another type: the status's reason, the type named.
	switch status {
	case http.StatusTooManyRequests:
		return fetch.ReasonRateLimited, errors.New(typ)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fetch.ReasonAuth, errors.New(typ)
	}
	return fetch.ReasonHTTP, errors.New(typ)
}

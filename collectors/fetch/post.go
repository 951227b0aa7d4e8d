package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Post is a POST request: APIs whose every call is a POST to one URL (AWS's
// JSON protocol, docs/sources.md `aws_support`) name the page to read in
// the body.
type Post struct {
	URL    string
	Header http.Header
	Body   []byte
	// Sign, when set, signs the request (AWS Signature Version 4) just
	// before it is sent, after its rate limits allowed it; an error fails
	// the request with ReasonAuth, unsent. Sign must never log what it
	// adds.
	Sign func(*http.Request) error
	// Refused, when set, reads the body of a non-2xx answer (its first
	// 64 KiB) into the reason and the error to report: APIs that answer
	// a spent quota with 400 and a body naming it. A reason "" keeps the
	// status's. The error must not repeat the body: it may echo the
	// request.
	Refused func(status int, body []byte) (reason string, err error)
}

// Post sends p under the same policy as Get: rate limits, budget, the loop
// check (the same URL and body answered twice in a sync is a loop), the
// timeout and the size cap.
func (c *Client) Post(ctx context.Context, p Post) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		fe := classifyTransport(stripQuery(p.URL), err)
		fe.Method = http.MethodPost
		return nil, fe
	}
	for k, v := range p.Header {
		req.Header[k] = v
	}
	return c.do(ctx, req, p.URL, postKey(p.URL, p.Header, p.Body), &hooks{sign: p.Sign, refused: p.Refused})
}

// PostJSON is Post decoding the JSON answer into v, as GetJSON.
func (c *Client) PostJSON(ctx context.Context, p Post, v any) (*Response, error) {
	resp, err := c.Post(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, &Error{Method: http.MethodPost, Reason: ReasonDecode, URL: stripQuery(p.URL), Status: resp.Status, Err: err}
	}
	resp.Body = nil
	return resp, nil
}

// postKey identifies a POST for the loop check: its URL, its headers (an
// operation may be named in one: AWS's X-Amz-Target) and its body. The
// signature, added later, is not part of it.
func postKey(rawURL string, h http.Header, body []byte) [sha256.Size]byte {
	d := sha256.New()
	d.Write([]byte("POST\x00" + rawURL + "\x00"))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(d, "%s:%s\x00", k, v)
		}
	}
	d.Write(body)
	var key [sha256.Size]byte
	d.Sum(key[:0])
	return key
}

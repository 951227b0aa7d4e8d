package fetch

import (
	"context"
	"net/http"
)

// Write is a change sent to a vendor. Only the off-hours drill writes
// (collectors/source.Creator: a ticket filed as the buyer, a comment on
// it); nothing that syncs ever does.
type Write struct {
	Method string // http.MethodPost or http.MethodPut
	URL    string
	Header http.Header
	Body   []byte
}

// Send sends w once under the same policy as Get: timeout, size cap,
// rate limits and the failure reasons; it is never retried here. Outside a
// sync (StartSync) no budget or loop check applies. A non-2xx answer is an
// *Error whose Body holds the vendor's error envelope.
func (c *Client) Send(ctx context.Context, w Write) (*Response, error) {
	return c.do(ctx, outgoing{method: w.Method, url: w.URL, header: w.Header, body: w.Body})
}

package statusitems

import (
	"context"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// GetDoc fetches rawURL and decodes its body. A body that is not the
// expected document is a decode error, so it is counted under reason
// "decode" rather than as a transport failure.
func GetDoc[T any](ctx context.Context, c *fetch.Client, rawURL string, decode func([]byte) (T, error)) (T, error) {
	var zero T
	resp, err := c.Get(ctx, rawURL, nil)
	if err != nil {
		return zero, err
	}
	doc, err := decode(resp.Body)
	if err != nil {
		return zero, fetch.DecodeError(rawURL, err)
	}
	return doc, nil
}

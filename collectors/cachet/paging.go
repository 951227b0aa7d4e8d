package cachet

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// perPage is the page size asked for: Cachet's default is 20 and 2.4 sets
// no maximum, so larger pages mean fewer requests per poll.
const perPage = 100

// list is one list endpoint and the query it is read with.
type list struct {
	url   string     // the endpoint, without a query
	query url.Values // sort and order, where wanted; page and per_page are added
}

// walk reads every page of l, checking items with check, until the last
// page, an empty page, or a page for which done returns true (the pages are
// newest first and the rest is older than wanted). A page that is not the
// one asked for is a decode error: following it could loop forever.
func walk[W, T any](ctx context.Context, c *fetch.Client, l list, check func(W) (T, error), done func([]T) bool) ([]T, error) {
	var all []T
	for n := 1; ; n++ {
		q := url.Values{}
		for k, v := range l.query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(perPage))
		pageURL := l.url + "?" + q.Encode()
		resp, err := c.Get(ctx, pageURL, nil)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", n, err)
		}
		items, p, err := decodePage(resp.Body, check)
		if err == nil && p.CurrentPage != n {
			err = fmt.Errorf("asked for page %d, got current_page %d", n, p.CurrentPage)
		}
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", n, fetch.DecodeError(pageURL, err))
		}
		all = append(all, items...)
		if n >= p.TotalPages || len(items) == 0 || done(items) {
			return all, nil
		}
	}
}

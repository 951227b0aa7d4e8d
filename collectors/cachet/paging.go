package cachet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/exporter/door"
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
// newest first and the rest is older than wanted).
//
// A vendor must not lead the walk in a circle, whatever it sends: a page
// that says it is one already read (current_page), a page whose items were
// all listed before (id), and more pages than the first page's total_pages
// announced, plus one for items published during the walk (each shifts the
// newest-first list down), end the sync with a loop error. Any other
// current_page than the one asked for is a decode error.
func walk[W, T any](ctx context.Context, c *fetch.Client, l list, check func(W) (T, error), id func(T) string, done func([]T) bool) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	maxPages := 0 // set by the first page
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
		if err == nil && int(p.CurrentPage) != n {
			if p.CurrentPage >= 1 && int(p.CurrentPage) < n {
				return nil, fmt.Errorf("page %d: %w", n, fetch.LoopError(pageURL,
					fmt.Errorf("asked for page %d, got page %d again", n, p.CurrentPage)))
			}
			err = fmt.Errorf("asked for page %d, got current_page %d", n, p.CurrentPage)
		}
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", n, fetch.DecodeError(pageURL, err))
		}
		if n == 1 {
			maxPages = int(p.TotalPages) + 1
		}
		fresh := 0
		for _, it := range items {
			if k := id(it); !seen[k] {
				seen[k] = true
				fresh++
			}
		}
		if len(items) > 0 && fresh == 0 {
			return nil, fmt.Errorf("page %d: %w", n, fetch.LoopError(pageURL,
				errors.New("every item on the page was listed on an earlier page")))
		}
		all = append(all, items...)
		if n >= int(p.TotalPages) || len(items) == 0 || done(items) {
			return all, nil
		}
		if n >= maxPages {
			return nil, fmt.Errorf("page %d: %w", n, fetch.LoopError(pageURL,
				fmt.Errorf("total_pages %d, but the first page announced %d", p.TotalPages, maxPages-1)))
		}
	}
}

// reachedBefore returns the done func of a newest-first list: a page is the
// last one wanted once its oldest item (the last listed) was created before
// start. An item whose created_at is implausible (door.Bounds) says nothing
// about where the page lies, and is passed over: a forged far-past time
// would otherwise end the walk and lose every later page.
func reachedBefore[T any](start time.Time, bounds door.Bounds, created func(T) time.Time) func([]T) bool {
	return func(page []T) bool {
		for i := len(page) - 1; i >= 0; i-- {
			if t := created(page[i]); bounds.Check(t) == "" {
				return t.Before(start)
			}
		}
		return false
	}
}

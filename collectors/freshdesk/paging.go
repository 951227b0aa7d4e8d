package freshdesk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
)

// perPage is the largest page Freshdesk's list endpoints serve.
const perPage = 100

// maxTicketPages is the last page of a ticket list query Freshdesk serves
// (page 301 is refused).
const maxTicketPages = 300

// maxBodyBytes caps a response. A page of 100 tickets with their stats is
// about 100 KB (the simulator's; a real one is 1.4 KB, without the
// description, which the list leaves out), a page of conversations a few
// KB with short replies; the cap leaves room for a page of 100 long email
// replies, each sent twice (body and body_text).
const maxBodyBytes = 8 << 20

// listPage is one response of a list endpoint.
type listPage struct {
	url  string
	body []byte
	// next is set when the Link header has a rel="next" target: Freshdesk
	// omits it on the last page.
	next bool
	// served is the response's Date; zero when absent or unreadable.
	served time.Time
}

// list fetches page n (counted from 1) of the list endpoint at path.
func (c *collector) list(ctx context.Context, path string, query url.Values, n int) (listPage, error) {
	q := url.Values{"per_page": {strconv.Itoa(perPage)}}
	maps.Copy(q, query)
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	u := c.api.JoinPath(path)
	u.RawQuery = q.Encode()
	resp, err := c.http.Get(ctx, u.String(), nil)
	if err != nil {
		return listPage{}, err
	}
	served, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil || c.bounds.Check(served) != "" {
		// Unknown: every ticket counts as recent (settleMargin).
		served = time.Time{}
	}
	return listPage{url: u.String(), body: resp.Body, next: hasNextLink(resp.Header.Values("Link")), served: served}, nil
}

// conversations fetches every page of a ticket's conversations. Pages that
// go on without bringing a new conversation end the sync (reason loop).
func (c *collector) conversations(ctx context.Context, ticketID int64) ([]apiConversation, error) {
	path := "tickets/" + strconv.FormatInt(ticketID, 10) + "/conversations"
	var all []apiConversation
	seen := map[int64]bool{}
	for n := 1; ; n++ {
		p, err := c.list(ctx, path, nil, n)
		if err != nil {
			return nil, fmt.Errorf("freshdesk: ticket %d conversations page %d: %w", ticketID, n, err)
		}
		convs, err := decodeConversations(p.body)
		if err != nil {
			return nil, fmt.Errorf("freshdesk: ticket %d conversations page %d: %w", ticketID, n, fetch.DecodeError(p.url, err))
		}
		if p.next && !newIDs(seen, convs, func(cv apiConversation) int64 { return cv.ID }) {
			return nil, fmt.Errorf("freshdesk: ticket %d conversations page %d: %w", ticketID, n, fetch.LoopError(p.url, errNothingNew))
		}
		all = append(all, convs...)
		if !p.next {
			return all, nil
		}
	}
}

// newIDs records the ids of items in seen and reports whether one was new.
func newIDs[T any](seen map[int64]bool, items []T, id func(T) int64) bool {
	fresh := false
	for _, it := range items {
		if k := id(it); !seen[k] {
			seen[k] = true
			fresh = true
		}
	}
	return fresh
}

// viewTicket fetches one ticket with its stats; found is false when the
// ticket no longer exists.
func (c *collector) viewTicket(ctx context.Context, id int64) (t apiTicket, found bool, err error) {
	u := c.api.JoinPath("tickets", strconv.FormatInt(id, 10))
	u.RawQuery = url.Values{"include": {"stats"}}.Encode()
	resp, err := c.http.Get(ctx, u.String(), nil)
	if fe := (*fetch.Error)(nil); errors.As(err, &fe) && fe.Status == http.StatusNotFound {
		return apiTicket{}, false, nil
	}
	if err != nil {
		return apiTicket{}, false, fmt.Errorf("freshdesk: ticket %d: %w", id, err)
	}
	t, err = decodeTicket(resp.Body)
	if err == nil && *t.ID != id {
		err = fmt.Errorf("asked for ticket %d, got ticket %d", id, *t.ID)
	}
	if err != nil {
		return apiTicket{}, false, fmt.Errorf("freshdesk: ticket %d: %w", id, fetch.DecodeError(u.String(), err))
	}
	return t, true, nil
}

// errNothingNew: following such a page could go on forever.
var errNothingNew = errors.New(`the Link header names a next page after one without new items`)

// hasNextLink reports whether Link header values (RFC 8288) hold a target
// whose rel includes "next".
func hasNextLink(values []string) bool {
	for _, v := range values {
		for {
			open := strings.IndexByte(v, '<')
			if open < 0 {
				break
			}
			end := strings.IndexByte(v[open:], '>')
			if end < 0 {
				break
			}
			v = v[open+end+1:]
			params := v
			if next := strings.IndexByte(v, '<'); next >= 0 {
				params = v[:next]
			}
			if relIncludesNext(params) {
				return true
			}
		}
	}
	return false
}

// relIncludesNext reads the parameters after one link target
// (`; rel="next", ` and the like).
func relIncludesNext(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(value), ",")), `"`)
		for _, rel := range strings.Fields(value) {
			if strings.EqualFold(rel, "next") {
				return true
			}
		}
	}
	return false
}

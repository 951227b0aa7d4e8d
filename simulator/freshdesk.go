package simulator

import (
	"cmp"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Freshdesk's paging and listing limits.
const (
	fdDefaultPerPage = 30
	fdMaxPerPage     = 100
	fdMaxPage        = 300                 // the ticket list refuses page 301
	fdDefaultWindow  = 30 * 24 * time.Hour // lists without a since filter
	fdRateTotal      = 400                 // a Growth plan's per-minute credits, as advertised
)

// freshdeskAPI serves one vendor's tickets as Freshdesk's API v2: the
// ticket list, a ticket, its conversations and the satisfaction ratings,
// behind basic auth with an API key.
type freshdeskAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

// freshdeskKey is the vendor's Freshdesk API key, derived from its token.
func (w *world) freshdeskKey() string {
	return derivedID(w.id.token+"/freshdesk", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20)
}

func (a *freshdeskAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Date", a.clock().UTC().Format(http.TimeFormat))
	user, pass, ok := r.BasicAuth()
	if !ok || pass != "X" || subtle.ConstantTimeCompare([]byte(user), []byte(a.w.freshdeskKey())) != 1 {
		writeJSON(rw, http.StatusUnauthorized, fdMessage{"invalid_credentials", "You have to be logged in to perform this action."})
		return
	}
	q := r.URL.Query()
	cost := 1
	if q.Get("include") != "" {
		cost = 3 // each include costs two more credits
	}
	h := rw.Header()
	h.Set("X-Ratelimit-Total", strconv.Itoa(fdRateTotal))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(fdRateTotal-cost))
	h.Set("X-Ratelimit-Used-Currentrequest", strconv.Itoa(cost))
	if r.Method != http.MethodGet {
		writeJSON(rw, http.StatusMethodNotAllowed, fdMessage{"method_not_allowed", "GET is the only method served"})
		return
	}
	page, perPage, msg := fdPaging(q)
	if msg != "" {
		writeFdInvalid(rw, msg)
		return
	}
	now := a.clock().Unix()
	switch path := r.URL.Path; {
	case path == "/api/v2/tickets":
		a.serveTickets(rw, r, now, page, perPage)
	case path == "/api/v2/surveys/satisfaction_ratings":
		a.serveRatings(rw, r, now, page, perPage)
	case strings.HasPrefix(path, "/api/v2/tickets/"):
		a.serveTicket(rw, r, strings.TrimPrefix(path, "/api/v2/tickets/"), now, page, perPage)
	default:
		writeJSON(rw, http.StatusNotFound, fdMessage{"invalid_url", "Invalid URL"})
	}
}

type fdMessage struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeFdInvalid answers a request Freshdesk's validation refuses.
func writeFdInvalid(rw http.ResponseWriter, msg string) {
	type fieldError struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	writeJSON(rw, http.StatusBadRequest, struct {
		Description string       `json:"description"`
		Errors      []fieldError `json:"errors"`
	}{"Validation failed", []fieldError{{msg, "invalid_value"}}})
}

// fdPaging reads page and per_page as Freshdesk validates them.
func fdPaging(q url.Values) (page, perPage int, msg string) {
	page, perPage = 1, fdDefaultPerPage
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, "page: It should be a Positive Integer"
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > fdMaxPerPage {
			return 0, 0, "per_page: It should be a Positive Integer less than or equal to 100"
		}
		perPage = n
	}
	return page, perPage, ""
}

// fdSince reads a since filter; ok is false when it is malformed.
func fdSince(q url.Values, name string, now int64) (since int64, given, ok bool) {
	v := q.Get(name)
	if v == "" {
		return now - secs(fdDefaultWindow), false, true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return 0, true, false
	}
	return t.Unix(), true, true
}

// serveTickets answers GET /api/v2/tickets: with updated_since, the
// tickets updated at or after it; without, those created in the last 30
// days; ordered by order_by (created_at or updated_at) and order_type
// (desc unless asc).
func (a *freshdeskAPI) serveTickets(rw http.ResponseWriter, r *http.Request, now int64, page, perPage int) {
	q := r.URL.Query()
	since, given, ok := fdSince(q, "updated_since", now)
	if !ok {
		writeFdInvalid(rw, "updated_since: It should be a combined date and time in ISO 8601 format")
		return
	}
	orderBy := q.Get("order_by")
	if orderBy != "" && orderBy != "created_at" && orderBy != "updated_at" {
		writeFdInvalid(rw, "order_by: It should be one of these values: 'created_at,updated_at'")
		return
	}
	if page > fdMaxPage && endlessOf(r) == endlessNone { // a vendor paging without end would not stop there
		writeFdInvalid(rw, "You cannot access tickets beyond the 300th page. Please provide a smaller page number.")
		return
	}
	var hits []hit
	if given {
		hits = a.w.listed(since, now)
	} else {
		for _, h := range a.w.listed(0, now) {
			if a.w.shownCreated(h.ticket, now) >= since {
				hits = append(hits, h)
			}
		}
	}
	if orderBy != "updated_at" { // creation order is ticket order
		slices.SortFunc(hits, func(x, y hit) int { return x.ticket - y.ticket })
	}
	if q.Get("order_type") != "asc" {
		slices.Reverse(hits)
	}
	stats := slices.Contains(strings.Split(q.Get("include"), ","), "stats")
	from, to, more := pageBounds(len(hits), servedPage(r, page), perPage)
	out := make([]fdTicket, 0, to-from)
	for _, h := range hits[from:to] {
		s := stateAt(a.w.timeline(h.ticket), now)
		out = append(out, a.w.freshdeskTicket(&s, stats))
	}
	a.writePage(rw, r, out, page, more)
}

// serveTicket answers GET /api/v2/tickets/{id} and
// /api/v2/tickets/{id}/conversations.
func (a *freshdeskAPI) serveTicket(rw http.ResponseWriter, r *http.Request, rest string, now int64, page, perPage int) {
	idText, sub, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 || id > int64(a.w.ticketsBy(now)) || (sub != "" && sub != "conversations") || a.w.deleted(int(id-1), now) {
		writeJSON(rw, http.StatusNotFound, nil)
		return
	}
	s := stateAt(a.w.timeline(int(id-1)), now)
	if sub == "" {
		stats := slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "stats")
		writeJSON(rw, http.StatusOK, a.w.freshdeskTicket(&s, stats))
		return
	}
	convs := a.w.freshdeskConversations(&s)
	from, to, more := pageBounds(len(convs), servedPage(r, page), perPage)
	a.writePage(rw, r, append([]fdConversation{}, convs[from:to]...), page, more)
}

// serveRatings answers GET /api/v2/surveys/satisfaction_ratings: the
// ratings created at or after created_since (default: the last 30 days),
// oldest first.
func (a *freshdeskAPI) serveRatings(rw http.ResponseWriter, r *http.Request, now int64, page, perPage int) {
	since, _, ok := fdSince(r.URL.Query(), "created_since", now)
	if !ok {
		writeFdInvalid(rw, "created_since: It should be a combined date and time in ISO 8601 format")
		return
	}
	var all []fdRating
	for _, i := range a.w.changedSince(since, now) {
		tl := a.w.timeline(i)
		k := 0
		for _, st := range tl.steps {
			if st.at > now {
				break
			}
			if st.kind != stepRate {
				continue
			}
			if st.at >= since {
				all = append(all, a.w.freshdeskRating(tl, k, st.at, st.good))
			}
			k++
		}
	}
	slices.SortFunc(all, func(x, y fdRating) int {
		if x.CreatedAt != y.CreatedAt {
			return strings.Compare(x.CreatedAt, y.CreatedAt)
		}
		return cmp.Compare(x.ID, y.ID)
	})
	from, to, more := pageBounds(len(all), servedPage(r, page), perPage)
	a.writePage(rw, r, append([]fdRating{}, all[from:to]...), page, more)
}

// writePage answers one page of a list, with a Link rel="next" when more
// follows, as Freshdesk does; under an endless-pages fault, always.
func (a *freshdeskAPI) writePage(rw http.ResponseWriter, r *http.Request, items any, page int, more bool) {
	switch endlessOf(r) {
	case endlessSame:
		rw.Header().Set("Link", "<"+a.base()+r.URL.RequestURI()+`>; rel="next"`)
	case endlessGrowing:
		more = true
	}
	if more && rw.Header().Get("Link") == "" {
		next := r.URL.Query()
		next.Set("page", strconv.Itoa(page+1))
		rw.Header().Set("Link", "<"+a.base()+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	writeJSON(rw, http.StatusOK, items)
}

// pageBounds is the slice of n items on a page, and whether more follow.
func pageBounds(n, page, perPage int) (from, to int, more bool) {
	from = n
	if page-1 <= n/perPage { // a page far past the end must not overflow
		from = min((page-1)*perPage, n)
	}
	to = min(from+perPage, n)
	return from, to, to < n
}

package simulator

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	requestsPath       = "/api/v2/requests"
	requestsMaxPerPage = 100
)

// requestsAPI serves one vendor's tickets as Zendesk's Requests API sees
// them for an end user of the buyer: every ticket is one of the buyer's
// organization's requests, the requester's comments are the customer's,
// the agents' the vendor's. Cursor paging (page[size], page[after]),
// sort_by updated_at or created_at, sort_order asc or desc.
type requestsAPI struct {
	w       *world
	clock   func() time.Time
	base    func() string
	account window
}

// requestsUser is the buyer's end user: an email with "/token".
func requestsUser(vendor string) string { return "buyer@customer-of-" + vendor + ".example/token" }

// requestsToken is the end user's API token, derived from the vendor's.
func (w *world) requestsToken() string {
	return derivedID(w.id.token+"/requests", ghNodeAlphabet, 40)
}

func (a *requestsAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	ok, remaining, reset := a.account.take(time.Now())
	writeRateHeaders(rw.Header(), remaining, reset, a.account.limit > 0)
	rw.Header().Set("Date", a.clock().UTC().Format(http.TimeFormat))
	user, pass, authOK := r.BasicAuth()
	if !authOK || user != requestsUser(a.w.v.Name) || subtle.ConstantTimeCompare([]byte(pass), []byte(a.w.requestsToken())) != 1 {
		writeUnauthorized(rw)
		return
	}
	if !ok {
		writeRateLimited(rw, reset, "Number of allowed API requests per minute exceeded")
		return
	}
	now := a.clock().Unix()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == requestsPath:
		a.serveDrillCreate(rw, r, now)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, requestsPath+"/"):
		a.serveDrillUpdate(rw, r, now)
	case r.Method == http.MethodGet && r.URL.Path == requestsPath+"/search":
		a.serveDrillSearch(rw, r, now)
	case r.Method == http.MethodGet && r.URL.Path == usersMePath:
		a.serveMe(rw, now)
	case r.Method != http.MethodGet:
		writeZendeskError(rw, http.StatusNotFound, "InvalidEndpoint", "Not found")
	case r.URL.Path == requestsPath:
		a.serveList(rw, r, now)
	case strings.HasPrefix(r.URL.Path, requestsPath+"/") && strings.HasSuffix(r.URL.Path, "/comments"):
		idText := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, requestsPath+"/"), "/comments")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id < 1 || id > int64(a.w.ticketsBy(now)) || a.w.deleted(int(id-1), now) {
			writeZendeskError(rw, http.StatusNotFound, "RecordNotFound", "Not found")
			return
		}
		a.serveComments(rw, r, stateAt(a.w.timeline(int(id-1)), now))
	default:
		writeZendeskError(rw, http.StatusNotFound, "InvalidEndpoint", "Not found")
	}
}

// requestsPageSize reads page[size] (default and maximum 100).
func requestsPageSize(q url.Values) (int, bool) {
	v := q.Get("page[size]")
	if v == "" {
		return requestsMaxPerPage, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > requestsMaxPerPage {
		return 0, false
	}
	return n, true
}

// requestKey is a listed request's place in the order: its sort time and
// id. The page cursor is the key of the page's last request, so a request
// updated while a client walks moves ahead of it, as in Zendesk.
type requestKey struct{ at, id int64 }

func (k requestKey) cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(k.at, 10) + ":" + strconv.FormatInt(k.id, 10)))
}

func parseRequestKey(c string) (requestKey, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return requestKey{}, false
	}
	at, id, ok := strings.Cut(string(raw), ":")
	k1, err1 := strconv.ParseInt(at, 10, 64)
	k2, err2 := strconv.ParseInt(id, 10, 64)
	return requestKey{k1, k2}, ok && err1 == nil && err2 == nil
}

func (a *requestsAPI) serveList(rw http.ResponseWriter, r *http.Request, now int64) {
	q := r.URL.Query()
	size, ok := requestsPageSize(q)
	sortBy, order := cmp.Or(q.Get("sort_by"), "updated_at"), cmp.Or(q.Get("sort_order"), "asc")
	if !ok || (sortBy != "updated_at" && sortBy != "created_at") || (order != "asc" && order != "desc") {
		writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "Invalid page[size], sort_by or sort_order")
		return
	}
	hits := a.w.listed(0, now)
	keys := make([]requestKey, len(hits))
	for i, h := range hits {
		keys[i] = requestKey{h.at, int64(h.ticket) + 1}
		if sortBy == "created_at" {
			keys[i].at = a.w.shownCreated(h.ticket, now)
		}
	}
	compare := func(x, y requestKey) int { return cmp.Or(cmp.Compare(x.at, y.at), cmp.Compare(x.id, y.id)) }
	if unsorted(r) { // the sort asked for is ignored: id order
		for i := range keys {
			keys[i].at = 0
		}
	} else if order == "desc" {
		compare = func(x, y requestKey) int { return cmp.Or(cmp.Compare(y.at, x.at), cmp.Compare(y.id, x.id)) }
	}
	slices.SortFunc(keys, compare)
	start := 0
	if after := q.Get("page[after]"); after != "" {
		k, ok := parseRequestKey(after)
		if !ok {
			writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "page[after] is invalid")
			return
		}
		start, _ = slices.BinarySearchFunc(keys, k, func(e, t requestKey) int {
			return cmp.Or(compare(e, t), -1) // the first key strictly after k
		})
	}
	end := min(start+size, len(keys))
	page := requestsPage{Requests: make([]zRequest, 0, end-start)}
	base := a.base()
	for _, k := range keys[start:end] {
		s := stateAt(a.w.timeline(int(k.id-1)), now)
		rq := a.w.zendeskRequest(&s, base)
		a.w.dressDrill(&rq)
		page.Requests = append(page.Requests, rq)
	}
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		first := beforeAll
		if order == "desc" {
			first = requestKey{math.MaxInt64, math.MaxInt64}
		}
		page.setNext(r, base, cmp.Or(q.Get("page[after]"), first.cursor()))
	case end < len(keys) || (mode == endlessGrowing && end > start):
		page.setNext(r, base, keys[end-1].cursor())
	case mode == endlessGrowing: // past the end: a new cursor every time
		page.setNext(r, base, endlessKeyAfter(q.Get("page[after]")).cursor())
	}
	writeJSON(rw, http.StatusOK, page)
}

// serveComments answers a request's public comments, oldest first, the
// description first; page[after] is the base64 of the last comment's id.
func (a *requestsAPI) serveComments(rw http.ResponseWriter, r *http.Request, s ticketState) {
	q := r.URL.Query()
	size, ok := requestsPageSize(q)
	if !ok {
		writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "Invalid page[size]")
		return
	}
	comments := s.comments()
	start := 0
	if after := q.Get("page[after]"); after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(after)
		last, perr := strconv.ParseInt(string(raw), 10, 64)
		i := slices.IndexFunc(comments, func(c ticketComment) bool { return commentID(s.tl, c.seq) == last })
		if err != nil || perr != nil || i < 0 {
			writeZendeskError(rw, http.StatusBadRequest, "InvalidPaginationParameter", "page[after] is invalid")
			return
		}
		start = i + 1
	}
	end := min(start+size, len(comments))
	page := commentsPage{Comments: make([]zRequestComment, 0, end-start)}
	for _, c := range comments[start:end] {
		page.Comments = append(page.Comments, zendeskRequestComment(s.tl, c))
	}
	if end < len(comments) {
		last := strconv.FormatInt(commentID(s.tl, comments[end-1].seq), 10)
		page.setNext(r, a.base(), base64.RawURLEncoding.EncodeToString([]byte(last)))
	}
	writeJSON(rw, http.StatusOK, page)
}

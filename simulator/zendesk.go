package simulator

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	exportPath = "/api/v2/incremental/tickets/cursor.json"
	// accountLimit is the account-wide quota the headers advertise (a
	// Zendesk Suite Professional plan: 700 requests per minute).
	accountLimit = 700
	maxPerPage   = 1000
)

// zendeskAPI serves one vendor's Zendesk: the cursor-based incremental
// ticket export with its metric_sets sideload, and each ticket, behind
// basic auth and the rate limits.
type zendeskAPI struct {
	w       *world
	clock   func() time.Time
	base    func() string // the listener's URL, known once it listens
	perPage int
	wall    func() time.Time // real time, which the quotas run on
	account window           // every request
	export  slidingWindow    // incremental exports
}

func newZendeskAPI(w *world, clock func() time.Time, base func() string, opts Options) *zendeskAPI {
	z := &zendeskAPI{w: w, clock: clock, base: base, perPage: opts.TicketsPerPage, wall: time.Now}
	if opts.ExportRequestsPerMinute > 0 {
		z.account.limit, z.export.limit = accountLimit, opts.ExportRequestsPerMinute
	}
	return z
}

// zendeskUser is the vendor's API user: an agent's email with "/token",
// as Zendesk's API token authentication wants it.
func zendeskUser(vendor string) string { return "agent@" + vendor + ".example/token" }

func (z *zendeskAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	now := z.wall()
	ok, remaining, reset := z.account.take(now)
	writeRateHeaders(rw.Header(), remaining, reset, z.account.limit > 0)
	if !z.authorized(r) {
		writeUnauthorized(rw)
		return
	}
	if !ok {
		writeRateLimited(rw, reset, "Number of allowed API requests per minute exceeded")
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/api/v2/tickets/"); ok && r.Method == http.MethodGet && strings.HasSuffix(id, ".json") {
		z.serveTicket(rw, strings.TrimSuffix(id, ".json"), slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "metric_sets"))
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != exportPath {
		writeZendeskError(rw, http.StatusNotFound, "InvalidEndpoint", "Not found")
		return
	}
	if ok, wait := z.export.take(now); !ok {
		writeRateLimited(rw, wait, "Number of allowed incremental export API requests per minute exceeded")
		return
	}
	z.serveExport(rw, r)
}

func (z *zendeskAPI) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok && user == zendeskUser(z.w.v.Name) && subtle.ConstantTimeCompare([]byte(pass), []byte(z.w.id.token)) == 1
}

func (z *zendeskAPI) serveExport(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := z.clock().Unix()
	pos, fromCursor, zerr := exportStart(q, now)
	if zerr != nil {
		writeZendeskError(rw, zerr.status, zerr.reason, zerr.desc)
		return
	}
	perPage, explicit := z.perPage, false
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil {
		perPage, explicit = min(max(v, 1), maxPerPage), true
	}
	metrics := slices.Contains(strings.Split(q.Get("include"), ","), "metric_sets")

	hits, end := z.w.indexFor(now).page(z.w.t0, pos, now, perPage)
	base := z.base()
	page := zExportPage{Tickets: make([]zTicket, 0, len(hits)), EndOfStream: end}
	for _, h := range hits {
		s := stateAt(z.w.timeline(h.ticket), now)
		page.Tickets = append(page.Tickets, z.w.zendeskTicket(&s, base))
		if metrics {
			page.MetricSets = append(page.MetricSets, z.w.zendeskMetricSet(&s, base))
		}
	}
	if metrics && page.MetricSets == nil {
		page.MetricSets = []zMetricSet{}
	}
	link := func(p position) (*string, *string) {
		c := encodeCursor(p)
		v := url.Values{"cursor": {c}}
		if explicit {
			v.Set("per_page", strconv.Itoa(perPage))
		}
		if inc := q.Get("include"); inc != "" {
			v.Set("include", inc)
		}
		u := base + exportPath + "?" + v.Encode()
		return &c, &u
	}
	after := pos
	if len(hits) > 0 {
		last := hits[len(hits)-1]
		after = position{at: last.at, ticket: int64(last.ticket)}
		if fromCursor {
			page.BeforeCursor, page.BeforeURL = link(position{at: hits[0].at, ticket: int64(hits[0].ticket)})
		}
	}
	page.AfterCursor, page.AfterURL = link(after)
	switch endlessOf(r) {
	case endlessSame:
		page.EndOfStream = false
		page.AfterCursor, page.AfterURL = link(pos)
	case endlessGrowing:
		page.EndOfStream = false
		if len(hits) == 0 { // past the end: a cursor one ticket further, new every time
			page.AfterCursor, page.AfterURL = link(position{at: pos.at, ticket: pos.ticket + 1})
		}
	}
	writeJSON(rw, http.StatusOK, page)
}

// serveTicket answers GET /api/v2/tickets/{id}.json, the url of each
// exported ticket: {"ticket": ...}, or 404 RecordNotFound for a ticket not
// created yet or deleted.
func (z *zendeskAPI) serveTicket(rw http.ResponseWriter, idText string, metrics bool) {
	now := z.clock().Unix()
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 || id > int64(z.w.ticketsBy(now)) || z.w.deleted(int(id-1), now) {
		writeZendeskError(rw, http.StatusNotFound, "RecordNotFound", "Not found")
		return
	}
	s := stateAt(z.w.timeline(int(id-1)), now)
	answer := struct {
		Ticket     zTicket      `json:"ticket"`
		MetricSets []zMetricSet `json:"metric_sets,omitempty"`
	}{Ticket: z.w.zendeskTicket(&s, z.base())}
	if metrics { // Show Ticket's sideload: the ticket's metric set, in a top-level array
		answer.MetricSets = []zMetricSet{z.w.zendeskMetricSet(&s, z.base())}
	}
	writeJSON(rw, http.StatusOK, answer)
}

// zError is an error answer of Zendesk's API.
type zError struct {
	status       int
	reason, desc string
}

// exportStart reads where an export starts: the cursor, else start_time,
// which must be at least a minute old.
func exportStart(q url.Values, now int64) (pos position, fromCursor bool, err *zError) {
	if c := q.Get("cursor"); c != "" {
		p, err := decodeCursor(c)
		if err != nil {
			return position{}, false, &zError{http.StatusBadRequest, "InvalidPaginationParameter", "Invalid cursor"}
		}
		return p, true, nil
	}
	st := q.Get("start_time")
	if st == "" {
		return position{}, false, &zError{http.StatusBadRequest, "InvalidValue", "start_time or cursor is required"}
	}
	t, perr := strconv.ParseInt(st, 10, 64)
	if perr != nil || t < 0 {
		return position{}, false, &zError{http.StatusBadRequest, "InvalidValue", "start_time must be a Unix time in seconds"}
	}
	if t > now-60 {
		return position{}, false, &zError{http.StatusUnprocessableEntity, "InvalidValue", "Too recent start_time. Use a start_time older than 1 minute."}
	}
	return position{at: t, ticket: -1}, false, nil
}

// writeRateHeaders sets the quota headers every Zendesk response carries
// (see zenpy_incremental_tickets_cursor_first_page.headers.json).
func writeRateHeaders(h http.Header, remaining int, reset time.Duration, limited bool) {
	if !limited { // the quota is not simulated: advertise it untouched
		remaining, reset = accountLimit, time.Minute
	}
	lim, rem := strconv.Itoa(accountLimit), strconv.Itoa(remaining)
	h.Set("X-Rate-Limit", lim)
	h.Set("X-Rate-Limit-Remaining", rem)
	h.Set("Ratelimit-Limit", lim)
	h.Set("Ratelimit-Remaining", rem)
	h.Set("Ratelimit-Reset", strconv.Itoa(retryAfterSeconds(reset)))
}

func writeRateLimited(rw http.ResponseWriter, wait time.Duration, desc string) {
	rw.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	writeZendeskError(rw, http.StatusTooManyRequests, "APIRateLimitExceeded", desc)
}

// writeUnauthorized answers as Zendesk does to bad or missing credentials.
func writeUnauthorized(rw http.ResponseWriter) {
	rw.Header().Set("WWW-Authenticate", `Basic realm="Web Password"`)
	writeJSON(rw, http.StatusUnauthorized, struct {
		Error string `json:"error"`
	}{"Couldn't authenticate you"})
}

func writeZendeskError(rw http.ResponseWriter, status int, reason, desc string) {
	writeJSON(rw, status, struct {
		Error       string `json:"error"`
		Description string `json:"description"`
	}{reason, desc})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own fixed shapes are encoded: a bug, not input
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

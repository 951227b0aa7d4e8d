package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The vendor's side of the off-hours drill (docs/configuration.md, "The
// off-hours drill"), through the Requests API (zendesk_requests): a
// scripted ticket marked Drill is the drill's ticket. It is hidden from
// every view, as if it did not exist, until the buyer files a request
// (POST /api/v2/requests), which claims the first unclaimed one: the
// answer is Zendesk's 201 with the request, its subject and description
// as posted, and its creation and replies as scripted (the persona's human
// reply at a scripted time). The request list and the search endpoint
// (GET /api/v2/requests/search?query=) then find it by what was posted,
// and PUT /api/v2/requests/{id} takes the closing comment. A create
// beyond the scripted drill tickets is refused with Zendesk's 422
// RecordInvalid envelope. The github and jira_service_management
// (customer) fakes file the same tickets (drill_github.go, drill_jsm.go).

// drillDesk is a vendor's drill state.
type drillDesk struct {
	mu      sync.Mutex
	claimed map[int]drillFiled // by ticket index
	posts   int                // creates received, claimed or not
	updates []string           // comment bodies received by PUT, "id: body"
	// createDelay holds the create's answer back after the ticket is
	// claimed: a create that the client gives up on (its timeout) but
	// that the vendor did file.
	createDelay time.Duration
	// searchLag hides a drill ticket from the search endpoints until it
	// is this old: their index lags new tickets (the lists do not).
	searchLag time.Duration
}

// drillFiled is what the buyer posted for a claimed drill ticket.
type drillFiled struct {
	subject, description string
}

// drillHidden reports whether ticket i is a drill ticket not yet filed.
func (w *world) drillHidden(i int) bool {
	if w.scripted == nil || i >= len(w.v.Script) || !w.v.Script[i].Drill {
		return false
	}
	w.drills.mu.Lock()
	defer w.drills.mu.Unlock()
	_, ok := w.drills.claimed[i]
	return !ok
}

// dressDrill shows a filed drill ticket's subject and description as
// posted.
func (w *world) dressDrill(rq *zRequest) {
	if f, ok := w.drillFiledAs(int(rq.ID - 1)); ok {
		rq.Subject, rq.Description = f.subject, f.description
	}
}

// serveDrillCreate answers POST /api/v2/requests.
func (a *requestsAPI) serveDrillCreate(rw http.ResponseWriter, r *http.Request, now int64) {
	var in struct {
		Request *struct {
			Subject string `json:"subject"`
			Comment *struct {
				Body string `json:"body"`
			} `json:"comment"`
		} `json:"request"`
	}
	a.w.countDrillPost()
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil || in.Request == nil ||
		in.Request.Comment == nil || in.Request.Comment.Body == "" {
		writeRecordInvalid(rw, "comment", "Description: cannot be blank")
		return
	}
	i, ok := a.w.claimDrill(r, drillFiled{subject: in.Request.Subject, description: in.Request.Comment.Body})
	if !ok {
		writeRecordInvalid(rw, "base", "the simulation has no drill ticket left to file")
		return
	}
	if i < 0 {
		return // the client gave up waiting; the request is filed all the same
	}
	s := stateAt(a.w.timeline(i), now)
	rq := a.w.zendeskRequest(&s, a.base())
	a.w.dressDrill(&rq)
	writeJSON(rw, http.StatusCreated, struct {
		Request zRequest `json:"request"`
	}{rq})
}

// serveDrillUpdate answers PUT /api/v2/requests/{id}: a comment added by
// the end user.
func (a *requestsAPI) serveDrillUpdate(rw http.ResponseWriter, r *http.Request, now int64) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, requestsPath+"/"), 10, 64)
	if err != nil || id < 1 || id > int64(a.w.ticketsBy(now)) || a.w.deleted(int(id-1), now) {
		writeZendeskError(rw, http.StatusNotFound, "RecordNotFound", "Not found")
		return
	}
	var in struct {
		Request *struct {
			Comment *struct {
				Body string `json:"body"`
			} `json:"comment"`
		} `json:"request"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil || in.Request == nil ||
		in.Request.Comment == nil || in.Request.Comment.Body == "" {
		writeRecordInvalid(rw, "comment", "Comment: cannot be blank")
		return
	}
	a.w.drillComment(strconv.FormatInt(id, 10), in.Request.Comment.Body)
	s := stateAt(a.w.timeline(int(id-1)), now)
	rq := a.w.zendeskRequest(&s, a.base())
	a.w.dressDrill(&rq)
	writeJSON(rw, http.StatusOK, struct {
		Request zRequest `json:"request"`
	}{rq})
}

// serveDrillSearch answers GET /api/v2/requests/search?query=: the
// filed drill requests whose subject or description holds the query (its
// quotes removed), in Zendesk's search envelope.
func (a *requestsAPI) serveDrillSearch(rw http.ResponseWriter, r *http.Request, now int64) {
	query := strings.Trim(r.URL.Query().Get("query"), `"`)
	if query == "" {
		writeZendeskError(rw, http.StatusBadRequest, "InvalidQuery", "query is required")
		return
	}
	out := struct {
		Requests     []zRequest `json:"requests"`
		Count        int        `json:"count"`
		NextPage     *string    `json:"next_page"`
		PreviousPage *string    `json:"previous_page"`
	}{Requests: []zRequest{}}
	for _, i := range a.w.drillsHolding(query) {
		if !a.w.searchable(i, now) {
			continue
		}
		s := stateAt(a.w.timeline(i), now)
		rq := a.w.zendeskRequest(&s, a.base())
		a.w.dressDrill(&rq)
		out.Requests = append(out.Requests, rq)
	}
	out.Count = len(out.Requests)
	writeJSON(rw, http.StatusOK, out)
}

// usersMePath is Zendesk's "Show the currently authenticated user".
const usersMePath = "/api/v2/users/me"

// zUser is a user as Zendesk's Users API shows it, field for field as in
// the documentation's JSON format (the subset an end user sees of itself
// and the drill needs no more of).
type zUser struct {
	ID                   int64    `json:"id"`
	URL                  string   `json:"url"`
	Name                 string   `json:"name"`
	Email                string   `json:"email"`
	CreatedAt            string   `json:"created_at"`
	UpdatedAt            string   `json:"updated_at"`
	TimeZone             string   `json:"time_zone"`
	IANATimeZone         string   `json:"iana_time_zone"`
	Phone                *string  `json:"phone"`
	Photo                *string  `json:"photo"`
	Locale               string   `json:"locale"`
	LocaleID             int64    `json:"locale_id"`
	OrganizationID       int64    `json:"organization_id"`
	Role                 string   `json:"role"`
	Verified             bool     `json:"verified"`
	Active               bool     `json:"active"`
	Shared               bool     `json:"shared"`
	Suspended            bool     `json:"suspended"`
	TicketRestriction    string   `json:"ticket_restriction"`
	OnlyPrivateComments  bool     `json:"only_private_comments"`
	TwoFactorAuthEnabled *bool    `json:"two_factor_auth_enabled"`
	Tags                 []string `json:"tags"`
	UserFields           struct{} `json:"user_fields"`
}

// serveMe answers GET /api/v2/users/me: the end user whose credentials
// signed the call (an end user, with its organization's access), the
// requester of the drill requests it files.
func (a *requestsAPI) serveMe(rw http.ResponseWriter, now int64) {
	id := a.w.buyerUserID()
	created := zTime(a.w.t0)
	writeJSON(rw, http.StatusOK, struct {
		User zUser `json:"user"`
	}{zUser{
		ID: id, URL: a.base() + "/api/v2/users/" + strconv.FormatInt(id, 10) + ".json", Name: "Buyer SRE",
		Email: strings.TrimSuffix(requestsUser(a.w.v.Name), "/token"), CreatedAt: created, UpdatedAt: zTime(now),
		TimeZone: "UTC", IANATimeZone: "Etc/UTC", Locale: "en-US", LocaleID: 1176, OrganizationID: a.w.id.orgIDs[0],
		Role: "end-user", Verified: true, Active: true, TicketRestriction: "organization", Tags: []string{},
	}})
}

// count is how many comments were received, for ids.
func (d *drillDesk) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.updates)
}

// countDrillPost counts a create received.
func (w *world) countDrillPost() {
	w.drills.mu.Lock()
	w.drills.posts++
	w.drills.mu.Unlock()
}

// claimDrill files f as the first drill ticket not yet filed and returns
// its index, once the create delay passed (-1 when the client gave up
// meanwhile); false when none is left.
func (w *world) claimDrill(r *http.Request, f drillFiled) (int, bool) {
	d := &w.drills
	d.mu.Lock()
	i := w.unclaimedDrill(false)
	if i < 0 {
		d.mu.Unlock()
		return 0, false
	}
	if d.claimed == nil {
		d.claimed = map[int]drillFiled{}
	}
	d.claimed[i] = f
	delay := d.createDelay
	d.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return -1, true
		}
	}
	return i, true
}

// unclaimedDrill is the index of the first drill ticket not yet filed,
// a colleague's or the buyer's; -1 when none is left. w.drills.mu is held.
func (w *world) unclaimedDrill(colleague bool) int {
	for i, st := range w.v.Script {
		if _, taken := w.drills.claimed[i]; !taken && st.Drill && st.Colleague == colleague {
			return i
		}
	}
	return -1
}

// FileColleagueDrill files the vendor's first colleague's drill ticket
// (ScriptedTicket.Colleague) with subject and body, as a colleague of the
// buyer files it through the vendor's portal; false when none is left.
func (s *Sim) FileColleagueDrill(vendor, subject, body string) bool {
	w := s.worlds[vendor]
	if w == nil {
		return false
	}
	w.drills.mu.Lock()
	defer w.drills.mu.Unlock()
	i := w.unclaimedDrill(true)
	if i < 0 {
		return false
	}
	if w.drills.claimed == nil {
		w.drills.claimed = map[int]drillFiled{}
	}
	w.drills.claimed[i] = drillFiled{subject: subject, description: body}
	return true
}

// buyerUserID is the buyer's own account at the vendor, as a Zendesk user
// id: the requester of the drill tickets the buyer files (the Requests
// API's end user, GET /api/v2/users/me).
func (w *world) buyerUserID() int64 {
	n, _ := strconv.ParseInt(derivedID(w.id.token+"/buyer-user", "0123456789", 9), 10, 64)
	return 381000000000 + n
}

// drillFiledAs is what the buyer posted for ticket i, when it is a filed
// drill ticket.
func (w *world) drillFiledAs(i int) (drillFiled, bool) {
	w.drills.mu.Lock()
	defer w.drills.mu.Unlock()
	f, ok := w.drills.claimed[i]
	return f, ok
}

// drillComment records a comment the buyer added to ticket id.
func (w *world) drillComment(id, body string) {
	w.drills.mu.Lock()
	w.drills.updates = append(w.drills.updates, id+": "+body)
	w.drills.mu.Unlock()
}

// drillsHolding lists the filed drill tickets whose subject or
// description holds query, in index order.
func (w *world) drillsHolding(query string) []int {
	w.drills.mu.Lock()
	defer w.drills.mu.Unlock()
	var found []int
	for i, f := range w.drills.claimed {
		if strings.Contains(f.subject, query) || strings.Contains(f.description, query) {
			found = append(found, i)
		}
	}
	slices.Sort(found)
	return found
}

// writeRecordInvalid writes Zendesk's 422 validation envelope.
func writeRecordInvalid(rw http.ResponseWriter, field, desc string) {
	writeJSON(rw, http.StatusUnprocessableEntity, map[string]any{
		"error": "RecordInvalid", "description": "Record validation errors",
		"details": map[string]any{field: []map[string]string{{"description": desc, "error": "BlankValue"}}},
	})
}

// DrillRequests is what the buyer sent the vendor's Requests API for the
// drill: the creates received (claimed or not) and each comment added,
// "id: body".
func (s *Sim) DrillRequests(vendor string) (creates int, comments []string) {
	w := s.worlds[vendor]
	if w == nil {
		return 0, nil
	}
	w.drills.mu.Lock()
	defer w.drills.mu.Unlock()
	return w.drills.posts, slices.Clone(w.drills.updates)
}

// SetDrillSearchLag makes the vendor's search endpoints (Zendesk's
// requests search, GitHub's issue search, the servicedeskapi searchTerm)
// miss a drill ticket until it is d old, as a lagging index does.
func (s *Sim) SetDrillSearchLag(vendor string, d time.Duration) {
	if w := s.worlds[vendor]; w != nil {
		w.drills.mu.Lock()
		w.drills.searchLag = d
		w.drills.mu.Unlock()
	}
}

// searchable reports whether the search index holds drill ticket i at
// now (unix seconds).
func (w *world) searchable(i int, now int64) bool {
	w.drills.mu.Lock()
	lag := w.drills.searchLag
	w.drills.mu.Unlock()
	return now >= w.ticketCreated(i)+int64(lag/time.Second)
}

// SetDrillCreateDelay holds the answer to the vendor's next creates back
// by d once the ticket is filed: a client whose timeout is shorter gives up
// on a create the vendor did file.
func (s *Sim) SetDrillCreateDelay(vendor string, d time.Duration) {
	if w := s.worlds[vendor]; w != nil {
		w.drills.mu.Lock()
		w.drills.createDelay = d
		w.drills.mu.Unlock()
	}
}

// DemoDrill is the demo's vendor of the off-hours drill (--demo): reached
// through the Requests API only, with one drill ticket that a person
// answered 55 minutes after its creation, an hour before the demo starts,
// so the demo's drill shows its result at once. Its zone is the one where
// the demo starts at about 02:00 (Etc/GMT-14 to Etc/GMT+9), night in any
// season, so that the drill runs outside business hours whenever the demo
// starts.
func DemoDrill(start time.Time) Vendor {
	offset := (2 - start.UTC().Hour() + 24) % 24
	if offset > 14 {
		offset -= 24
	}
	zone := "Etc/GMT"
	switch {
	case offset > 0:
		zone += "-" + strconv.Itoa(offset) // the POSIX sign: Etc/GMT-2 is UTC+2
	case offset < 0:
		zone += "+" + strconv.Itoa(-offset)
	}
	created := start.Truncate(time.Minute).Add(-time.Hour)
	return Vendor{
		Name: "drillco", Persona: AroundTheClock, Timezone: zone, History: 2 * time.Hour,
		Script: []ScriptedTicket{{Created: created, Priority: "urgent", Drill: true,
			Steps: []ScriptStep{{At: 55 * time.Minute, Kind: VendorReply}}}},
	}
}

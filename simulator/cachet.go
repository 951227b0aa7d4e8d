package simulator

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// cachetAPI serves a vendor's page as Cachet 2.4's API v1 does: the paged
// lists /api/v1/components, /api/v1/incidents and /api/v1/schedules, each
// `{"meta": {"pagination": ...}, "data": [...]}`. `page` (default 1) and
// `per_page` (default 20, no maximum) select a page; the lists are in id
// order, reversed by `order=desc` (ids follow creation, so `sort` is always
// id). Times carry no zone: they are wall times in the vendor's Timezone,
// to the second, which a cachet source's `timezone` must name. Cachet has
// no impact, one component per incident (the first affected), no planned
// end of a maintenance and no maintenance component status; group
// containers are not components (they live under /components/groups).
type cachetAPI struct{ statusAPI }

// cachetDefaultPerPage is Cachet's page size when the request names none.
const cachetDefaultPerPage = 20

// cachetIncidentStatus is Cachet's incident status id and name for a post.
var cachetIncidentStatus = map[string]struct {
	id   int
	name string
}{
	"investigating": {1, "Investigating"}, "identified": {2, "Identified"},
	"monitoring": {3, "Watching"}, "resolved": {4, "Fixed"},
}

// cachetComponentStatus: Cachet has no maintenance status, so a component
// under maintenance shows operational.
var cachetComponentStatus = map[string]struct {
	id   int
	name string
}{
	"operational": {1, "Operational"}, "under_maintenance": {1, "Operational"},
	"degraded_performance": {2, "Performance Issues"}, "partial_outage": {3, "Partial Outage"},
	"major_outage": {4, "Major Outage"},
}

// ctList is a page of any list endpoint.
type ctList struct {
	Meta struct {
		Pagination ctPagination `json:"pagination"`
	} `json:"meta"`
	Data []any `json:"data"`
}

// ctPagination is meta.pagination; its links are built from the page's URL
// as Cachet builds them from its APP_URL.
type ctPagination struct {
	Total       int     `json:"total"`
	Count       int     `json:"count"`
	PerPage     int     `json:"per_page"`
	CurrentPage int     `json:"current_page"`
	TotalPages  int     `json:"total_pages"`
	Links       ctLinks `json:"links"`
}

type ctLinks struct {
	NextPage     *string `json:"next_page"`
	PreviousPage *string `json:"previous_page"`
}

type ctComponent struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Link        string  `json:"link"`
	Status      int     `json:"status"`
	Order       int     `json:"order"`
	GroupID     int     `json:"group_id"`
	Enabled     bool    `json:"enabled"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	DeletedAt   *string `json:"deleted_at"`
	StatusName  string  `json:"status_name"`
}

type ctUpdate struct {
	ID          int    `json:"id"`
	IncidentID  int    `json:"incident_id"`
	Status      int    `json:"status"`
	Message     string `json:"message"`
	UserID      int    `json:"user_id"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	HumanStatus string `json:"human_status"`
	Permalink   string `json:"permalink"`
}

type ctIncident struct {
	ID                int        `json:"id"`
	ComponentID       int        `json:"component_id"`
	Name              string     `json:"name"`
	Status            int        `json:"status"`
	Visible           int        `json:"visible"`
	Stickied          bool       `json:"stickied"`
	Message           string     `json:"message"`
	OccurredAt        string     `json:"occurred_at"`
	CreatedAt         string     `json:"created_at"`
	UpdatedAt         string     `json:"updated_at"`
	DeletedAt         *string    `json:"deleted_at"`
	IsResolved        bool       `json:"is_resolved"`
	Updates           []ctUpdate `json:"updates"`
	HumanStatus       string     `json:"human_status"`
	LatestUpdateID    *int       `json:"latest_update_id"`
	LatestStatus      int        `json:"latest_status"`
	LatestHumanStatus string     `json:"latest_human_status"`
	Permalink         string     `json:"permalink"`
}

type ctSchedule struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	Status      int     `json:"status"` // 0 upcoming, 1 in progress, 2 complete
	Message     string  `json:"message"`
	ScheduledAt string  `json:"scheduled_at"`
	CompletedAt *string `json:"completed_at"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	Components  []any   `json:"components"`
	HumanStatus string  `json:"human_status"`
}

func (a *cachetAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	ps := a.pageNow()
	var items []any
	switch r.URL.Path {
	case "/api/v1/components":
		items = a.components(ps)
	case "/api/v1/incidents":
		items = a.incidents(ps)
	case "/api/v1/schedules":
		items = a.schedules(ps)
	default:
		http.NotFound(rw, r)
		return
	}
	a.writePage(rw, r, items)
}

// writePage answers one page of items (in id order) as the request asks;
// under an endless-pages fault, next_page names this page or the one
// after, whatever the total.
func (a *cachetAPI) writePage(rw http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	positive := func(key string, def int) int {
		if n, err := strconv.Atoi(q.Get(key)); err == nil && n > 0 {
			return n
		}
		return def
	}
	page, perPage := positive("page", 1), positive("per_page", cachetDefaultPerPage)
	if q.Get("order") == "desc" {
		slices.Reverse(items)
	}
	lastPage := max(1, int(math.Ceil(float64(len(items))/float64(perPage))))
	served := servedPage(r, page)
	from, to := min((served-1)*perPage, len(items)), min(served*perPage, len(items))
	pageURL := func(n int) *string {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("page", strconv.Itoa(n))
		return ptr(a.base() + r.URL.Path + "?" + next.Encode())
	}
	link := func(n int) *string {
		if n < 1 || n > lastPage {
			return nil
		}
		return pageURL(n)
	}
	var body ctList
	body.Meta.Pagination = ctPagination{
		Total: len(items), Count: to - from, PerPage: perPage, CurrentPage: page, TotalPages: lastPage,
		Links: ctLinks{NextPage: link(page + 1), PreviousPage: link(page - 1)},
	}
	switch endlessOf(r) {
	case endlessSame:
		body.Meta.Pagination.Links.NextPage = pageURL(page)
	case endlessGrowing:
		body.Meta.Pagination.Links.NextPage = pageURL(page + 1)
	}
	body.Data = items[from:to]
	writeJSON(rw, http.StatusOK, body)
}

// ctTime writes Unix ms as Cachet does: a wall time in the vendor's zone.
func (a *cachetAPI) ctTime(unixMs int64) string {
	return time.UnixMilli(unixMs).In(a.w.cal.Location()).Format(time.DateTime)
}

// cachetComponentIDs numbers the leaf components from 1, by component
// index; the group container is group 1.
func (a *cachetAPI) cachetComponentIDs() map[int]int {
	ids := map[int]int{}
	for n, i := range a.w.leaves() {
		ids[i] = n + 1
	}
	return ids
}

func (a *cachetAPI) components(ps *pageState) []any {
	ids := a.cachetComponentIDs()
	var out []any
	for _, i := range a.w.leaves() {
		c := a.w.id.components[i]
		st := cachetComponentStatus[ps.status[i]]
		cc := ctComponent{
			ID: ids[i], Name: c.name, Description: c.description, Status: st.id, Order: c.position, Enabled: true,
			CreatedAt: a.ctTime(ms(c.createdAt)), UpdatedAt: a.ctTime(ps.changed[i]), StatusName: st.name,
		}
		if c.groupIndex >= 0 {
			cc.GroupID = 1
		}
		out = append(out, cc)
	}
	return out
}

// incidents numbers the incidents from 1 in the order they were posted,
// which the clock only ever extends.
func (a *cachetAPI) incidents(ps *pageState) []any {
	ids := a.cachetComponentIDs()
	var out []any
	nextUpdateID := 1
	for n, in := range ps.incidents {
		id := n + 1
		ups := posted(in.updates, ps.now)
		first, last := ups[0], ups[len(ups)-1]
		permalink := a.base() + "/incidents/" + strconv.Itoa(id)
		ci := ctIncident{
			ID: id, ComponentID: ids[in.components[0]], Name: in.name, Status: cachetIncidentStatus[last.status].id, Visible: 1,
			Message: first.body, OccurredAt: a.ctTime(in.started), CreatedAt: a.ctTime(first.at), UpdatedAt: a.ctTime(max(last.at, in.edited)),
			IsResolved: last.status == "resolved", Updates: []ctUpdate{}, HumanStatus: cachetIncidentStatus[last.status].name,
			LatestStatus: cachetIncidentStatus[last.status].id, LatestHumanStatus: cachetIncidentStatus[last.status].name,
			Permalink: permalink,
		}
		for _, u := range ups[1:] {
			st := cachetIncidentStatus[u.status]
			ci.Updates = append(ci.Updates, ctUpdate{
				ID: nextUpdateID, IncidentID: id, Status: st.id, Message: u.body, UserID: 1,
				CreatedAt: a.ctTime(u.at), UpdatedAt: a.ctTime(u.updatedAt()), HumanStatus: st.name,
				Permalink: permalink + "#update-" + strconv.Itoa(nextUpdateID),
			})
			ci.LatestUpdateID = ptr(nextUpdateID)
			nextUpdateID++
		}
		nextUpdateID += len(in.updates) - len(ups) // ids of updates still to come stay reserved
		out = append(out, ci)
	}
	return out
}

// schedules numbers the maintenances from 1 in the order they were
// announced.
func (a *cachetAPI) schedules(ps *pageState) []any {
	var out []any
	for n, m := range ps.maintenances {
		s := ctSchedule{
			ID: n + 1, Name: m.name, Message: m.updates[0].body, ScheduledAt: a.ctTime(m.scheduledFor),
			CreatedAt: a.ctTime(m.created()), UpdatedAt: a.ctTime(m.updatedAt(ps.now)), Components: []any{},
			HumanStatus: "Upcoming",
		}
		switch {
		case maintenanceDone(m, ps.now):
			s.Status, s.HumanStatus, s.CompletedAt = 2, "Complete", ptr(a.ctTime(m.completed()))
		case maintenanceStarted(m, ps.now):
			s.Status, s.HumanStatus = 1, "In Progress"
		}
		out = append(out, s)
	}
	return out
}

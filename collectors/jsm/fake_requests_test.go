package jsm

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Values the fake's request list accepts, as documented for
// GET /rest/servicedeskapi/request.
var (
	fakeOwnerships = []string{"OWNED_REQUESTS", "PARTICIPATED_REQUESTS", "ORGANIZATION", "ALL_ORGANIZATIONS", "APPROVER", "ALL_REQUESTS"}
	fakeStatuses   = []string{"OPEN_REQUESTS", "CLOSED_REQUESTS", "ALL_REQUESTS"}
)

// listRequests answers the customer request list: the requests of the
// desks (or of serviceDeskId), open, closed or all, latest activity (a
// status change or a comment) first, paged with start and limit. Values
// are the real request of testdata with the fake's values.
func (f *fakeJSM) listRequests(w http.ResponseWriter, q map[string][]string) {
	for _, o := range q["requestOwnership"] {
		if !slices.Contains(fakeOwnerships, o) {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessage": "Invalid requestOwnership: " + o})
			return
		}
	}
	want := "ALL_REQUESTS"
	if v := q["requestStatus"]; len(v) > 0 {
		want = v[0]
	}
	if !slices.Contains(fakeStatuses, want) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessage": "Invalid requestStatus: " + want})
		return
	}
	project := ""
	if v := q["serviceDeskId"]; len(v) > 0 {
		project = f.desks[v[0]]
	}
	var hits []fakeIssue
	for _, is := range f.issues {
		done := is.category == "done"
		if (project != "" && is.project != project) || (want == "OPEN_REQUESTS" && done) || (want == "CLOSED_REQUESTS" && !done) {
			continue
		}
		hits = append(hits, is)
	}
	slices.SortStableFunc(hits, func(a, b fakeIssue) int {
		if c := b.activity().Compare(a.activity()); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	values := []any{}
	for _, is := range hits {
		values = append(values, f.requestJSON(is))
	}
	f.writePage(w, q, values)
}

// activity is the request's latest status change or comment.
func (is fakeIssue) activity() time.Time {
	last := is.statusDate()
	for _, c := range is.comments {
		if c.at.After(last) {
			last = c.at
		}
	}
	return last
}

func (is fakeIssue) statusDate() time.Time {
	if is.statusAt.IsZero() {
		return is.created
	}
	return is.statusAt
}

// requestJSON is the real request of testdata with is's values.
func (f *fakeJSM) requestJSON(is fakeIssue) map[string]any {
	v := decodeTemplate(f.requestTpl)
	v["issueId"], v["issueKey"] = is.id, is.key
	for desk, project := range f.desks {
		if project == is.project {
			v["serviceDeskId"] = desk
		}
	}
	v["createdDate"] = dateDTO(is.created)
	v["reporter"].(map[string]any)["accountId"] = is.reporter
	v["currentStatus"] = map[string]any{"status": is.status, "statusCategory": strings.ToUpper(is.category), "statusDate": dateDTO(is.statusDate())}
	return v
}

package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The off-hours drill through the Jira Service Management fake, as the
// portal customer (drill.go): POST /rest/servicedeskapi/request files the
// next drill ticket (201 with the CustomerRequestDTO, its summary and
// description as posted), POST /rest/servicedeskapi/request/{id}/comment
// takes a comment (201), and GET /rest/servicedeskapi/request?searchTerm=
// finds filed drill requests by their text.

// serveDrill answers the drill's requests; false for any other request.
func (a *jsmAPI) serveDrill(rw http.ResponseWriter, r *http.Request, now int64, customer bool) bool {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/rest/servicedeskapi/request" && r.URL.Query().Get("searchTerm") != "":
		var out []jRequest
		owns := a.owns(r.URL.Query()["requestOwnership"], customer)
		for _, i := range a.w.drillsHolding(r.URL.Query().Get("searchTerm")) {
			if !a.w.searchable(i, now) || !owns(a.w.timeline(i)) {
				continue
			}
			s := stateAt(a.w.timeline(i), now)
			out = append(out, a.customerRequestOf(&s))
		}
		writeDeskPage(rw, r, a.base(), out)
	case r.Method != http.MethodPost:
		return false
	case !customer:
		writeDeskError(rw, http.StatusForbidden, "Only portal customers file requests in this simulation.", "sd.customer.request.error.forbidden")
	case path == "/rest/servicedeskapi/request":
		a.serveDrillCreate(rw, r, now)
	case strings.HasPrefix(path, "/rest/servicedeskapi/request/") && strings.HasSuffix(path, "/comment"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/rest/servicedeskapi/request/"), "/comment")
		var in struct {
			Body   string `json:"body"`
			Public bool   `json:"public"`
		}
		if _, found := a.request(id, now); !found {
			writeDeskError(rw, http.StatusNotFound, "Request does not exist or you do not have permission to see it.", "sd.customer.request.error.notfound")
			return true
		}
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil || in.Body == "" {
			writeDeskError(rw, http.StatusBadRequest, "The comment body is required.", "sd.comment.body.required")
			return true
		}
		a.w.drillComment(id, in.Body)
		writeJSON(rw, http.StatusCreated, map[string]any{"id": "1", "body": in.Body, "public": in.Public})
	default:
		return false
	}
	return true
}

func (a *jsmAPI) serveDrillCreate(rw http.ResponseWriter, r *http.Request, now int64) {
	a.w.countDrillPost()
	var in struct {
		ServiceDeskID      string            `json:"serviceDeskId"`
		RequestTypeID      string            `json:"requestTypeId"`
		RequestFieldValues map[string]string `json:"requestFieldValues"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil || in.ServiceDeskID != jsmDeskID ||
		in.RequestTypeID != jsmRequestTypeID || in.RequestFieldValues["summary"] == "" {
		writeDeskError(rw, http.StatusBadRequest, "The request type you are trying to use does not exist.", "sd.customer.request.type.not.found")
		return
	}
	i, ok := a.w.claimDrill(r, drillFiled{subject: in.RequestFieldValues["summary"], description: in.RequestFieldValues["description"]})
	switch {
	case !ok:
		writeDeskError(rw, http.StatusBadRequest, "The simulation has no drill request left to file.", "sd.customer.request.error")
		return
	case i < 0:
		return
	}
	s := stateAt(a.w.timeline(i), now)
	writeJSON(rw, http.StatusCreated, a.customerRequestOf(&s))
}

// dressJSMDrill shows a filed drill request's summary and description as
// posted.
func (w *world) dressJSMDrill(rq *jRequest, i int) {
	if f, ok := w.drillFiledAs(i); ok {
		rq.RequestFieldValues = []jFieldValue{{FieldID: "summary", Label: "What do you need?", Value: f.subject},
			{FieldID: "description", Label: "Description", Value: f.description}}
	}
}

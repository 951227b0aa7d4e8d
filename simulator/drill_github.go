package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The off-hours drill through the GitHub fake (drill.go): POST
// /repos/{owner}/{repo}/issues files the next drill ticket as an issue
// (201 with the issue, its title and body as posted), POST
// .../issues/{number}/comments takes a comment (201), and GET
// /search/issues?q= finds filed drill issues by the quoted text of q.
// GET /user names the token's account (the buyer, ghBuyerLogin): the drill
// issues are its own (user.login), and GET .../issues?creator= lists only
// the issues of that login.

// serveDrill answers the drill's requests; false for any other request.
func (a *githubAPI) serveDrill(rw http.ResponseWriter, r *http.Request, now int64) bool {
	rest, routed := a.route(r.URL.Path)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/search/issues":
		a.serveDrillSearch(rw, r, now)
	case r.Method == http.MethodGet && r.URL.Path == "/user":
		writeJSON(rw, http.StatusOK, ghUserOf(a.base(), a.w.ghBuyerLogin(), 1000000001, "User"))
	case r.Method != http.MethodPost || !routed:
		return false
	case rest == "issues":
		a.serveDrillCreate(rw, r, now)
	case strings.HasPrefix(rest, "issues/") && strings.HasSuffix(rest, "/comments"):
		num := strings.TrimSuffix(strings.TrimPrefix(rest, "issues/"), "/comments")
		n, err := strconv.ParseInt(num, 10, 64)
		var in struct {
			Body string `json:"body"`
		}
		switch {
		case err != nil || n < 1 || n > int64(a.w.ticketsBy(now)) || a.w.deleted(int(n-1), now):
			writeGhError(rw, http.StatusNotFound, "Not Found")
		case json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in) != nil || in.Body == "":
			writeGhError(rw, http.StatusUnprocessableEntity, "Validation Failed")
		default:
			a.w.drillComment(num, in.Body)
			writeJSON(rw, http.StatusCreated, map[string]any{"id": 1700000000 + a.w.drills.count(), "body": in.Body})
		}
	default:
		return false
	}
	return true
}

func (a *githubAPI) serveDrillCreate(rw http.ResponseWriter, r *http.Request, now int64) {
	a.w.countDrillPost()
	var in struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil || in.Title == "" {
		writeGhError(rw, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	i, ok := a.w.claimDrill(r, drillFiled{subject: in.Title, description: in.Body})
	switch {
	case !ok:
		writeGhError(rw, http.StatusGone, "Issues are disabled for this repo") // no drill ticket left
		return
	case i < 0:
		return
	}
	v := a.w.ghIssueView(i, now)
	writeJSON(rw, http.StatusCreated, a.w.ghIssue(&v, a.base()))
}

func (a *githubAPI) serveDrillSearch(rw http.ResponseWriter, r *http.Request, now int64) {
	q := r.URL.Query().Get("q")
	quoted := ""
	if _, rest, ok := strings.Cut(q, `"`); ok {
		quoted, _, _ = strings.Cut(rest, `"`)
	}
	items := []ghIssue{}
	if quoted != "" {
		for _, i := range a.w.drillsHolding(quoted) {
			if !a.w.searchable(i, now) {
				continue
			}
			v := a.w.ghIssueView(i, now)
			items = append(items, a.w.ghIssue(&v, a.base()))
		}
	}
	writeJSON(rw, http.StatusOK, map[string]any{"total_count": len(items), "incomplete_results": false, "items": items})
}

// dressGhDrill shows a filed drill issue's title and body as posted, and
// the buyer as its author.
func (w *world) dressGhDrill(is *ghIssue, i int, base string) {
	if f, ok := w.drillFiledAs(i); ok {
		body := f.description
		is.Title, is.Body = f.subject, &body
		is.User = ghUserOf(base, w.ghBuyerLogin(), 1000000001, "User")
	}
}

// ghBuyerLogin is the login of the token's account, the buyer's.
func (w *world) ghBuyerLogin() string { return w.v.Name + "-buyer" }

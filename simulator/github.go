package simulator

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GitHub's paging and rate limits.
const (
	ghDefaultPerPage = 30
	ghMaxPerPage     = 100
	ghLimitToken     = 5000 // requests an hour with a token
	ghLimitAnonymous = 60   // and without one, per address
)

// githubAPI serves one vendor's repository as GitHub's REST API: the issue
// list, each issue and its timeline, public (a token is optional, but a
// wrong one is refused). A deleted issue is left out of the list, and
// answers 410 Gone.
type githubAPI struct {
	w     *world
	clock func() time.Time
	base  func() string
}

// githubToken is the vendor's personal access token, derived from its
// Zendesk token.
func (w *world) githubToken() string {
	return "ghp_" + derivedID(w.id.token+"/github", ghNodeAlphabet, 36)
}

func (a *githubAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	now := a.clock()
	rw.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	limit := ghLimitAnonymous
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, _ := strings.Cut(auth, " ")
		if (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token")) ||
			subtle.ConstantTimeCompare([]byte(tok), []byte(a.w.githubToken())) != 1 {
			writeGhError(rw, http.StatusUnauthorized, "Bad credentials")
			return
		}
		limit = ghLimitToken
	}
	h := rw.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-1))
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	if a.serveDrill(rw, r, now.Unix()) { // drill_github.go
		return
	}
	if r.Method != http.MethodGet {
		writeGhError(rw, http.StatusNotFound, "Not Found")
		return
	}
	rest, ok := a.route(r.URL.Path)
	switch {
	case !ok:
		writeGhError(rw, http.StatusNotFound, "Not Found")
	case rest == "issues":
		a.serveIssues(rw, r, now.Unix())
	case strings.HasPrefix(rest, "issues/"):
		num, sub, _ := strings.Cut(strings.TrimPrefix(rest, "issues/"), "/")
		n, err := strconv.ParseInt(num, 10, 64)
		switch {
		case err != nil || n < 1 || n > int64(a.w.ticketsBy(now.Unix())) || (sub != "" && sub != "timeline"):
			writeGhError(rw, http.StatusNotFound, "Not Found")
		case a.w.deleted(int(n-1), now.Unix()):
			writeGhError(rw, http.StatusGone, "This issue was deleted")
		case sub == "":
			v := a.w.ghIssueView(int(n-1), now.Unix())
			writeGhJSON(rw, r, a.w.ghIssue(&v, a.base()))
		default:
			v := a.w.ghIssueView(int(n-1), now.Unix())
			servePage(a, rw, r, rest, a.w.ghTimeline(&v, a.base()))
		}
	default:
		writeGhError(rw, http.StatusNotFound, "Not Found")
	}
}

// route strips /repos/{owner}/{name}/ (case-insensitive, as on GitHub) or
// /repositories/{id}/, the form of the Link headers, from path.
func (a *githubAPI) route(path string) (rest string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 4)
	owner, name := ghRepo(a.w.v.Name)
	switch {
	case len(parts) == 4 && parts[0] == "repos" && strings.EqualFold(parts[1], owner) && strings.EqualFold(parts[2], name):
		return parts[3], true
	case len(parts) >= 3 && parts[0] == "repositories" && parts[1] == strconv.FormatInt(a.w.ghRepoID(), 10):
		return strings.Join(parts[2:], "/"), true
	}
	return "", false
}

// serveIssues lists the issues: state (open, closed or all; default open),
// since (updated at or after), sort (created, updated or comments; default
// created) and direction (asc or desc; default desc).
func (a *githubAPI) serveIssues(rw http.ResponseWriter, r *http.Request, now int64) {
	q := r.URL.Query()
	state, sortBy, dir := cmp.Or(q.Get("state"), "open"), cmp.Or(q.Get("sort"), "created"), cmp.Or(q.Get("direction"), "desc")
	if !slices.Contains([]string{"open", "closed", "all"}, state) ||
		!slices.Contains([]string{"created", "updated", "comments"}, sortBy) ||
		!slices.Contains([]string{"asc", "desc"}, dir) {
		writeGhError(rw, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	var candidates []int
	since := int64(0)
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeGhError(rw, http.StatusUnprocessableEntity, "Validation Failed")
			return
		}
		since = t.Unix()
		candidates = a.w.changedSince(since, now)
	} else {
		for i := range a.w.ticketsBy(now) {
			if !a.w.deleted(i, now) {
				candidates = append(candidates, i)
			}
		}
	}
	var views []ghIssueView
	for _, i := range candidates {
		v := a.w.ghIssueView(i, now)
		if v.updated < since || (state == "open" && v.closed()) || (state == "closed" && !v.closed()) {
			continue
		}
		views = append(views, v)
	}
	slices.SortStableFunc(views, func(x, y ghIssueView) int {
		var c int
		switch sortBy {
		case "updated":
			c = cmp.Compare(x.updated, y.updated)
		case "comments":
			c = cmp.Compare(x.comments(), y.comments())
		}
		c = cmp.Or(c, cmp.Compare(x.s.tl.index, y.s.tl.index))
		if dir == "desc" {
			return -c
		}
		return c
	})
	issues := make([]ghIssue, 0, len(views))
	for i := range views {
		is := a.w.ghIssue(&views[i], a.base())
		if c := q.Get("creator"); c != "" && !strings.EqualFold(is.User.Login, c) { // drill_github.go
			continue
		}
		issues = append(issues, is)
	}
	servePage(a, rw, r, "issues", issues)
}

// servePage answers one page (page, per_page) of list with GitHub's Link
// (next, last, prev, first, pointing at /repositories/{id}/...) and ETag
// headers, and 304 when If-None-Match names the page's ETag. Under an
// endless-pages fault, next and last name this page, or the one after.
func servePage[T any](a *githubAPI, rw http.ResponseWriter, r *http.Request, rest string, list []T) {
	q := r.URL.Query()
	perPage, page := ghDefaultPerPage, 1
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil {
		perPage = min(max(v, 1), ghMaxPerPage)
	}
	if v, err := strconv.Atoi(q.Get("page")); err == nil {
		page = max(v, 1)
	}
	last := max((len(list)+perPage-1)/perPage, 1)
	from, to, _ := pageBounds(len(list), servedPage(r, page), perPage)
	link := func(p int, rel string) string {
		lq := maps.Clone(q)
		lq.Set("page", strconv.Itoa(p))
		return "<" + a.base() + "/repositories/" + strconv.FormatInt(a.w.ghRepoID(), 10) + "/" + rest + "?" + lq.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	switch endlessOf(r) {
	case endlessSame:
		links = append(links, link(page, "next"), link(page, "last"))
	case endlessGrowing:
		links = append(links, link(page+1, "next"), link(page+1, "last"))
	default:
		if page < last {
			links = append(links, link(page+1, "next"), link(last, "last"))
		}
	}
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if len(links) > 0 {
		rw.Header().Set("Link", strings.Join(links, ", "))
	}
	writeGhJSON(rw, r, append([]T{}, list[from:to]...))
}

// writeGhJSON answers v with its ETag, or 304 when the client has it.
func writeGhJSON(rw http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own fixed shapes are encoded: a bug, not input
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	rw.Header().Set("ETag", etag)
	rw.Header().Set("Cache-Control", "private, max-age=60, s-maxage=60")
	if r.Header.Get("If-None-Match") == etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	_, _ = rw.Write(body)
}

func writeGhError(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
		Status           string `json:"status"`
	}{msg, "https://docs.github.com/rest", strconv.Itoa(status)})
}

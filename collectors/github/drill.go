package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
)

// The off-hours drill's writes, as the buyer's account, in the first of
// the source's repositories (docs/sources.md, github; REST API 2022-11-28):
//
//	POST /repos/{owner}/{repo}/issues                  {"title", "body", "labels"} -> 201 issue
//	POST /repos/{owner}/{repo}/issues/{number}/comments {"body"}                  -> 201 comment
//
// and its look for an earlier attempt, among the buyer's own issues only
// (the token's login, GET /user, asked once): the repository's issues
// newest first (GET .../issues?state=all&creator={login}&sort=created&
// direction=desc; always current), then the search (GET /search/issues?q=
// "marker" repo:owner/repo author:@me), whose index lags new issues. An
// entry another login opened, or a pull request, is never a drill's. GitHub drops the labels of an issue filed by
// an account without push access, silently: the priority label then only
// shows in the body, where the templates may put it.

// NewCreator builds the drill's creator of a github source (a
// source.CreatorFactory).
func NewCreator(env source.Env) (source.Creator, error) {
	raw := env.Config.URL
	if raw == "" {
		raw = DefaultURL
	}
	base, err := fetch.BaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("github: source %q: %w", env.Config.Name, err)
	}
	repos, err := checkRepositories(optionsOf(env.Config).Repositories)
	if err != nil {
		return nil, fmt.Errorf("github: source %q: %w", env.Config.Name, err)
	}
	return &creator{http: env.HTTP.WithMaxBodyBytes(maxBodyBytes), base: base, repo: repos[0]}, nil
}

type creator struct {
	http  *fetch.Client
	base  *url.URL
	repo  string // owner/name
	login string // the token's account, once known (me)
}

type drillIssue struct {
	Number    *int64     `json:"number"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	CreatedAt *time.Time `json:"created_at"`
	User      *struct {
		Login string `json:"login"`
	} `json:"user"`
	PullRequest *struct{} `json:"pull_request"`
}

// me is the login of the token's account (GET /user), asked once.
func (c *creator) me(ctx context.Context) (string, error) {
	if c.login != "" {
		return c.login, nil
	}
	resp, err := c.http.Get(ctx, c.base.JoinPath("user").String(), apiHeader)
	if err != nil {
		return "", fmt.Errorf("github: the token's login: %w", err)
	}
	var u struct {
		Login string `json:"login"`
	}
	if err := json.Unmarshal(resp.Body, &u); err != nil || u.Login == "" {
		return "", fmt.Errorf("github: the token's login: no login in GET /user (%v)", err)
	}
	c.login = u.Login
	return c.login, nil
}

func (c *creator) filed(is drillIssue) (source.Filed, error) {
	if is.Number == nil || is.CreatedAt == nil {
		return source.Filed{}, errors.New("issue without number or created_at")
	}
	// The collector's ticket id (ticket.go).
	return source.Filed{ID: c.repo + "#" + strconv.FormatInt(*is.Number, 10), CreatedAt: *is.CreatedAt}, nil
}

func (c *creator) Create(ctx context.Context, d source.Draft) (source.Filed, error) {
	in := map[string]any{"title": d.Subject, "body": d.Body}
	if d.Priority != "" {
		in["labels"] = []string{d.Priority}
	}
	resp, err := c.post(ctx, c.base.JoinPath("repos", c.repo, "issues").String(), in)
	if err != nil {
		return source.Filed{}, fmt.Errorf("github: create issue in %s: %w", c.repo, err)
	}
	var is drillIssue
	if err := json.Unmarshal(resp.Body, &is); err != nil {
		return source.Filed{}, fmt.Errorf("github: create issue in %s: %w", c.repo, err)
	}
	f, err := c.filed(is)
	if err != nil {
		return source.Filed{}, fmt.Errorf("github: create issue in %s: %w", c.repo, err)
	}
	return f, nil
}

// Target is the repository's API URL.
func (c *creator) Target() string { return c.base.JoinPath("repos", c.repo).String() }

func (c *creator) Comment(ctx context.Context, id, body string) error {
	number, ok := strings.CutPrefix(id, c.repo+"#")
	if _, err := strconv.ParseInt(number, 10, 64); !ok || err != nil {
		return fmt.Errorf("github: comment: %q is not an issue of %s", id, c.repo)
	}
	if _, err := c.post(ctx, c.base.JoinPath("repos", c.repo, "issues", number, "comments").String(), map[string]string{"body": body}); err != nil {
		return fmt.Errorf("github: comment on %s: %w", id, err)
	}
	return nil
}

// findPages bounds the pages of the repository's issues Find reads.
const findPages = 20

func (c *creator) Find(ctx context.Context, marker string, since time.Time) ([]source.Filed, error) {
	login, err := c.me(ctx)
	if err != nil {
		return nil, fmt.Errorf("github: find drill issue: %w", err)
	}
	var all []source.Filed
	sorted := true
	for page := 1; ; page++ {
		if page > findPages {
			return nil, fmt.Errorf("github: find drill issue: the issue list is not read to %s after %d pages",
				since.Format(time.RFC3339), findPages)
		}
		list := c.base.JoinPath("repos", c.repo, "issues")
		list.RawQuery = url.Values{"state": {"all"}, "creator": {login}, "sort": {"created"}, "direction": {"desc"}, "per_page": {"100"},
			"page": {strconv.Itoa(page)}}.Encode()
		resp, err := c.http.Get(ctx, list.String(), apiHeader)
		if err != nil {
			return nil, fmt.Errorf("github: find drill issue: %w", err)
		}
		var issues []drillIssue
		if err := json.Unmarshal(resp.Body, &issues); err != nil {
			return nil, fmt.Errorf("github: find drill issue: %w", err)
		}
		if all, err = c.match(all, issues, marker, login); err != nil {
			return nil, err
		}
		past := false
		for i, is := range issues {
			switch {
			case is.CreatedAt == nil || i > 0 && issues[i-1].CreatedAt != nil && is.CreatedAt.After(*issues[i-1].CreatedAt):
				sorted = false
			case is.CreatedAt.Before(since):
				past = true
			}
		}
		if past && sorted || len(issues) < 100 {
			break
		}
	}
	search := c.base.JoinPath("search", "issues")
	search.RawQuery = url.Values{"q": {`"` + marker + `" repo:` + c.repo + " author:@me in:title,body"}}.Encode()
	resp, err := c.http.Get(ctx, search.String(), apiHeader)
	if err != nil {
		return nil, fmt.Errorf("github: search drill issue: %w", err)
	}
	var found struct {
		Items []drillIssue `json:"items"`
	}
	if err := json.Unmarshal(resp.Body, &found); err != nil {
		return nil, fmt.Errorf("github: search drill issue: %w", err)
	}
	return c.match(all, found.Items, marker, login)
}

// match adds to all every one of issues that login opened holding
// marker; pull requests (which the lists and search also return) are
// never drills.
func (c *creator) match(all []source.Filed, issues []drillIssue, marker, login string) ([]source.Filed, error) {
	for _, is := range issues {
		if is.PullRequest != nil || is.User == nil || !strings.EqualFold(is.User.Login, login) {
			continue
		}
		if strings.Contains(is.Title, marker) || strings.Contains(is.Body, marker) {
			f, err := c.filed(is)
			if err != nil {
				return nil, fmt.Errorf("github: find drill issue: %w", err)
			}
			all = source.AddFiled(all, f)
		}
	}
	return all, nil
}

func (c *creator) post(ctx context.Context, u string, in any) (*fetch.Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	h := apiHeader.Clone()
	h.Set("Accept", "application/vnd.github+json")
	h.Set("Content-Type", "application/json")
	return c.http.Send(ctx, fetch.Write{Method: http.MethodPost, URL: u, Header: h, Body: body})
}

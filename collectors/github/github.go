// Package github collects the issues of a vendor's public repositories (its
// SDKs, say) as support tickets, through the GitHub REST API, for the source
// kind `github`.
//
// # Endpoints
//
//   - GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc
//     &since=...&per_page=100: the issues changed since the cursor, oldest
//     change first. The list holds pull requests too; they are skipped.
//   - GET /repos/{owner}/{repo}/issues/{number}/timeline?per_page=100: the
//     comments, closes (with their reason) and reopens of one changed issue,
//     in one list. It replaces both the comments endpoint and the events
//     endpoint, and unlike the repository-wide /issues/comments?since=, it
//     gives the whole history, which the store needs: a ticket is
//     stored whole, not patched.
//
// # Paging
//
// The issue list is walked by its since parameter (inclusive) rather than
// by page number: an issue updated during a sync moves to the end of the
// list, and with page numbers the issue that slid back over a page boundary
// would be skipped. Each request asks for the issues updated at or after
// the latest update seen; the issues of that same second already handled
// are recognised by the cursor (number and fingerprint) and skipped. Only
// when a whole page shares one updated_at does the walk turn to the next
// page number. The Link header tells whether more follows; its URLs are not
// followed, so that no request, and no credential, ever leaves the
// configured base URL.
//
// An issue updated at an implausible time (source.Env.Bounds: after our
// clock plus the allowed skew, or before global.earliest_timestamp) is left
// out of the walk, so that since never moves onto it, and counted as
// rejected when it would be a ticket; the list is in update order, so one
// in the future ends the walk at its page. A stored since in the future
// restarts the repository's walk from the history start. A Link rel="next"
// on an empty page, on a page of the same since that only repeats what the
// sync read before, or on the page it calls rel="last" ends the sync with
// reason loop, after the page is stored; timelines likewise. Responses over
// 8 MiB are refused.
//
// # Cost
//
// A poll that finds nothing new costs one request per repository, and is
// answered 304 Not Modified when the cursor's ETag still matches: with a
// token, GitHub does not count it against the rate limit. Each changed
// issue costs one timeline request per 100 events, except an open issue
// that was never commented, closed nor reopened and has no label, which
// costs none. A close's reason, closer and time and the issue type come
// with the list (the closer from the timeline already read where the list
// lacks closed_by): no request of their own. Issues
// opened by the vendor, pull requests and issues created before
// global.history_start cost nothing either. Rate limits (X-RateLimit-*,
// secondary limits as 403/429 with Retry-After) are honoured by the shared
// client.
//
// # Credentials
//
// None for public repositories, but without a token GitHub allows 60
// requests an hour per IP address; with one, 5000. The least privilege that
// works is a fine-grained personal access token with public repository
// read-only access and no permissions, or a classic token with no scopes,
// given as `http_client: {authorization: {credentials_file: ...}}`. A
// private repository needs Issues: read.
//
// # Mapping
//
// A ticket is an issue ("owner/name#number") whose author does not speak
// for the vendor. The vendor speaks through authors whose association with
// the repository is OWNER, MEMBER or COLLABORATOR, and through the
// vendor_logins. GitHub reports a member whose organization membership is
// private as CONTRIBUTOR (or NONE) to anyone outside the organization, so
// such staff must be listed in vendor_logins. Timeline events (details in
// rules.ticket):
//
//   - a vendor comment is a vendor reply; a comment by a bot not listed in
//     vendor_logins is ignored; any other comment is a customer reply;
//   - a close as completed (or without reason: closes before 2022) is a
//     solve; as not planned or duplicate, the ticket is closed, unsolved;
//   - every reopen is a reopen;
//   - the first label put by someone other than the author and unnamed
//     bots is the vendor's triage (item.Ticket.TriagedAt): only those with
//     triage access can label another's issue.
//
// A closed issue carries its close reason (state_reason, "completed" when
// null), its closer (closed_by) and close time (closed_at); the issue
// type's name is the ticket's type. They judge a feature request's outcome
// (docs/configuration.md, feature_requests).
//
// Status: solved (closed as completed), closed (any other close), pending
// (open, and the vendor's reply is the latest reply or reopen: the issue
// awaits the customer) or open. Labels are the tags, so escalation.tags
// name labels. The priority is left empty: the exporter sets it to the
// label naming the most urgent priority, by the vendor's `priorities` and
// the built-in names (docs/configuration.md, "Priorities").
//
// # Metrics
//
// Fed: tickets created, first response, resolution, one-touch, rounds,
// reopens, customer follow-ups, SLA checks and breaches, open tickets
// (awaiting vendor or customer), oldest unanswered, escalations (by label,
// through escalation.tags). Not fed: satisfaction (GitHub has no rating),
// on_hold (no such state), and no figure is the API's own: all come from
// the timeline.
package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/collectors/fetch"
	"github.com/support-exporter/support_exporter/collectors/source"
	"github.com/support-exporter/support_exporter/exporter/door"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// DefaultURL is the API of github.com; GitHub Enterprise Server serves it
// under https://HOST/api/v3.
const DefaultURL = "https://api.github.com"

// apiVersion pins the REST API version the mapping was written against.
const apiVersion = "2022-11-28"

// maxBodyBytes caps a response. A page of 100 issues is about 450 KB (the
// simulator's; a real issue is 2.7 KB with a short body), a page of 100
// timeline events less; the cap leaves room for 100 bodies or comments at
// GitHub's limit of 65,536 characters.
const maxBodyBytes = 8 << 20

// repoName is an owner/name as GitHub allows them; it also keeps path
// tricks such as ".." out of the request paths.
var repoName = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)

// collector polls the issues of a vendor's repositories.
type collector struct {
	http         *fetch.Client
	base         *url.URL
	repos        []string // owner/name, as configured
	rules        rules
	historyStart time.Time
	logger       *slog.Logger // nil: no logging
	// bounds are the plausible times: an issue updated at another time is
	// left out of the walk, and reported to rejected.
	bounds   door.Bounds
	rejected func(reason string)
}

// New builds the source of kind github (a source.Factory).
func New(env source.Env) (source.Source, error) {
	if env.Config == nil || env.HTTP == nil {
		return nil, errors.New("github: incomplete environment: config and HTTP client are required")
	}
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
	return &collector{
		http:         env.HTTP.WithMaxBodyBytes(maxBodyBytes),
		base:         base,
		repos:        repos,
		rules:        newRules(env.Config),
		historyStart: env.HistoryStart,
		logger:       env.Logger,
		bounds:       env.Bounds,
		rejected:     env.Rejected,
	}, nil
}

func checkRepositories(repos []string) ([]string, error) {
	if len(repos) == 0 {
		return nil, errors.New("no repositories")
	}
	seen := map[string]bool{}
	for _, r := range repos {
		if !repoName.MatchString(r) {
			return nil, fmt.Errorf("repository %q: want owner/name", r)
		}
		// GitHub names are case-insensitive: twice the same repository
		// would fetch everything twice under two ticket ids.
		if key := strings.ToLower(r); seen[key] {
			return nil, fmt.Errorf("repository %q listed twice", r)
		} else {
			seen[key] = true
		}
	}
	return repos, nil
}

// Sync walks each repository's issue list from the cursor, emitting one
// batch per page. A repository that fails does not hold the others back:
// their changes are still stored, and the failures are returned together
// at the end. A rate limit, the sync's request budget, a failed emit or a
// cancelled context ends the sync at once, since every further request
// would fail the same way.
func (c *collector) Sync(ctx context.Context, stored []byte, emit func(item.Batch) error) error {
	cur, err := parseCursor(stored)
	if err != nil && c.logger != nil {
		c.logger.Warn("github: starting over from the history start", "err", err)
	}
	var failed []error
	for _, repo := range c.repos {
		err := c.syncRepo(ctx, repo, &cur, emit)
		switch {
		case err == nil:
		case errors.Is(err, errEmit), ctx.Err() != nil, fetch.Reason(err) == fetch.ReasonRateLimited,
			fetch.Reason(err) == fetch.ReasonBudget:
			return err
		default:
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// errEmit marks a failure to store a batch.
var errEmit = errors.New("storing batch")

// apiHeader is sent with every request.
var apiHeader = http.Header{"X-Github-Api-Version": {apiVersion}}

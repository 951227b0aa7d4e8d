package simulator

import (
	"context"
	"math"
	"net/http"
)

// endless is the endless-pages fault a request is served under: the
// paged APIs read it from the request's context (see FaultEndlessSame and
// FaultEndlessGrowing).
type endless int

const (
	endlessNone endless = iota
	endlessSame
	endlessGrowing
)

type endlessKey struct{}

func withEndless(r *http.Request, e endless) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), endlessKey{}, e))
}

func endlessOf(r *http.Request) endless {
	e, _ := r.Context().Value(endlessKey{}).(endless)
	return e
}

// servedPage is the number of the page whose items a numbered page holds:
// the first, already seen, under endlessGrowing.
func servedPage(r *http.Request, page int) int {
	if endlessOf(r) == endlessGrowing {
		return 1
	}
	return page
}

// beforeAll is the key of a cursor before every item: the next page a
// first page names under endlessSame.
var beforeAll = requestKey{at: math.MinInt64}

// endlessKeyAfter is the cursor of the page after one past the last item
// under endlessGrowing: the request's own cursor (parsed, beforeAll when
// none) one further, so that each is new.
func endlessKeyAfter(after string) requestKey {
	k := beforeAll
	if after != "" {
		k, _ = parseRequestKey(after)
	}
	k.id++
	return k
}

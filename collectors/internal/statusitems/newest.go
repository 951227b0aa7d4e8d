package statusitems

import "time"

// NewestByID merges lists of items, keeping one version of each id: the one
// updated last, or on a tie the one from the later list, which was fetched
// later. The order of first appearance is kept so batches are reproducible.
func NewestByID[T any](id func(T) string, updated func(T) time.Time, lists ...[]T) []T {
	var out []T
	at := map[string]int{}
	for _, list := range lists {
		for _, it := range list {
			i, seen := at[id(it)]
			switch {
			case !seen:
				at[id(it)] = len(out)
				out = append(out, it)
			case !updated(it).Before(updated(out[i])):
				out[i] = it
			}
		}
	}
	return out
}

package statusitems

// Labels hands out component names that are unique within one batch: a
// component's name becomes its `component` label, and two series must not
// share one. The zero value is not ready; use NewLabels.
type Labels struct{ taken map[string]bool }

// NewLabels returns an empty set of labels, for one batch.
func NewLabels() *Labels { return &Labels{taken: map[string]bool{}} }

// Claim returns the label for a component named name with the given id: the
// name itself, or "name (id)" when the name is taken, since pages may give
// two components one name but never one id. ok is false when even that is
// taken, which only a broken page can cause (a component listed twice, or
// one named like another's "name (id)"): the component is then left out
// rather than given an ever longer label.
func (l *Labels) Claim(name, id string) (label string, ok bool) {
	if l.taken[name] {
		name += " (" + id + ")"
	}
	if l.taken[name] {
		return "", false
	}
	l.taken[name] = true
	return name, true
}

package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// problem is one mistake in the configuration file.
type problem struct {
	line int
	msg  string
}

// problems collects every mistake found in one file, so that a single load
// reports them all instead of making the operator fix them one by one.
type problems struct {
	file string
	list []problem
}

func (p *problems) add(line int, format string, args ...any) {
	p.list = append(p.list, problem{line: line, msg: fmt.Sprintf(format, args...)})
}

func (p *problems) empty() bool { return len(p.list) == 0 }

// err returns the problems as one error, one "FILE:LINE: CAUSE" per line in
// file order, or nil when there are none.
func (p *problems) err() error {
	if p.empty() {
		return nil
	}
	sorted := slices.Clone(p.list)
	slices.SortStableFunc(sorted, func(a, b problem) int { return cmp.Compare(a.line, b.line) })
	errs := make([]error, 0, len(sorted))
	for _, pr := range sorted {
		errs = append(errs, fmt.Errorf("%s:%d: %s", p.file, pr.line, pr.msg))
	}
	return errors.Join(errs...)
}

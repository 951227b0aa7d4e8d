package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML reads a date written YYYY-MM-DD. It fails with a
// *yaml.TypeError carrying the line, which yaml.v3 collects while it goes on
// decoding, so a bad date is reported together with every other mistake.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return dateError(n.Line, "want a date written YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return dateError(n.Line, fmt.Sprintf("invalid date %q: want YYYY-MM-DD", n.Value))
	}
	d.Time = t
	return nil
}

func dateError(line int, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", line, msg)}}
}

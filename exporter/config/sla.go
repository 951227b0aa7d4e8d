package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SLATerms are a vendor's contract terms in the order they took effect
// (docs/configuration.md, "Contract terms with dates"). `sla:` written as one mapping
// is one term in force since ever; written as a list, each term has a
// `from:` date (the first may leave it out). A ticket is judged by the term
// in force when it was created, so adding a term for the future rewrites
// nothing already counted.
type SLATerms []SLA

// At is the term in force at t: the last whose Start is not after t; nil
// when none is (no sla, or t before the first term's from).
func (ts SLATerms) At(t time.Time) *SLA {
	for i := len(ts) - 1; i >= 0; i-- {
		if !ts[i].Start.After(t) {
			return &ts[i]
		}
	}
	return nil
}

// UnmarshalYAML reads one term (a mapping) or a list of terms. It checks
// the keys of each term itself: the strict decoder's unknown-key check does
// not reach into a custom unmarshaler.
func (ts *SLATerms) UnmarshalYAML(n *yaml.Node) error {
	var items []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want the sla targets, or a list of terms each with a from: date", n.Line)}}
	}
	var errs []string
	out := make(SLATerms, len(items))
	for i, item := range items {
		if item.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Sprintf("line %d: want an sla term (a mapping)", item.Line))
			continue
		}
		errs = append(errs, unknownKeys(item, reflect.TypeFor[SLA]())...)
		if err := item.Decode(&out[i]); err != nil {
			if te, ok := err.(*yaml.TypeError); ok {
				errs = append(errs, te.Errors...)
				continue
			}
			return err
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	*ts = out
	return nil
}

// unknownKeys lists the keys of mapping n that no field of struct t takes,
// in the strict decoder's words, which addDecoderMessage turns into paths.
func unknownKeys(n *yaml.Node, t reflect.Type) []string {
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if _, ok := fieldByYAMLKey(t, key.Value); !ok {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type %s", key.Line, key.Value, strings.TrimPrefix(t.String(), "config.")))
		}
	}
	return errs
}

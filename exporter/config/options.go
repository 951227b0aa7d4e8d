package config

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeOptions decodes every source's own keys (Source.KindKeys) onto its
// kind's Options, reporting a key no kind has as unknown, as the decoder
// reports any unknown key. A key of another kind is left in KindKeys for
// the checks to report (misplacedKeys), beside the source's other
// mistakes. A source without a known kind keeps the keys some kind has:
// which kind was meant is for the kind check to say.
func decodeOptions(c *Config, kinds Kinds, ix nodeIndex, p *problems) {
	for i, v := range c.Vendors {
		if v == nil {
			continue
		}
		for _, list := range v.sourceLists() {
			for j, s := range list.sources {
				if s != nil {
					s.decodeOptions(itemPath(childPath(itemPath("vendors", i), list.key), j), kinds, ix, p)
				}
			}
		}
	}
}

func (s *Source) decodeOptions(path string, kinds Kinds, ix nodeIndex, p *problems) {
	written := s.KindKeys
	s.KindKeys = nil
	kind, known := kinds.Lookup(s.Kind)
	var opts Options
	var optsType reflect.Type
	if known && kind.Options != nil {
		opts = kind.Options()
		optsType = reflect.TypeOf(opts)
	}
	mapping := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	// In file order, so that mistakes are reported in it.
	names := slices.SortedFunc(maps.Keys(written), func(a, b string) int { return compareNodes(written[a], written[b]) })
	for _, name := range names {
		value := written[name]
		line := ix.line(childPath(path, name))
		if optsType != nil {
			if _, ok := fieldByYAMLKey(optsType.Elem(), name); ok {
				mapping.Content = append(mapping.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, &value)
				continue
			}
		}
		if len(kinds.owning(name)) == 0 {
			p.add(line, "unknown key %q in %s", name, path)
			continue
		}
		if !known {
			continue
		}
		if s.KindKeys == nil {
			s.KindKeys = map[string]yaml.Node{}
		}
		s.KindKeys[name] = value
	}
	if opts == nil {
		return
	}
	s.Options = opts
	if len(mapping.Content) == 0 {
		return
	}
	reported := len(p.list)
	preflight(mapping, optsType, path, ix, p)
	var typeErr *yaml.TypeError
	switch err := mapping.Decode(opts); {
	case errors.As(err, &typeErr):
		for _, e := range typeErr.Errors {
			addDecoderMessage(e, ix, p)
		}
	case err != nil && len(p.list) == reported:
		// Else preflight has reported it, with its line.
		addYAMLError(err, p)
	}
}

// misplacedKeys reports the keys decodeOptions left: keys of other kinds.
func (ck *checker) misplacedKeys(s *Source, path string) {
	for _, name := range slices.SortedFunc(maps.Keys(s.KindKeys), func(a, b string) int { return compareNodes(s.KindKeys[a], s.KindKeys[b]) }) {
		ck.report(childPath(path, name), "only valid for kind %s, not %s", strings.Join(ck.kinds.owning(name), " or "), s.Kind)
	}
	s.KindKeys = nil
}

// compareNodes orders nodes as they are written: by line, then column.
func compareNodes(a, b yaml.Node) int {
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Column - b.Column
}

// owning returns the kinds that have key among their own keys.
func (ks Kinds) owning(key string) []string {
	var owners []string
	for _, k := range ks {
		if k.Options == nil {
			continue
		}
		if _, ok := fieldByYAMLKey(reflect.TypeOf(k.Options()).Elem(), key); ok {
			owners = append(owners, k.Name)
		}
	}
	return owners
}

// yamlValue writes v as a YAML value in flow style, for the docs (one line
// for the scalars and flat lists that keys have as defaults).
func yamlValue(v any) string {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return ""
	}
	n.Style = yaml.FlowStyle
	out, err := yaml.Marshal(n)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeIndex maps the path of every node written in the file (for example
// "vendors[2].tickets[0].kind") to where it is written. The structs the file
// decodes into have no line numbers; the index lets the checks that run on
// them still say where a mistake is, and tell "absent" from "written as zero".
type nodeIndex map[string]located

type located struct {
	line  int        // line of the mapping key, or of the sequence item
	value *yaml.Node // the value written there
}

func childPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func itemPath(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// indexNodes indexes a parsed document. Aliases are not followed: a path below
// an alias resolves to the alias itself, which is where the operator used it,
// and following them could expand an alias bomb.
func indexNodes(doc *yaml.Node) nodeIndex {
	ix := nodeIndex{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		ix.add("", doc.Content[0].Line, doc.Content[0])
	}
	return ix
}

func (ix nodeIndex) add(path string, line int, n *yaml.Node) {
	ix[path] = located{line: line, value: n}
	switch n.Kind {
	case yaml.MappingNode:
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.ShortTag() == "!!merge" {
				merges = append(merges, key)
				continue
			}
			ix.add(childPath(path, key.Value), key.Line, n.Content[i+1])
		}
		for _, key := range merges {
			ix.addMerged(path, key, mergeValue(n, key))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			ix.add(itemPath(path, i), item.Line, item)
		}
	}
}

// mergeValue is the value of the merge key key in mapping n.
func mergeValue(n, key *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// addMerged indexes the keys a merge key (<<: *base, or a list of them)
// brings into the mapping at path, where the mapping does not write them
// itself, at the merge key's line: so that a merged key counts as written
// (applyDefaults must not replace it). Only the merged mappings' own keys
// are indexed, not what lies below them: aliases are not followed further.
func (ix nodeIndex) addMerged(path string, key, value *yaml.Node) {
	if value == nil {
		return
	}
	sources := []*yaml.Node{value}
	if value.Kind == yaml.SequenceNode {
		sources = value.Content
	}
	for _, src := range sources {
		if src.Kind == yaml.AliasNode {
			src = src.Alias
		}
		if src == nil || src.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(src.Content); i += 2 {
			p := childPath(path, src.Content[i].Value)
			if _, written := ix[p]; !written {
				ix[p] = located{line: key.Line, value: src.Content[i+1]}
			}
		}
	}
}

// has reports whether path is written in the file with a non-null value.
func (ix nodeIndex) has(path string) bool {
	l, ok := ix[path]
	return ok && l.value.ShortTag() != "!!null"
}

// line returns the line of path, or of its nearest written ancestor when path
// itself is absent (a missing key is reported where it should have been).
func (ix nodeIndex) line(path string) int {
	for {
		if l, ok := ix[path]; ok {
			return l.line
		}
		cut := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
		if cut < 0 {
			return 1
		}
		path = path[:cut]
	}
}

// keyPath finds the path of the mapping key written at line, for messages
// from the YAML decoder, which know the line but not the path.
func (ix nodeIndex) keyPath(line int, key string) (string, bool) {
	found, ok := "", false
	for path, l := range ix {
		if l.line != line || (path != key && !strings.HasSuffix(path, "."+key)) {
			continue
		}
		if !ok || path < found {
			found, ok = path, true
		}
	}
	return found, ok
}

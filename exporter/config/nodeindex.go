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
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			ix.add(childPath(path, key.Value), key.Line, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			ix.add(itemPath(path, i), item.Line, item)
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

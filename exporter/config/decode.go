package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decode parses data into a Config, with each source's own keys decoded by
// its kind, and indexes its nodes. Any mistake the YAML layer can see
// (syntax, unknown keys, wrong types, bad durations, a bad http_client) is
// added to p; the Config is only returned when there is none,
// since a partly decoded Config would make the semantic checks report
// mistakes that are not there.
func decode(data []byte, kinds Kinds, p *problems) (*Config, nodeIndex) {
	doc, ok := parseDocument(data, p)
	if !ok {
		return nil, nil
	}
	ix := indexNodes(doc)
	cfg := &Config{}
	if len(doc.Content) == 0 {
		return cfg, ix // an empty file: the checks say what is missing
	}
	preflight(doc.Content[0], reflect.TypeFor[Config](), "", ix, p)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	var typeErr *yaml.TypeError
	switch {
	case err == nil:
		decodeOptions(cfg, kinds, ix, p)
	case errors.As(err, &typeErr):
		for _, e := range typeErr.Errors {
			addDecoderMessage(e, ix, p)
		}
		// The decoder went on past type errors: the sources' own keys
		// are all there, and their mistakes are reported too.
		decodeOptions(cfg, kinds, ix, p)
	case p.empty():
		addYAMLError(err, p)
	}
	// Any other decoder error is one preflight has already reported with its
	// line: yaml.v3 stops at the first failing yaml.v2-style unmarshaler.
	if !p.empty() {
		return nil, nil
	}
	return cfg, ix
}

// parseDocument parses the file into a node tree, refusing a second document
// (it would be silently ignored otherwise).
func parseDocument(data []byte, p *problems) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &doc, true
		}
		addYAMLError(err, p)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return &doc, true
	case err != nil:
		addYAMLError(err, p)
	default:
		p.add(extra.Line, "only one YAML document is allowed")
	}
	return nil, false
}

// obsoleteUnmarshaler is the yaml.v2-style interface that model.Duration and
// commoncfg.HTTPClientConfig implement.
type obsoleteUnmarshaler interface {
	UnmarshalYAML(unmarshal func(any) error) error
}

var obsoleteUnmarshalerType = reflect.TypeFor[obsoleteUnmarshaler]()

// preflight decodes, one by one, every value of n whose Go type has a
// yaml.v2-style unmarshaler. When such an unmarshaler fails (a bad duration,
// an http_client that fails its own Validate), yaml.v3 aborts the whole decode
// with an error that has no line; decoding the value alone gives the line.
// Type errors are skipped here: the strict decode reports those with lines.
func preflight(n *yaml.Node, t reflect.Type, path string, ix nodeIndex, p *problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(obsoleteUnmarshalerType) {
		var typeErr *yaml.TypeError
		if err := n.Decode(reflect.New(t).Interface()); err != nil && !errors.As(err, &typeErr) {
			p.add(ix.line(path), "%s: %s", path, redactURLError(err))
		}
		return
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if f, ok := fieldByYAMLKey(t, key); ok {
				preflight(n.Content[i+1], f.Type, childPath(path, key), ix, p)
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			preflight(n.Content[i+1], t.Elem(), childPath(path, n.Content[i].Value), ix, p)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			preflight(item, t.Elem(), itemPath(path, i), ix, p)
		}
	case t == reflect.TypeFor[SLATerms]() && n.Kind == yaml.MappingNode:
		preflight(n, t.Elem(), path, ix, p) // one term written without a list
	}
}

func fieldByYAMLKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == key && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// redactURLError drops the URL from URL parse errors, keeping every other
// error as it is. The only URLs in an http_client are proxy URLs, which may
// carry a password.
func redactURLError(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return "invalid proxy_url"
	}
	return err.Error()
}

var (
	yamlLinePrefix = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// addYAMLError reformats a yaml error ("yaml: line N: cause") into a problem.
// yaml.v3 leaves the line out for mistakes on the first line, hence line 1.
func addYAMLError(err error, p *problems) {
	msg := err.Error()
	line := 1
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	p.add(line, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// addDecoderMessage reformats one message of a yaml.TypeError ("line N:
// cause"), naming unknown keys by their path rather than by Go type.
func addDecoderMessage(msg string, ix nodeIndex, p *problems) {
	m := yamlLinePrefix.FindStringSubmatch(msg)
	if m == nil {
		p.add(1, "%s", msg)
		return
	}
	line, _ := strconv.Atoi(m[1])
	cause := msg[len(m[0]):]
	if f := unknownField.FindStringSubmatch(cause); f != nil {
		cause = fmt.Sprintf("unknown key %q", f[1])
		if path, ok := ix.keyPath(line, f[1]); ok {
			if parent := strings.TrimSuffix(path, f[1]); parent != "" {
				cause += " in " + strings.TrimSuffix(parent, ".")
			}
		}
	}
	p.add(line, "%s", cause)
}

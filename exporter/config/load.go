package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// Load reads, defaults and validates the configuration file at path; kinds
// are the source kinds there are (collectors.Kinds).
func Load(path string, kinds Kinds) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(data, path, kinds)
}

// Parse defaults and validates a configuration. file names it in error
// messages ("FILE:LINE: CAUSE", one per mistake, in file order), and relative
// file paths in http_client are resolved against file's directory, as
// Prometheus does.
func Parse(data []byte, file string, kinds Kinds) (*Config, error) {
	p := &problems{file: file}
	cfg, ix := decode(data, kinds, p)
	if cfg == nil {
		return nil, p.err()
	}
	cfg.File = file
	applyDefaults(cfg, kinds, ix, filepath.Dir(file))
	ck := &checker{ix: ix, kinds: kinds, problems: p}
	ck.config(cfg)
	if err := p.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

//go:build !unix

package main

import (
	"errors"
	"io/fs"
	"os"
)

// dirWritable reports whether this process may create files in dir: where
// there is no access(2) (Windows), by creating and removing an empty file.
// The error, like access(2)'s, names no path.
func dirWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".support_exporter-check-*")
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

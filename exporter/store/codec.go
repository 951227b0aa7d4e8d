package store

import (
	"encoding/binary"
	"errors"
	"time"
)

// The value encoding: a compact binary layout of varints and
// length-prefixed strings, written and read field by field (records.go).
// encoding/json of the same values measured eight times slower to load
// (70k tickets/s: 14 s for a million at start-up) and three times slower to
// ingest.
//
// Instants are kept exactly; zones are not (values decode in UTC).

var errCorrupt = errors.New("corrupt value")

// encoder appends a value's fields to buf.
type encoder struct{ buf []byte }

func (e *encoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *encoder) int(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) string(s string) {
	e.uint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) strings(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.string(s)
	}
}

// times writes a list of instants.
func (e *encoder) times(ts []time.Time) {
	e.uint(uint64(len(ts)))
	for _, t := range ts {
		e.time(t)
	}
}

// time writes the instant as Unix seconds and nanoseconds; the zero time
// comes back as the zero time.
func (e *encoder) time(t time.Time) {
	e.int(t.Unix())
	e.uint(uint64(t.Nanosecond()))
}

// decoder reads fields in the order they were written. The first error
// sticks: later reads return zero values and finish reports it, so record
// decoders need no error check per field.
type decoder struct {
	buf    []byte
	err    error
	format uint64 // the record format being read
}

func (d *decoder) fail() {
	d.err = errCorrupt
	d.buf = nil
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) bool() bool {
	switch d.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

// length reads a count of elements, each at least one byte long, so a
// corrupt count cannot make the caller allocate more than the value holds.
func (d *decoder) length() int {
	n := d.uint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.length()
	if d.err != nil {
		return nil
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}

// string copies: stored bytes live in bbolt's memory map, valid only for
// the transaction.
func (d *decoder) string() string { return string(d.bytes()) }

// symbol reads a string that is usually one of known, returning the
// constant itself then so that decoding a million tickets does not allocate
// a million copies of "vendor_reply".
func (d *decoder) symbol(known ...string) string {
	b := d.bytes()
	for _, k := range known {
		if string(b) == k {
			return k
		}
	}
	return string(b)
}

func (d *decoder) strings() []string {
	n := d.length()
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string()
	}
	return ss
}

func (d *decoder) time() time.Time {
	sec := d.int()
	nsec := d.uint()
	if nsec >= uint64(time.Second) {
		d.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// times reads a list written by encoder.times; an empty one comes back nil.
func (d *decoder) times() []time.Time {
	n := d.length()
	if n == 0 {
		return nil
	}
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = d.time()
	}
	return ts
}

// finish reports the first error, or trailing bytes that no field claimed.
func (d *decoder) finish() error {
	if d.err == nil && len(d.buf) > 0 {
		d.fail()
	}
	return d.err
}

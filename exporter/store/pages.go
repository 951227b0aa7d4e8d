package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
)

// The page walk reads the file's B+tree with plain file reads and checks
// every page that bbolt would read before bbolt reads it: a page id inside
// the file, a header naming that id, a known page type, elements inside
// their page, keys in order, each page used once and either in use or free.
//
// Why not leave this to bbolt: bbolt reads pages through its memory map and
// trusts them. A damaged page makes it panic, or read past the mapped file,
// a memory fault; run (damage.go) turns both into errors, but only on the
// transaction's own goroutine, and bbolt's consistency check (Tx.Check)
// runs on a goroutine of its own, where a fault ends the process. A
// damaged free page list is worse: bbolt loads it at Open and hands its
// pages out to the next write, over live data. A file read cannot fault.
//
// bbolt's file format (version 2, unchanged since 2014) is read as
// bbolt writes it, in the machine's byte order: a page is a 16-byte header
// (id, flags, element count, overflow page count) followed by its elements;
// elements of branch and leaf pages are 16 bytes each and locate their key
// (and value) relative to the element itself.
const (
	pageHeaderSize = 16
	elementSize    = 16
	bucketHeader   = 16 // a bucket entry's value: root page id, sequence
	metaSize       = 64
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	noFreelist     = ^uint64(0)
	minPageSize    = 1024    // the sizes bbolt looks for a meta page at
	maxPageSize    = 1 << 24 // when the first one is unreadable

	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketEntry  = 0x01 // a leaf element's flag
)

var native = binary.NativeEndian

// meta is what a meta page says about the tree.
type meta struct {
	pageSize, root, freelist, pages, txid uint64
}

// parseMeta reads and validates the meta page at the start of p, as bbolt
// does: magic, format version, checksum.
func parseMeta(p []byte) (meta, error) {
	if len(p) < pageHeaderSize+metaSize {
		return meta{}, errors.New("short meta page")
	}
	m := p[pageHeaderSize : pageHeaderSize+metaSize]
	switch {
	case native.Uint32(m[0:]) != metaMagic:
		return meta{}, errors.New("no bbolt magic number")
	case native.Uint32(m[4:]) != metaVersion:
		return meta{}, fmt.Errorf("bbolt format version %d, want %d", native.Uint32(m[4:]), metaVersion)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != native.Uint64(m[56:]) {
		return meta{}, errors.New("meta page checksum mismatch")
	}
	if size := native.Uint32(m[8:]); size < minPageSize || size > maxPageSize || size&(size-1) != 0 {
		return meta{}, fmt.Errorf("meta page gives a page size of %d", size)
	}
	return meta{
		pageSize: uint64(native.Uint32(m[8:])),
		root:     native.Uint64(m[16:]),
		freelist: native.Uint64(m[32:]),
		pages:    native.Uint64(m[40:]),
		txid:     native.Uint64(m[48:]),
	}, nil
}

// pageSize is the file's page size, read as bbolt does: from the first
// meta page, else from the second, looked for at every possible size.
func pageSize(r io.ReaderAt, size int64) (int, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	for pos := int64(0); pos <= maxPageSize && pos+int64(len(buf)) <= size; pos = max(minPageSize, 2*pos) {
		if _, err := r.ReadAt(buf, pos); err != nil {
			return 0, err
		}
		if m, err := parseMeta(buf); err == nil && (pos == 0 || uint64(pos) == m.pageSize) {
			return int(m.pageSize), nil
		}
	}
	return 0, errors.New("no valid meta page: not a bbolt file, or both of its meta pages are damaged")
}

// currentMeta is the meta page bbolt uses: of the two, the one with the
// higher transaction id when it is valid, else the other.
func currentMeta(r io.ReaderAt, pageSize int) (meta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	var metas [2]meta
	var errs [2]error
	var txids [2]uint64
	for i := range metas {
		if _, err := r.ReadAt(buf, int64(i*pageSize)); err != nil {
			errs[i] = fmt.Errorf("read meta page %d: %w", i, err)
			continue
		}
		txids[i] = native.Uint64(buf[pageHeaderSize+48:])
		metas[i], errs[i] = parseMeta(buf)
	}
	first := 0
	if txids[1] > txids[0] {
		first = 1
	}
	for _, i := range []int{first, 1 - first} {
		if errs[i] == nil {
			return metas[i], nil
		}
	}
	return meta{}, fmt.Errorf("no valid meta page (page 0: %v; page 1: %v)", errs[0], errs[1])
}

// pageWalk checks the pages of one file.
type pageWalk struct {
	r        io.ReaderAt
	size     int64 // the file's size
	pageSize int
	meta     meta
	inUse    []bool
	free     []bool
	// bufs holds one read buffer per depth: the keys of a page stay valid
	// while its children are read.
	bufs [][]byte
	// problems keeps the problems found, found counts them; the walk stops
	// at limit: past a damaged page, more problems are mostly its echoes.
	problems []string
	limit    int
	found    int
}

// walkPages checks the file's pages and returns the problems found,
// stopping at limit, and how many there were.
func walkPages(r io.ReaderAt, size int64, limit int) (problems []string, found int) {
	ps, err := pageSize(r, size)
	var m meta
	if err == nil {
		m, err = currentMeta(r, ps)
	}
	if err != nil {
		return []string{err.Error()}, 1
	}
	w := &pageWalk{r: &readAhead{r: r, size: size}, size: size, pageSize: ps, meta: m, limit: limit}
	w.walk()
	return w.problems, w.found
}

func (w *pageWalk) walk() {
	switch {
	case w.meta.pages < 2:
		w.report(nil, "the meta page counts %d pages, fewer than the meta pages themselves", w.meta.pages)
		return
	case w.meta.pages > uint64(w.size)/uint64(w.pageSize):
		w.report(nil, "truncated: the file has %d bytes, its %d pages need %d", w.size, w.meta.pages, w.meta.pages*uint64(w.pageSize))
		return
	}
	w.inUse = make([]bool, w.meta.pages)
	w.free = make([]bool, w.meta.pages)
	w.inUse[0], w.inUse[1] = true, true
	if w.meta.freelist != noFreelist {
		w.readFreelist()
	}
	w.page(w.meta.root, nil, nil, nil, 0)
	if w.meta.freelist == noFreelist {
		return // bbolt keeps no list of free pages: nothing to account
	}
	for id := uint64(2); id < w.meta.pages && !w.full(); id++ {
		switch {
		case w.inUse[id] && w.free[id]:
			w.report(nil, "page %d is both in use and free", id)
		case !w.inUse[id] && !w.free[id]:
			w.report(nil, "page %d is neither in use nor free", id)
		}
	}
}

func (w *pageWalk) full() bool { return w.found >= w.limit }

// report records a problem in the bucket at path (nil: in no bucket).
func (w *pageWalk) report(path []string, format string, args ...any) {
	w.found++
	if len(w.problems) < w.limit {
		if path != nil {
			format = bucketPath(path) + ": " + format
		}
		w.problems = append(w.problems, fmt.Sprintf(format, args...))
	}
}

// read reads the page id with its overflow pages into the buffer of depth,
// after checking that it exists and is used once; nil when it is not.
func (w *pageWalk) read(id uint64, path []string, depth int) []byte {
	if id < 2 || id >= w.meta.pages {
		w.report(path, "page %d is outside the file's pages 2..%d", id, w.meta.pages-1)
		return nil
	}
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, make([]byte, w.pageSize))
	}
	buf := w.bufs[depth][:w.pageSize]
	if _, err := w.r.ReadAt(buf, int64(id)*int64(w.pageSize)); err != nil {
		w.report(path, "page %d: %v", id, err)
		return nil
	}
	if self := native.Uint64(buf); self != id {
		w.report(path, "page %d identifies itself as page %d", id, self)
		return nil
	}
	overflow := uint64(native.Uint32(buf[12:]))
	if overflow >= w.meta.pages-id {
		w.report(path, "page %d claims %d overflow pages, past the file's end", id, overflow)
		return nil
	}
	for o := id; o <= id+overflow; o++ {
		if w.inUse[o] {
			w.report(path, "page %d is used twice", o)
			return nil
		}
		w.inUse[o] = true
	}
	if overflow > 0 {
		buf = append(buf, make([]byte, int(overflow)*w.pageSize)...)
		if _, err := w.r.ReadAt(buf[w.pageSize:], int64(id+1)*int64(w.pageSize)); err != nil {
			w.report(path, "page %d: %v", id, err)
			return nil
		}
		w.bufs[depth] = buf
	}
	return buf
}

func (w *pageWalk) readFreelist() {
	path := []string{"free page list"}
	p := w.read(w.meta.freelist, path, 0)
	if p == nil {
		return
	}
	if flags := native.Uint16(p[8:]); flags != freelistPage {
		w.report(path, "page %d has type %#x, want a free page list", w.meta.freelist, flags)
		return
	}
	start, count := pageHeaderSize, uint64(native.Uint16(p[10:]))
	if count == 0xFFFF { // the count did not fit the header: the first id holds it
		count = native.Uint64(p[start:])
		start += 8
	}
	if count > uint64(len(p)-start)/8 {
		w.report(path, "%d ids do not fit page %d", count, w.meta.freelist)
		return
	}
	for i := range count {
		id := native.Uint64(p[start+8*int(i):])
		switch {
		case id < 2 || id >= w.meta.pages:
			w.report(path, "page %d is outside the file's pages 2..%d", id, w.meta.pages-1)
		case w.free[id]:
			w.report(path, "page %d is listed twice", id)
		default:
			w.free[id] = true
		}
		if w.full() {
			return
		}
	}
}

// page checks the page id (and the subtree under it) of the bucket at
// path; every key it holds must be at least lo and below hi (nil: open).
func (w *pageWalk) page(id uint64, path []string, lo, hi []byte, depth int) {
	if path == nil {
		path = []string{} // the top level: a bucket too, with no name
	}
	where := path
	p := w.read(id, where, depth)
	if p == nil {
		return
	}
	flags, count := native.Uint16(p[8:]), int(native.Uint16(p[10:]))
	if flags != branchPage && flags != leafPage {
		w.report(where, "page %d has type %#x, want a branch or leaf page", id, flags)
		return
	}
	if count > (len(p)-pageHeaderSize)/elementSize {
		w.report(where, "page %d claims %d elements, more than it holds", id, count)
		return
	}
	if flags == leafPage {
		w.leaf(p, count, path, lo, hi, depth)
		return
	}
	if count == 0 {
		w.report(where, "branch page %d has no elements", id)
		return
	}
	var prev []byte
	for i := range count {
		off := pageHeaderSize + i*elementSize
		key, ok := w.span(p, off, native.Uint32(p[off:]), uint64(native.Uint32(p[off+4:])), where, id)
		if !ok || !w.inOrder(key, prev, lo, hi, where, id) {
			return
		}
		next := hi
		if i+1 < count {
			n := pageHeaderSize + (i+1)*elementSize
			if next, ok = w.span(p, n, native.Uint32(p[n:]), uint64(native.Uint32(p[n+4:])), where, id); !ok {
				return
			}
		}
		w.page(native.Uint64(p[off+8:]), path, key, next, depth+1)
		if w.full() {
			return
		}
		prev = key
	}
}

// leaf checks a leaf page's elements, and the buckets they hold. An inline
// bucket (a small bucket stored in its entry's value) is a leaf page too.
func (w *pageWalk) leaf(p []byte, count int, path []string, lo, hi []byte, depth int) {
	where := path
	id := native.Uint64(p)
	var prev []byte
	for i := range count {
		off := pageHeaderSize + i*elementSize
		flags, pos := native.Uint32(p[off:]), native.Uint32(p[off+4:])
		ksize, vsize := native.Uint32(p[off+8:]), native.Uint32(p[off+12:])
		kv, ok := w.span(p, off, pos, uint64(ksize)+uint64(vsize), where, id)
		if !ok {
			return
		}
		key, value := kv[:ksize], kv[ksize:]
		if !w.inOrder(key, prev, lo, hi, where, id) {
			return
		}
		prev = key
		if flags&bucketEntry == 0 {
			continue
		}
		child := append(path[:len(path):len(path)], string(key))
		if len(value) < bucketHeader {
			w.report(child, "bucket entry of %d bytes, want at least %d", len(value), bucketHeader)
			return
		}
		if root := native.Uint64(value); root != 0 {
			w.page(root, child, nil, nil, depth+1)
		} else if inline := value[bucketHeader:]; len(inline) < pageHeaderSize || native.Uint16(inline[8:]) != leafPage ||
			int(native.Uint16(inline[10:])) > (len(inline)-pageHeaderSize)/elementSize {
			w.report(child, "inline bucket is not a leaf page")
		} else {
			w.leaf(inline, int(native.Uint16(inline[10:])), child, nil, nil, depth)
		}
		if w.full() {
			return
		}
	}
}

// span is the n bytes at pos from the element at off, which must lie in p.
func (w *pageWalk) span(p []byte, off int, pos uint32, n uint64, where []string, id uint64) ([]byte, bool) {
	start, end := uint64(off)+uint64(pos), uint64(off)+uint64(pos)+n
	if end > uint64(len(p)) {
		w.report(where, "page %d: an element's data at %d..%d lies outside the page", id, start, end)
		return nil, false
	}
	return p[start:end], true
}

// inOrder checks that key follows prev and lies in [lo, hi).
func (w *pageWalk) inOrder(key, prev, lo, hi []byte, where []string, id uint64) bool {
	if (prev != nil && bytes.Compare(prev, key) >= 0) || (lo != nil && bytes.Compare(key, lo) < 0) ||
		(hi != nil && bytes.Compare(key, hi) >= 0) {
		w.report(where, "page %d: keys out of order at %q", id, key)
		return false
	}
	return true
}

// bucketPath names a bucket in problems: its names from the top, joined
// with "/", each quoted when it holds a "/" or is not printable; the
// top-level bucket, which holds the others, has no name.
func bucketPath(path []string) string {
	if len(path) == 0 {
		return "top level"
	}
	parts := make([]string, len(path))
	for i, name := range path {
		parts[i] = name
		if name == "" || strings.Contains(name, "/") || strconv.Quote(name) != `"`+name+`"` {
			parts[i] = strconv.Quote(name)
		}
	}
	return strings.Join(parts, "/")
}

// readAhead serves the walk's page reads from blocks of the file: pages
// written together are read together, and a large file costs a few
// thousand reads rather than one per page.
type readAhead struct {
	r     io.ReaderAt
	size  int64
	block []byte
	start int64
}

const readAheadSize = 256 << 10

func (b *readAhead) ReadAt(p []byte, off int64) (int, error) {
	if off >= b.start && off+int64(len(p)) <= b.start+int64(len(b.block)) {
		return copy(p, b.block[off-b.start:]), nil
	}
	if len(p) > readAheadSize || off+int64(len(p)) > b.size {
		return b.r.ReadAt(p, off)
	}
	if b.block == nil {
		b.block = make([]byte, readAheadSize)
	}
	b.block = b.block[:min(int64(cap(b.block)), b.size-off)]
	if _, err := b.r.ReadAt(b.block, off); err != nil {
		b.block = b.block[:0]
		return 0, err
	}
	b.start = off
	return copy(p, b.block), nil
}

// Package scrapecache serves /metrics from bytes encoded once per
// snapshot. The exposition has two parts: the frozen one, a pure function
// of an immutable snapshot (every vendor family), and the live one,
// gathered at every scrape (the Go runtime, the process, the sources' sync
// state, build_info). A scrape gathers and encodes the live part, and
// splices it between the frozen part's families, encoded once per format
// and also deflated once, so that the response is byte for byte what
// promhttp.HandlerFor with EnableOpenMetrics gives for the two gatherers
// together (families sorted by name, each once), at a fraction of its
// cost.
//
// Negotiation is promhttp's: the format (Prometheus text 0.0.4,
// OpenMetrics 1.0.0 and 0.0.1, protobuf; the escaping= parameter of the
// Accept header included) by expfmt.NegotiateAccept over
// expfmt.DefaultOpenMetricsAcceptedFormats, the encoding (identity or gzip)
// by Accept-Encoding. Whatever the gatherers hold (classic or native
// histograms) is served as the format carries it.
//
// A request the cached path does not cover goes to promhttp itself, over
// the same families: a name[] filter, a family name in both parts, a
// frozen part that failed to gather or encode.
package scrapecache

import (
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Frozen returns the frozen part's identity and its gatherer. Equal keys
// (compared with ==, so a key must be comparable: a pointer to the
// immutable snapshot) must gather equal families: g is gathered only when
// the key changes. It is called once per scrape, and once more after each
// gathering (to tell whether the key is still current): it must be cheap.
type Frozen func() (key any, g prometheus.Gatherer)

// Options are the HandlerOpts the handler shares with promhttp.
type Options struct {
	// ErrorLog receives gathering and encoding errors, as promhttp's.
	ErrorLog promhttp.Logger
	// CoalesceLive shares one gathering of the live part among the
	// scrapes that arrive while it runs (promhttp's CoalesceGather): a
	// hundred concurrent scrapers read /proc once, not a hundred times,
	// and each gets values gathered after it arrived or at most one
	// gathering before.
	CoalesceLive bool
}

// maxFormats bounds the formats cached per snapshot; negotiation yields a
// handful (format x escaping scheme), the bound only guards memory.
const maxFormats = 32

// maxRuns bounds the deflated runs of frozen families cached per format:
// the runs follow the live family names, the same at every scrape.
const maxRuns = 256

// Handler is the http.Handler of /metrics.
type Handler struct {
	live    prometheus.Gatherer
	frozen  Frozen
	opts    Options
	formats []expfmt.Format

	build sync.Mutex // serializes the gathering of a new frozen part
	cur   atomic.Pointer[entry]

	flightMu sync.Mutex
	flight   *flight // the live gathering under way, with CoalesceLive
}

// flight is one gathering of the live part, shared by the scrapes that
// join it; mfs are read only.
type flight struct {
	done chan struct{}
	mfs  []*dto.MetricFamily
	err  error
}

// New returns a Handler serving live, gathered at every scrape, and
// frozen, gathered once per key.
func New(live prometheus.Gatherer, frozen Frozen, opts Options) *Handler {
	return &Handler{live: live, frozen: frozen, opts: opts, formats: expfmt.DefaultOpenMetricsAcceptedFormats()}
}

// entry is the frozen part of one key.
type entry struct {
	key any
	mfs []*dto.MetricFamily // sorted by name, as a Registry gathers them
	err error               // gathering failed: promhttp serves every scrape of this key

	mu  sync.Mutex
	enc map[expfmt.Format]*encoding
}

// encoding is the frozen part in one format.
type encoding struct {
	once    sync.Once
	body    []byte
	off     []int // family i is body[off[i]:off[i+1]]
	trailer []byte
	err     error

	mu     sync.Mutex
	runs   map[[2]int]*segment // deflated families [i, j)
	tailGz *segment            // the trailer deflated
}

// segment is raw deflate data that starts afresh (no reference before
// its start) and ends on a sync flush (byte aligned, not final), so that
// segments concatenate into one valid stream.
type segment struct {
	data []byte
	size int // uncompressed
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	key, g := h.frozen()
	e := h.entry(key, g)
	if e.err != nil {
		h.fallback(w, req, g)
		return
	}
	if req.URL != nil && len(req.URL.Query()["name[]"]) > 0 {
		h.fallback(w, req, e)
		return
	}
	live, err := h.gatherLive()
	if err != nil {
		// promhttp's default (HTTPErrorOnError): a 500 and the error.
		if h.opts.ErrorLog != nil {
			h.opts.ErrorLog.Println("error gathering metrics:", err)
		}
		http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	runs, ok := merge(live, e.mfs)
	if !ok {
		h.fallback(w, req, e)
		return
	}
	format := expfmt.NegotiateAccept(req.Header, h.formats...)
	fe := e.encoding(format)
	if fe == nil || fe.err != nil {
		h.fallback(w, req, e)
		return
	}
	lb := getBuf()
	defer putBuf(lb)
	if err := lb.encode(live, format); err != nil {
		h.fallback(w, req, e)
		return
	}
	parts := lb.parts[:0]
	for _, r := range runs {
		if r.live {
			parts = append(parts, lb.body[lb.off[r.i]:lb.off[r.j]])
		} else {
			parts = append(parts, fe.body[fe.off[r.i]:fe.off[r.j]])
		}
	}
	parts = append(parts, fe.trailer)
	lb.parts = parts

	hdr := w.Header()
	hdr.Add("Vary", "Accept")
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Set("Content-Type", string(format))
	if wantsGzip(req) {
		hdr.Set("Content-Encoding", "gzip")
		parts = lb.gzip(runs, parts, fe)
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	hdr.Set("Content-Length", strconv.Itoa(n))
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return // the client went away
		}
	}
}

// gatherLive gathers the live part, or joins the gathering under way
// (CoalesceLive).
func (h *Handler) gatherLive() ([]*dto.MetricFamily, error) {
	if !h.opts.CoalesceLive {
		return h.live.Gather()
	}
	h.flightMu.Lock()
	if f := h.flight; f != nil {
		h.flightMu.Unlock()
		<-f.done
		return f.mfs, f.err
	}
	f := &flight{done: make(chan struct{}), err: errGatherPanicked}
	h.flight = f
	h.flightMu.Unlock()
	defer func() { // also when Gather panics: the joiners get an error
		h.flightMu.Lock()
		h.flight = nil
		h.flightMu.Unlock()
		close(f.done)
	}()
	f.mfs, f.err = h.live.Gather()
	return f.mfs, f.err
}

var errGatherPanicked = errors.New("the shared gathering of the live metrics panicked")

// fallback serves req with promhttp over the same families.
func (h *Handler) fallback(w http.ResponseWriter, req *http.Request, frozen prometheus.Gatherer) {
	promhttp.HandlerFor(prometheus.Gatherers{h.live, frozen},
		promhttp.HandlerOpts{ErrorLog: h.opts.ErrorLog, EnableOpenMetrics: true}).ServeHTTP(w, req)
}

// Gather returns the frozen families (read only): the fallback's gatherer.
func (e *entry) Gather() ([]*dto.MetricFamily, error) { return e.mfs, nil }

// entry returns the frozen part of key, gathering it on the first scrape
// that sees key. The entry is kept for the next scrapes only when key is
// still the frozen part's current key once it is gathered: a scrape that
// read key, stalled, and finds a newer key published meanwhile (and maybe
// cached by other scrapes) serves its own entry without putting the older
// key back in place of the newer one.
func (h *Handler) entry(key any, g prometheus.Gatherer) *entry {
	if e := h.cur.Load(); e != nil && e.key == key {
		return e
	}
	h.build.Lock()
	defer h.build.Unlock()
	if e := h.cur.Load(); e != nil && e.key == key {
		return e
	}
	e := &entry{key: key, enc: map[expfmt.Format]*encoding{}}
	e.mfs, e.err = g.Gather()
	if now, _ := h.frozen(); now == key {
		h.cur.Store(e)
	}
	return e
}

// encoding returns the frozen part encoded in format, encoding it once;
// nil when too many formats are cached already.
func (e *entry) encoding(format expfmt.Format) *encoding {
	e.mu.Lock()
	fe := e.enc[format]
	if fe == nil {
		if len(e.enc) >= maxFormats {
			e.mu.Unlock()
			return nil
		}
		fe = &encoding{runs: map[[2]int]*segment{}}
		e.enc[format] = fe
	}
	e.mu.Unlock()
	fe.once.Do(func() { fe.encode(e.mfs, format) })
	return fe
}

func (fe *encoding) encode(mfs []*dto.MetricFamily, format expfmt.Format) {
	var buf bytes.Buffer
	fe.off = make([]int, 0, len(mfs)+1)
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range mfs {
		fe.off = append(fe.off, buf.Len())
		if fe.err = enc.Encode(mf); fe.err != nil {
			return
		}
	}
	fe.off = append(fe.off, buf.Len())
	if c, ok := enc.(expfmt.Closer); ok {
		if fe.err = c.Close(); fe.err != nil {
			return
		}
	}
	fe.body = buf.Bytes()[:fe.off[len(mfs)]:fe.off[len(mfs)]]
	fe.trailer = buf.Bytes()[fe.off[len(mfs)]:]
}

// run returns families [i, j) deflated, compressing them on first use.
func (fe *encoding) run(i, j int) *segment {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if s := fe.runs[[2]int{i, j}]; s != nil {
		return s
	}
	s := deflateSegment(fe.body[fe.off[i]:fe.off[j]], flate.DefaultCompression)
	if len(fe.runs) < maxRuns {
		fe.runs[[2]int{i, j}] = s
	}
	return s
}

func (fe *encoding) trailerSegment() *segment {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if fe.tailGz == nil {
		fe.tailGz = deflateSegment(fe.trailer, flate.DefaultCompression)
	}
	return fe.tailGz
}

// run is a stretch of consecutive families of one part: live[i:j] or
// frozen[i:j].
type run struct {
	live bool
	i, j int
}

// merge interleaves the two sorted family lists by name into runs; false
// when a name is in both (promhttp merges such families: the fallback).
func merge(live, frozen []*dto.MetricFamily) ([]run, bool) {
	var runs []run
	add := func(isLive bool, k int) {
		if n := len(runs); n > 0 && runs[n-1].live == isLive {
			runs[n-1].j = k + 1
			return
		}
		runs = append(runs, run{live: isLive, i: k, j: k + 1})
	}
	i, j := 0, 0
	for i < len(live) || j < len(frozen) {
		switch {
		case j == len(frozen) || (i < len(live) && live[i].GetName() < frozen[j].GetName()):
			add(true, i)
			i++
		case i == len(live) || frozen[j].GetName() < live[i].GetName():
			add(false, j)
			j++
		default:
			return nil, false
		}
	}
	return runs, true
}

// liveBuf holds one scrape's live part: pooled, since every scrape needs
// the same sizes.
type liveBuf struct {
	buf   bytes.Buffer
	body  []byte
	off   []int
	parts [][]byte
	gz    bytes.Buffer
	fw    *flate.Writer
}

// bufs keeps a few liveBufs across garbage collections (a sync.Pool
// drops them, and a new flate.Writer costs more than the live part's
// compression); spare holds more while scrapes come together.
var (
	bufs  = make(chan *liveBuf, 8)
	spare = sync.Pool{New: func() any { return new(liveBuf) }}
)

func getBuf() *liveBuf {
	select {
	case lb := <-bufs:
		return lb
	default:
		return spare.Get().(*liveBuf)
	}
}

func putBuf(lb *liveBuf) {
	select {
	case bufs <- lb:
	default:
		spare.Put(lb)
	}
}

func (lb *liveBuf) encode(mfs []*dto.MetricFamily, format expfmt.Format) error {
	lb.buf.Reset()
	lb.off = lb.off[:0]
	enc := expfmt.NewEncoder(&lb.buf, format)
	for _, mf := range mfs {
		lb.off = append(lb.off, lb.buf.Len())
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	lb.off = append(lb.off, lb.buf.Len())
	lb.body = lb.buf.Bytes()
	return nil
}

// gzipHeader is a gzip member header as compress/gzip writes it: no name,
// no modification time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// finalBlock is an empty final deflate block (fixed Huffman, end of
// block): it ends the stream that the sync-flushed segments leave open.
var finalBlock = []byte{0x03, 0x00}

// gzip returns the gzip member of parts (runs' bytes then the trailer):
// frozen runs deflated once per snapshot, live runs deflated now, each a
// segment of its own, and the CRC-32 over everything.
func (lb *liveBuf) gzip(runs []run, parts [][]byte, fe *encoding) [][]byte {
	lb.gz.Reset()
	if lb.fw == nil {
		lb.fw, _ = flate.NewWriter(&lb.gz, flate.BestSpeed) // BestSpeed is a valid level
	}
	// Live segments are written to lb.gz first and sliced after, since
	// lb.gz may grow (and move) while they are written.
	type span struct{ from, to int }
	spans := make([]span, len(runs))
	for k, r := range runs {
		if !r.live {
			continue
		}
		from := lb.gz.Len()
		lb.fw.Reset(&lb.gz)
		_, _ = lb.fw.Write(parts[k]) // writes to a bytes.Buffer do not fail
		_ = lb.fw.Flush()
		spans[k] = span{from, lb.gz.Len()}
	}
	out := make([][]byte, 0, len(runs)+4)
	out = append(out, gzipHeader)
	crc := uint32(0)
	size := 0
	for k, r := range runs {
		if r.live {
			out = append(out, lb.gz.Bytes()[spans[k].from:spans[k].to])
		} else {
			out = append(out, fe.run(r.i, r.j).data)
		}
		crc = crc32.Update(crc, crc32.IEEETable, parts[k])
		size += len(parts[k])
	}
	if t := fe.trailerSegment(); t.size > 0 {
		out = append(out, t.data)
		crc = crc32.Update(crc, crc32.IEEETable, parts[len(runs)])
		size += t.size
	}
	var tail [10]byte
	copy(tail[:], finalBlock)
	putLE32(tail[2:], crc)
	putLE32(tail[6:], uint32(size)) // ISIZE is the size modulo 2^32
	return append(out, tail[:])
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// deflateSegment compresses b into a fresh, sync-flushed segment.
func deflateSegment(b []byte, level int) *segment {
	var buf bytes.Buffer
	if level != flate.DefaultCompression {
		fw, _ := flate.NewWriter(&buf, level) // level is a valid constant
		_, _ = fw.Write(b)
		_ = fw.Flush()
		return &segment{data: buf.Bytes(), size: len(b)}
	}
	fw := defaultDeflaters.Get().(*flate.Writer)
	fw.Reset(&buf) // a fresh stream: no reference before its start
	_, _ = fw.Write(b)
	_ = fw.Flush()
	fw.Reset(nil) // drop buf
	defaultDeflaters.Put(fw)
	return &segment{data: buf.Bytes(), size: len(b)}
}

// defaultDeflaters are flate.Writers at flate.DefaultCompression (the
// level of promhttp's gzip, so a body as small): a new one allocates
// about 1 MB, which a scrape that finds a new snapshot paid per run of
// frozen families.
var defaultDeflaters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(nil, flate.DefaultCompression) // a valid level
	return fw
}}

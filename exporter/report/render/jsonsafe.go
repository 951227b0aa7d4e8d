package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"

	"github.com/support-exporter/support_exporter/exporter/report"
)

// The builder never emits NaN or ±Inf, but JSON has no such numbers and
// encoding/json refuses them, which would fail the whole review. So the
// renderer writes null for them: a pointer to one becomes nil, a plain
// float (or a map's) a sentinel that is then replaced by null on its own
// line of the indented output (a string never spans a line, so the
// sentinel inside a string is never touched).

// nonFinite stands for NaN/Inf in the copy that is encoded.
const nonFinite = -1.2345678901234567e+308

var nonFiniteLine = regexp.MustCompile(`(?m)^(\s*(?:"(?:[^"\\]|\\.)*": )?)` +
	regexp.QuoteMeta(strconv.FormatFloat(nonFinite, 'g', -1, 64)) + `(,?)$`)

func writeJSON(w io.Writer, r *report.Report) error {
	var buf bytes.Buffer
	err := encodeJSON(&buf, r)
	var unsupported *json.UnsupportedValueError
	if !errors.As(err, &unsupported) {
		if err == nil {
			_, err = w.Write(buf.Bytes())
		}
		return err
	}
	buf.Reset()
	clean := finite(reflect.ValueOf(*r)).Interface().(report.Report)
	if err := encodeJSON(&buf, &clean); err != nil {
		return err
	}
	_, err = w.Write(nonFiniteLine.ReplaceAll(buf.Bytes(), []byte("${1}null${2}")))
	return err
}

// encodeJSON is the model as is, indented; encoding/json sorts map keys,
// so the output is stable.
func encodeJSON(w io.Writer, r *report.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// finite returns a deep copy of v with every NaN/Inf float replaced: nil
// for a pointer to one, nonFinite otherwise. Structs with unexported
// fields (time.Time) are copied as they are.
func finite(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			out := reflect.New(v.Type()).Elem()
			out.SetFloat(nonFinite)
			return out
		}
		return v
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		e := v.Elem()
		if k := e.Kind(); (k == reflect.Float64 || k == reflect.Float32) && (math.IsNaN(e.Float()) || math.IsInf(e.Float(), 0)) {
			return reflect.Zero(v.Type())
		}
		out := reflect.New(e.Type())
		out.Elem().Set(finite(e))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(finite(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(finite(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), finite(it.Value()))
		}
		return out
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				return v // time.Time and the like: as they are
			}
		}
		out := reflect.New(t).Elem()
		for i := range t.NumField() {
			out.Field(i).Set(finite(v.Field(i)))
		}
		return out
	}
	return v
}

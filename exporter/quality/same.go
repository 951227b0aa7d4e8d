package quality

import (
	"maps"
	"math"
	"reflect"
)

// SameValues reports whether a and b hold exactly the same values: every
// vendor's every field, reached through slices, maps and pointers, is
// identical (a float bit for bit, so 0 and -0 differ; a time.Time by its
// representation and location). Only At, when each was built, is not
// compared. The exporter keeps the published snapshot when a rebuild finds
// nothing changed (exporter.rebuildSnapshot), so that what is encoded per
// snapshot (exporter/scrapecache) is reused: a false "same" would serve
// stale values, so whatever this cannot compare exactly (a func, a
// channel, a float map key) counts as different. It compares fields by
// reflection, so that a field added to VendorSnapshot is compared without
// an edit here.
func SameValues(a, b *Snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	return same(reflect.ValueOf(a.Vendors), reflect.ValueOf(b.Vendors))
}

// same is SameValues on two values of one type.
func same(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	case reflect.String:
		return a.String() == b.String()
	case reflect.Array:
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.UnsafePointer() == b.UnsafePointer() { // one backing array: the same elements
			return true
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() || a.UnsafePointer() == b.UnsafePointer() {
			return a.UnsafePointer() == b.UnsafePointer()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.CanInterface() { // the snapshot's maps, without reflection
			switch x := a.Interface().(type) {
			case map[int32]uint64: // native buckets
				return maps.Equal(x, b.Interface().(map[int32]uint64))
			case map[string]uint64:
				return maps.Equal(x, b.Interface().(map[string]uint64))
			}
		}
		switch a.Type().Key().Kind() {
		case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.Interface, reflect.Array, reflect.Struct:
			return false // keys that == may match inexactly (0 and -0, NaN)
		}
		for it := a.MapRange(); it.Next(); {
			w := b.MapIndex(it.Key())
			if !w.IsValid() || !same(it.Value(), w) {
				return false
			}
		}
		return true
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return a.Elem().Type() == b.Elem().Type() && same(a.Elem(), b.Elem())
	default: // func, chan, complex, unsafe pointer: not compared, so different
		return false
	}
}

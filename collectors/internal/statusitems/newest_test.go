package statusitems

import (
	"reflect"
	"testing"
	"time"
)

type version struct {
	id      string
	updated int // seconds
	from    string
}

func TestNewestByID(t *testing.T) {
	tests := []struct {
		name  string
		lists [][]version
		want  []version
	}{
		{name: "none", want: nil},
		{
			name:  "newer version wins, first position kept",
			lists: [][]version{{{"a", 1, "x"}, {"b", 5, "x"}}, {{"b", 2, "y"}, {"a", 3, "y"}}},
			want:  []version{{"a", 3, "y"}, {"b", 5, "x"}},
		},
		{
			name:  "tie goes to the later list",
			lists: [][]version{{{"a", 1, "x"}}, {{"a", 1, "y"}}},
			want:  []version{{"a", 1, "y"}},
		},
		{
			name:  "twice in one list",
			lists: [][]version{{{"a", 2, "first"}, {"a", 1, "second"}}},
			want:  []version{{"a", 2, "first"}},
		},
	}
	id := func(v version) string { return v.id }
	updated := func(v version) time.Time { return time.Unix(int64(v.updated), 0) }
	for _, tt := range tests {
		if got := NewestByID(id, updated, tt.lists...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

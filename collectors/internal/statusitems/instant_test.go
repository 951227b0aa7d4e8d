package statusitems

import (
	"encoding/json"
	"testing"
	"time"
)

func TestInstant(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`"2024-09-16T21:31:02.719Z"`, time.Date(2024, 9, 16, 21, 31, 2, 719e6, time.UTC), false},
		{`"2014-05-14T14:24:40.430-06:00"`, time.Date(2014, 5, 14, 20, 24, 40, 430e6, time.UTC), false},
		{`"2026-09-29T17:52:52Z"`, time.Date(2026, 9, 29, 17, 52, 52, 0, time.UTC), false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"2026-09-29 17:52:52"`, time.Time{}, true},
		{`1654973750`, time.Time{}, true},
	}
	for _, tt := range tests {
		got := Instant{Time: time.Unix(1, 0)} // a stale value must not survive
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v in UTC", tt.in, got.Time, tt.want)
		}
	}
}

package exporter

import (
	"testing"
	"time"
)

// samples is how many draws each jitter check takes: enough that a jitter
// that never varies, or one that strays outside ±10%, shows up.
const samples = 2000

// within reports whether d is base ±10%.
func within(d, base time.Duration) bool {
	lo := time.Duration(float64(base) * (1 - jitter))
	hi := time.Duration(float64(base) * (1 + jitter))
	return d >= lo && d <= hi
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		interval time.Duration
		want     time.Duration // before jitter
	}{
		{"first failure waits a second", 1, time.Hour, time.Second},
		{"second failure doubles", 2, time.Hour, 2 * time.Second},
		{"third failure doubles again", 3, time.Hour, 4 * time.Second},
		{"ninth failure", 9, time.Hour, 256 * time.Second},
		{"tenth failure hits the 5m cap", 10, time.Hour, maxBackoff},
		{"many failures stay at the cap", 1000, time.Hour, maxBackoff},
		{"huge failure count stays at the cap", 1 << 40, time.Hour, maxBackoff},
		{"capped at a short interval", 3, 3 * time.Second, 3 * time.Second},
		{"below a short interval", 2, 3 * time.Second, 2 * time.Second},
		{"interval below a second caps the first wait", 1, 200 * time.Millisecond, 200 * time.Millisecond},
		{"interval below a second caps later waits", 7, 200 * time.Millisecond, 200 * time.Millisecond},
		{"interval of exactly 5m", 20, maxBackoff, maxBackoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for range samples {
				d := backoff(tt.failures, tt.interval)
				if !within(d, tt.want) {
					t.Fatalf("backoff(%d, %s) = %s, want %s ±10%%", tt.failures, tt.interval, d, tt.want)
				}
				lo, hi = min(lo, d), max(hi, d)
			}
			// Uniform jitter over ±10%: 2000 draws spread over most of it.
			if spreadWidth := hi - lo; spreadWidth < time.Duration(float64(tt.want)*jitter) {
				t.Errorf("backoff(%d, %s) ranged over [%s, %s]: no ±10%% jitter", tt.failures, tt.interval, lo, hi)
			}
		})
	}
}

// Whatever the failure count, a wait stays between the first wait and the
// cap, jitter included.
func TestBackoffBounds(t *testing.T) {
	intervals := []time.Duration{time.Millisecond, 200 * time.Millisecond, time.Second, 90 * time.Second, maxBackoff, 24 * time.Hour}
	for _, interval := range intervals {
		lo := time.Duration(float64(min(minBackoff, interval)) * (1 - jitter))
		hi := time.Duration(float64(min(interval, maxBackoff)) * (1 + jitter))
		for failures := 1; failures <= 64; failures++ {
			if d := backoff(failures, interval); d < lo || d > hi {
				t.Errorf("backoff(%d, %s) = %s, want within [%s, %s]", failures, interval, d, lo, hi)
			}
		}
	}
}

func TestSpread(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 200 * time.Millisecond, time.Second, 5 * time.Minute, 24 * time.Hour} {
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range samples {
			got := spread(d)
			if !within(got, d) {
				t.Fatalf("spread(%s) = %s, want within ±10%%", d, got)
			}
			lo, hi = min(lo, got), max(hi, got)
		}
		if d > 0 && hi-lo < time.Duration(float64(d)*jitter) {
			t.Errorf("spread(%s) ranged over [%s, %s]: no jitter", d, lo, hi)
		}
	}
}

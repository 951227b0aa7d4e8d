package simulator

import (
	"testing"
	"time"
)

func TestDemoDrillIsAtNightWhereverTheDemoStarts(t *testing.T) {
	for h := range 24 {
		start := time.Date(2026, 3, 9, h, 17, 0, 0, time.UTC)
		v := DemoDrill(start)
		loc, err := time.LoadLocation(v.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		if local := start.In(loc); local.Hour() != 2 {
			t.Errorf("start %s: zone %s, local %s; want 02:xx", start.Format(time.Kitchen), v.Timezone, local.Format(time.Kitchen))
		}
		if err := v.validate(); err != nil {
			t.Errorf("start %s: %v", start, err)
		}
	}
}

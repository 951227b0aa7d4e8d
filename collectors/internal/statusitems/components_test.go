package statusitems

import (
	"testing"

	"github.com/support-exporter/support_exporter/exporter/item"
)

func TestComponents(t *testing.T) {
	if got := Components([]item.Component{}); got != nil {
		t.Errorf("Components(empty) = %#v, want nil: no news keeps the stored ones", got)
	}
	list := []item.Component{{Name: "API", Status: "operational"}}
	if got := Components(list); len(got) != 1 || got[0] != list[0] {
		t.Errorf("Components(%v) = %v", list, got)
	}
}

package statusitems

import "testing"

func TestLabelsClaim(t *testing.T) {
	type claim struct {
		name, id, want string
		ok             bool
	}
	tests := []struct {
		name   string
		claims []claim
	}{
		{"distinct names", []claim{{"API", "1", "API", true}, {"Web", "2", "Web", true}}},
		{"shared name takes the id", []claim{{"API", "1", "API", true}, {"API", "2", "API (2)", true}}},
		{"listed thrice is left out", []claim{{"API", "1", "API", true}, {"API", "1", "API (1)", true}, {"API", "1", "", false}}},
		{"named like another's label", []claim{{"API", "1", "API", true}, {"API (2)", "3", "API (2)", true}, {"API", "2", "", false}}},
	}
	for _, tt := range tests {
		labels := NewLabels()
		for i, c := range tt.claims {
			got, ok := labels.Claim(c.name, c.id)
			if got != c.want || ok != c.ok {
				t.Errorf("%s: claim %d (%q, %q) = %q, %v; want %q, %v", tt.name, i, c.name, c.id, got, ok, c.want, c.ok)
			}
		}
	}
}

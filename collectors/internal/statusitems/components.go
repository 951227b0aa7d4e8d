package statusitems

import "github.com/support-exporter/support_exporter/exporter/item"

// Components is a batch's component list from a page's answer: nil, "no
// news of the components", when the answer lists none. Every page that
// has components lists them all in every answer; one that lists none at
// all is a vendor's glitch (an empty page, docs/sources.md), which must not
// take every component's status away until the next poll. A page that
// really removed all its components keeps their last status shown.
func Components(list []item.Component) []item.Component {
	if len(list) == 0 {
		return nil
	}
	return list
}

package door

import "github.com/support-exporter/support_exporter/exporter/item"

// Page checks a documentation page's update time.
func (b Bounds) Page(p *item.Page) string { return b.Check(p.Updated) }

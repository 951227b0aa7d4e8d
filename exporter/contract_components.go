package exporter

import "sync"

// warnUnmatchedComponents returns a refresh for a status source's runner:
// after the source's first complete sync it logs, once, every component of
// an availability agreement that none of the vendor's status pages names
// (docs/configuration.md, "Agreements"): such a component never counts
// downtime, and the config cannot know the vendor's names.
func (e *Exporter) warnUnmatchedComponents(vs *vendorState, source string, refresh func()) func() {
	var once sync.Once
	return func() {
		refresh()
		once.Do(func() {
			for _, u := range vs.agg.UnmatchedComponents() {
				e.logger.Warn("an agreement's component matches none of the vendor's status-page components: it counts no downtime (check the spelling; a component in a group is named \"Group / Name\")",
					"vendor", vs.cfg.Name, "agreement", u.Agreement, "component", u.Component, "after_sync_of", source)
			}
		})
	}
}

package render

// titled is an incident's or maintenance's link and reference: the link
// shows the vendor's title where there is one, the reference then the
// source and id the link showed (ids belong in the report: they are what
// the vendor's staff search for); without a title, the link as it was and
// no reference.
func titled(l link, title string) (link, string) {
	if title == "" {
		return l, ""
	}
	ref := l.Text
	l.Text = title
	return l, ref
}

// mdRef is a titled row's reference in a Markdown cell, after its title.
func mdRef(ref string) string {
	if ref == "" {
		return ""
	}
	return " — " + md(ref)
}

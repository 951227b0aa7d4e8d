package feed

import (
	"errors"
	"strings"

	"golang.org/x/net/html"
)

// statuspageBody is what the HTML body of a Statuspage history-feed entry
// says. Each update is a paragraph
//
//	<p><small>Oct <var data-var='date'>21</var>, <var data-var='time'>17:39</var> UTC</small>
//	<br><strong>Resolved</strong> - This incident has been resolved.</p>
//
// listed newest first; the 2013-2014 layout has the same paragraphs without
// the <var> markup (<small>Jan  1, 09:09 PST</small>). An upcoming
// maintenance starts with
//
//	<p><strong>THIS IS A SCHEDULED EVENT Jan <var data-var='date'>16</var>,
//	<var data-var='time'>12:00</var> - <var data-var='time'>16:00</var> GMT</strong></p>
type statuspageBody struct {
	updates []bodyUpdate // as listed: newest first
	// scheduledEvent is set when the body has the scheduled-event line;
	// window is nil when that line could not be read.
	scheduledEvent bool
	window         *window
}

// bodyUpdate is one listed update.
type bodyUpdate struct {
	at     wall
	status string // as printed: "Investigating", "In progress"...; "" when none
}

// window is a maintenance's announced window; end.day is 0 when the end was
// printed as a time of day only, on the start's day.
type window struct {
	start, end wall
	hasEnd     bool
}

const scheduledEventPrefix = "THIS IS A SCHEDULED EVENT"

// statuspageStatuses are the statuses of Statuspage's updates, lower-case:
// an incident's, then a maintenance's.
var statuspageStatuses = map[string]bool{
	"investigating": true, "identified": true, "monitoring": true, "update": true, "resolved": true, "postmortem": true,
	"scheduled": true, "in progress": true, "verifying": true, "completed": true,
}

// parseBody reads a feed entry's HTML body. found reports a Statuspage
// body: its markup (<var data-var=...>), or, in the older layout without
// it, an update paragraph with a full time (day and zone) and a Statuspage
// status. err is set when the body is Statuspage's but has no update list
// the collector can read with confidence.
func parseBody(body string) (b statuspageBody, found bool, err error) {
	z := html.NewTokenizer(strings.NewReader(body))
	var (
		text              strings.Builder
		inSmall, inStrong bool
		awaitingStatus    bool // an update's time was read in this paragraph, its status not yet
		unreadable        bool
	)
	for {
		switch z.Next() {
		case html.ErrorToken:
			// The reader is a string: the only error is the end of input.
			found = found || hasStatuspageUpdate(b.updates)
			switch {
			case !found:
				return statuspageBody{}, false, nil
			case unreadable:
				return statuspageBody{}, true, errors.New("an update time is not Mon D, HH:MM ZONE")
			case len(b.updates) == 0:
				return statuspageBody{}, true, errors.New("no update list")
			}
			return b, true, nil
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "p":
				awaitingStatus = false // a status belongs to the time printed in its paragraph
			case "var":
				found = found || (hasAttr && hasDataVar(z))
			case "small":
				text.Reset()
				inSmall, awaitingStatus = true, false
			case "strong":
				if !inSmall {
					text.Reset()
					inStrong = true
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch {
			case string(name) == "p":
				awaitingStatus = false
			case string(name) == "small" && inSmall:
				inSmall = false
				w, ok := parseWall(text.String())
				unreadable = unreadable || !ok || w.day == 0 || w.zone == ""
				b.updates = append(b.updates, bodyUpdate{at: w})
				awaitingStatus = true
			case string(name) == "strong" && inStrong:
				inStrong = false
				t := collapseSpace(text.String())
				if rest, ok := strings.CutPrefix(t, scheduledEventPrefix); ok {
					b.scheduledEvent = true
					b.window = parseWindow(rest)
				} else if awaitingStatus {
					b.updates[len(b.updates)-1].status = t
					awaitingStatus = false
				}
			}
		case html.TextToken:
			if inSmall || inStrong {
				text.Write(z.Text())
			}
		}
	}
}

// hasStatuspageUpdate reports whether updates has one that only a
// Statuspage body prints: a time with its day and zone, and a Statuspage
// status.
func hasStatuspageUpdate(updates []bodyUpdate) bool {
	for _, u := range updates {
		if u.at.day != 0 && u.at.zone != "" && statuspageStatuses[strings.ToLower(u.status)] {
			return true
		}
	}
	return false
}

// hasDataVar reports whether the current tag has a data-var attribute.
func hasDataVar(z *html.Tokenizer) bool {
	for {
		key, _, more := z.TagAttr()
		if string(key) == "data-var" {
			return true
		}
		if !more {
			return false
		}
	}
}

// parseWindow reads "Jan 16, 12:00 - 16:00 GMT" (or with a date on the end
// too); the zone printed once applies to both ends. nil when unreadable.
func parseWindow(text string) *window {
	startText, endText, hasEnd := strings.Cut(text, " - ")
	start, ok := parseWall(startText)
	if !ok || start.day == 0 {
		return nil
	}
	win := &window{start: start}
	if hasEnd {
		end, ok := parseWall(endText)
		if !ok {
			return nil
		}
		if end.zone != "" {
			win.start.zone = end.zone
		}
		end.zone = win.start.zone
		win.end, win.hasEnd = end, true
	}
	if win.start.zone == "" {
		return nil
	}
	return win
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

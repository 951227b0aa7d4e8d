package simulator

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// feedPath is where a Statuspage page publishes its history feed.
const feedPath = "/history.atom"

// feedEntries is how many entries Statuspage's history feed holds.
const feedEntries = 25

// feedAPI serves a vendor's page as Statuspage's Atom history feed: one
// entry per incident or maintenance, the 25 dated last, each published at
// its newest post (a maintenance at its announcement), its body the list of
// updates, newest first, as the captures show
// ("<small>Jun <var data-var='date'> 8</var>, <var
// data-var='time'>19:13</var> UTC</small><br><strong>Resolved</strong> -
// ..."), in UTC and to the minute; an upcoming maintenance's body starts
// with the "THIS IS A SCHEDULED EVENT" line. A published postmortem is the
// newest update.
type feedAPI struct{ statusAPI }

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Link      atomLink `xml:"link"`
	Title     string   `xml:"title"`
	Content   struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Links   []atomLink  `xml:"link"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Entries []atomEntry `xml:"entry"`
}

var feedStatusWords = map[string]string{
	"investigating": "Investigating", "identified": "Identified", "monitoring": "Monitoring", "resolved": "Resolved",
	"postmortem": "Postmortem", "scheduled": "Scheduled", "in_progress": "In progress", "verifying": "Verifying",
	"completed": "Completed",
}

// feedTime is an entry's date: RFC 3339 in UTC, whole seconds.
func feedTime(unixMs int64) string { return time.UnixMilli(unixMs).UTC().Format(time.RFC3339) }

// feedWall is a time as the body prints it: "Jun <var data-var='date'>
// 8</var>, <var data-var='time'>19:13</var>", in UTC.
func feedWall(unixMs int64) string {
	t := time.UnixMilli(unixMs).UTC()
	return fmt.Sprintf("%s <var data-var='date'>%2d</var>, <var data-var='time'>%s</var>", t.Format("Jan"), t.Day(), t.Format("15:04"))
}

func (a *feedAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !getOnly(rw, r) {
		return
	}
	if r.URL.Path != feedPath {
		http.NotFound(rw, r)
		return
	}
	ps := a.pageNow()
	host := "status." + a.w.v.Name + ".example"
	type dated struct {
		at    int64
		entry atomEntry
	}
	var items []dated
	for _, in := range ps.incidents {
		ups := slices.Clone(posted(in.updates, ps.now))
		if in.postmortem != 0 && in.postmortem <= ps.now {
			ups = append(ups, update{id: in.id + "-postmortem", at: in.postmortem, status: "postmortem", body: "We have published a postmortem of " + in.name + "."})
		}
		newest := ups[len(ups)-1].at
		items = append(items, dated{newest, a.entry(host, in.id, in.name, newest, max(newest, in.edited), ups, "")})
	}
	for _, m := range ps.maintenances {
		ups := posted(m.updates, ps.now)
		var window string
		if !maintenanceStarted(m, ps.now) {
			end := feedWall(m.scheduledUntil)
			if m.scheduledUntil/86400000 == m.scheduledFor/86400000 { // the same UTC day: the end prints its time only
				end = "<var data-var='time'>" + time.UnixMilli(m.scheduledUntil).UTC().Format("15:04") + "</var>"
			}
			window = "<p><strong>THIS IS A SCHEDULED EVENT " + feedWall(m.scheduledFor) + " - " + end + " UTC</strong></p>"
		}
		items = append(items, dated{m.created(), a.entry(host, m.id, m.name, m.created(), m.updatedAt(ps.now), ups, window)})
	}
	slices.SortStableFunc(items, func(x, y dated) int { return cmp.Compare(y.at, x.at) })
	feed := atomFeed{
		Lang: "en-US", ID: "tag:" + host + ",2005:/history",
		Links: []atomLink{
			{"alternate", "text/html", a.base()},
			{"self", "application/atom+xml", a.base() + feedPath},
		},
		Title: a.w.v.Name + " Status - Incident History", Updated: feedTime(ps.updated), Author: a.w.v.Name,
	}
	for _, it := range items[:min(len(items), feedEntries)] {
		feed.Entries = append(feed.Entries, it.entry)
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil { // only our own fixed shapes are encoded: a bug, not input
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	body = append([]byte(xml.Header), body...)
	rw.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = rw.Write(body)
}

// entry renders one incident or maintenance; Statuspage numbers both as
// Incident records. prefix precedes the update list; updated is its last
// post, or an agent's later edit.
func (a *feedAPI) entry(host, id, title string, published, updated int64, ups []update, prefix string) atomEntry {
	var body strings.Builder
	body.WriteString(prefix)
	for _, u := range slices.Backward(ups) {
		fmt.Fprintf(&body, "<p><small>%s UTC</small><br><strong>%s</strong> - %s</p>", feedWall(u.at), feedStatusWords[u.status], u.body)
	}
	e := atomEntry{
		ID:        "tag:" + host + ",2005:Incident/" + derivedID(id, "0123456789", 8),
		Published: feedTime(published), Updated: feedTime(updated),
		Link:  atomLink{"alternate", "text/html", a.base() + "/incidents/" + id},
		Title: title,
	}
	e.Content.Type, e.Content.Body = "html", body.String()
	return e
}

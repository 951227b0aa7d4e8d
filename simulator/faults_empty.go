package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
)

// serveEmpty answers r with the real answer showing no item
// (FaultEmptyPage): a list emptied, its paging saying no page follows; an
// answer that is no list, or an error, as it is.
func (e *endpoint) serveEmpty(rw http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, unconditional(r))
	body := rec.Body.Bytes()
	h := rw.Header()
	maps.Copy(h, rec.Header())
	if rec.Code == http.StatusOK {
		if empty, ok := e.emptyAnswer(r, body); ok {
			body = empty
			h.Del("Link") // Freshdesk's and GitHub's next (and last) page
			h.Set("Content-Length", strconv.Itoa(len(body)))
			if h.Get("ETag") != "" { // another body, another tag
				sum := sha256.Sum256(body)
				h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
			}
		}
	}
	rw.WriteHeader(rec.Code)
	_, _ = rw.Write(body)
}

// itemLists are, by kind, the paths of the lists that belong to one item
// (a ticket's comments, conversations, timeline or SLA cycles), which
// FaultEmptyPage serves as they are: the glitch it plays is a list of
// items showing none, not an item shown without its comments.
var itemLists = map[string]*regexp.Regexp{
	KindZendeskRequests: regexp.MustCompile(`^` + requestsPath + `/[^/]+/comments$`),
	KindFreshdesk:       regexp.MustCompile(`^/api/v2/tickets/[^/]+/conversations$`),
	KindGitHub:          regexp.MustCompile(`/issues/[^/]+/(timeline|comments)$`),
	KindJSM:             jsmRequestPath,
	KindSlack:           regexp.MustCompile(`^` + regexp.QuoteMeta(slackRepliesPath) + `$`),
	KindGCPSupport:      gcpCommentsPath,
	KindAzureSupport:    azCommsPath,
}

// feedEntry is one entry of an Atom feed with the indent before it.
var feedEntry = regexp.MustCompile(`(?s)\n[ \t]*<entry>.*?</entry>`)

// sitemapEntry is one entry of a sitemap or a sitemap index.
var sitemapEntry = regexp.MustCompile(`(?s)\n[ \t]*<(url|sitemap)>.*?</(url|sitemap)>`)

// emptyAnswer is body, the API's answer to r, showing no item, or false
// when it is no list. A JSON list is every array of objects reached from
// the root through objects alone (an item's own arrays go with it): a
// top-level array, Zendesk's tickets and metric_sets, Jira's issues and
// values, a status page's components, incidents and maintenances,
// Cachet's data. The paging members each API gives an empty last page are
// set as it sets them (emptyPaging).
func (e *endpoint) emptyAnswer(r *http.Request, body []byte) ([]byte, bool) {
	if re := itemLists[e.kind]; re != nil && re.MatchString(r.URL.Path) {
		return nil, false
	}
	if e.kind == KindFeed {
		return feedEntry.ReplaceAll(body, nil), true
	}
	if e.kind == KindSitemap {
		return sitemapEntry.ReplaceAll(body, nil), true // a gzip file's bytes are left as they are
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return []byte("[]"), true
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, false
	}
	set, ok := e.emptyPaging(r, top)
	if !ok {
		return nil, false
	}
	m := emptier{dec: json.NewDecoder(bytes.NewReader(body)), set: set}
	m.dec.UseNumber()
	var out bytes.Buffer
	if err := m.value(&out, "", false); err != nil {
		return nil, false // our own answer: it parsed above
	}
	return out.Bytes(), true
}

// Raw JSON values of the paging members.
var (
	jsonTrue  = json.RawMessage("true")
	jsonFalse = json.RawMessage("false")
	jsonNull  = json.RawMessage("null")
	jsonZero  = json.RawMessage("0")
	jsonOne   = json.RawMessage("1")
)

// emptyPaging is, for an answer whose top level is top, whether it is a
// page of a list, and the members (by path from the root, names joined by
// dots) an empty last page of that API holds instead; a nil value leaves
// the member out. Freshdesk and GitHub page in the Link header, and
// answer a list as a top-level array: their objects are single items.
func (e *endpoint) emptyPaging(r *http.Request, top map[string]json.RawMessage) (map[string]json.RawMessage, bool) {
	q := r.URL.Query()
	switch e.kind {
	case KindZendesk:
		if r.URL.Path != exportPath {
			return nil, false // a ticket
		}
		// An empty page leaves the export where the request put it: the
		// after cursor is the request's own position.
		pos, _, zerr := exportStart(q, e.clock().Unix())
		if zerr != nil {
			return nil, false
		}
		cursor := encodeCursor(pos)
		set := map[string]json.RawMessage{
			"end_of_stream": jsonTrue, "before_cursor": jsonNull, "before_url": jsonNull,
			"after_cursor": jsonString(cursor),
		}
		var after string
		if json.Unmarshal(top["after_url"], &after) == nil {
			if u, err := url.Parse(after); err == nil {
				v := u.Query()
				v.Set("cursor", cursor)
				u.RawQuery = v.Encode()
				set["after_url"] = jsonString(u.String())
			}
		}
		return set, true
	case KindZendeskRequests, KindZendeskHelpCenter:
		return map[string]json.RawMessage{
			"meta.has_more": jsonFalse, "meta.after_cursor": jsonNull, "meta.before_cursor": jsonNull,
			"links.next": jsonNull, "links.prev": jsonNull,
		}, true
	case KindJSM:
		_, search := top["isLast"]
		_, desk := top["isLastPage"]
		if !search && !desk {
			return nil, false // an account, a desk
		}
		return map[string]json.RawMessage{
			"isLast": jsonTrue, "nextPageToken": nil, // the search
			"isLastPage": jsonTrue, "size": jsonZero, "_links.next": nil, // the servicedeskapi
		}, true
	case KindSlack:
		if ok := string(top["ok"]); ok != "true" {
			return nil, false // an error
		}
		return map[string]json.RawMessage{"has_more": jsonFalse, "response_metadata.next_cursor": jsonString("")}, true
	case KindLark:
		if string(top["code"]) != "0" || top["data"] == nil {
			return nil, false // an error, or a token
		}
		return map[string]json.RawMessage{"data.has_more": jsonFalse, "data.page_token": nil}, true
	case KindGCPSupport:
		if _, ok := top["error"]; ok {
			return nil, false
		}
		return map[string]json.RawMessage{"nextPageToken": nil}, true
	case KindAzureSupport:
		if _, ok := top["value"]; !ok {
			return nil, false // an error
		}
		return map[string]json.RawMessage{"nextLink": nil}, true
	case KindAWSSupport:
		if _, cases := top["cases"]; !cases {
			return nil, false // a case's communications, or an error
		}
		return map[string]json.RawMessage{"nextToken": nil}, true
	case KindFreshdesk, KindGitHub:
		return nil, false
	case KindCachet:
		set := map[string]json.RawMessage{
			"meta.pagination.total": jsonZero, "meta.pagination.count": jsonZero,
			"meta.pagination.total_pages": jsonOne, "meta.pagination.links.next_page": jsonNull,
		}
		if q.Get("page") != "2" { // the one page left is the first
			set["meta.pagination.links.previous_page"] = jsonNull
		}
		return set, true
	}
	return map[string]json.RawMessage{}, true // a status page: every answer lists
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// emptier copies a JSON answer, emptying its lists and replacing the
// members of set (see emptyAnswer).
type emptier struct {
	dec *json.Decoder
	set map[string]json.RawMessage
}

// value copies the next value to out: at is its path from the root
// through objects; inItem means it lies within an element of an array,
// copied as it is.
func (m *emptier) value(out *bytes.Buffer, at string, inItem bool) error {
	tok, err := m.dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return writeToken(out, tok)
	}
	switch d {
	case '{':
		out.WriteByte('{')
		n := 0
		for m.dec.More() {
			kt, err := m.dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			path := key
			if at != "" {
				path = at + "." + key
			}
			var v bytes.Buffer
			if err := m.value(&v, path, inItem); err != nil {
				return err
			}
			raw := v.Bytes()
			if repl, ok := m.set[path]; ok && !inItem {
				if repl == nil {
					continue
				}
				raw = repl
			}
			if n > 0 {
				out.WriteByte(',')
			}
			n++
			if err := writeToken(out, key); err != nil {
				return err
			}
			out.WriteByte(':')
			out.Write(raw)
		}
		out.WriteByte('}')
	case '[':
		var items bytes.Buffer
		objects := false
		for i := 0; m.dec.More(); i++ {
			if i > 0 {
				items.WriteByte(',')
			}
			start := items.Len()
			if err := m.value(&items, at, true); err != nil {
				return err
			}
			objects = objects || items.Bytes()[start] == '{'
		}
		out.WriteByte('[')
		if inItem || !objects {
			out.Write(items.Bytes())
		}
		out.WriteByte(']')
	default:
		return fmt.Errorf("unexpected %v", d)
	}
	_, err = m.dec.Token() // the closing delimiter
	return err
}

// writeToken writes a scalar token as writeJSON encodes it.
func writeToken(out *bytes.Buffer, tok json.Token) error {
	if n, ok := tok.(json.Number); ok {
		out.WriteString(n.String())
		return nil
	}
	b, err := json.Marshal(tok)
	out.Write(b)
	return err
}

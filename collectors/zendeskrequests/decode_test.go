package zendeskrequests

import (
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// listBody is a last list page holding the given request objects.
func listBody(t testing.TB, requests ...map[string]any) []byte {
	return collectortest.Marshal(t, map[string]any{"requests": requests,
		"meta": map[string]any{"has_more": false, "after_cursor": nil, "before_cursor": nil}})
}

func TestDecodeDocumentedRequest(t *testing.T) {
	reqs, next, err := decodeRequests(listBody(t, docRequest(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := request{
		id:        35436,
		requester: 1462,
		status:    item.StatusOpen,
		priority:  "normal",
		created:   collectortest.Time(t, "2009-07-20T22:55:29Z"),
		updated:   collectortest.Time(t, "2011-05-05T10:38:52Z"),
	}
	if len(reqs) != 1 || reqs[0] != want || next != "" {
		t.Errorf("decoded %+v, next %q; want %+v and no next page", reqs, next, want)
	}
}

// The documentation's list example is trimmed to a few fields: it is no
// cursor page, and its requests lack what the walk needs.
func TestDecodeDocumentedListExampleIsIncomplete(t *testing.T) {
	body := collectortest.Testdata(t, "docs_list_requests.json")
	if _, _, err := decodeRequests(body); err == nil || !strings.Contains(err.Error(), "no meta") {
		t.Errorf("error %v, want no meta", err)
	}
	withMeta := strings.Replace(string(body), `"requests"`, `"meta": {"has_more": false}, "requests"`, 1)
	if _, _, err := decodeRequests([]byte(withMeta)); err == nil || err.Error() != "requests[0]: request 33: no requester_id" {
		t.Errorf("error %v, want request 33 without requester_id", err)
	}
}

func TestDecodeRequestFields(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]any
		want      func(*request)
		wantErr   string
	}{
		{name: "new", overrides: map[string]any{"status": "new"}, want: func(r *request) { r.status = item.StatusNew }},
		{name: "pending", overrides: map[string]any{"status": "pending"}, want: func(r *request) { r.status = item.StatusPending }},
		{name: "hold", overrides: map[string]any{"status": "hold"}, want: func(r *request) { r.status = item.StatusOnHold }},
		{name: "solved", overrides: map[string]any{"status": "solved"}, want: func(r *request) { r.status = item.StatusSolved }},
		{name: "closed", overrides: map[string]any{"status": "closed"}, want: func(r *request) { r.status = item.StatusClosed }},
		{name: "priority hidden from end users", overrides: map[string]any{"priority": nil}, want: func(r *request) { r.priority = "" }},
		{name: "urgent", overrides: map[string]any{"priority": "urgent"}, want: func(r *request) { r.priority = "urgent" }},
		{name: "unknown status", overrides: map[string]any{"status": "deleted"}, wantErr: `request 35436: unknown status "deleted"`},
		{name: "no status", overrides: map[string]any{"status": nil}, wantErr: `unknown status ""`},
		{name: "no requester", overrides: map[string]any{"requester_id": nil}, wantErr: "no requester_id"},
		{name: "no created_at", overrides: map[string]any{"created_at": nil}, wantErr: "no created_at"},
		{name: "id as string", overrides: map[string]any{"id": "35436"}, wantErr: "cannot unmarshal string"},
		{name: "bad timestamp", overrides: map[string]any{"updated_at": "yesterday"}, wantErr: "cannot parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := docRequest(t)
			for k, v := range tc.overrides {
				obj[k] = v
			}
			reqs, _, err := decodeRequests(listBody(t, obj))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := request{id: 35436, requester: 1462, status: item.StatusOpen, priority: "normal",
				created: collectortest.Time(t, "2009-07-20T22:55:29Z"), updated: collectortest.Time(t, "2011-05-05T10:38:52Z")}
			tc.want(&want)
			if reqs[0] != want {
				t.Errorf("decoded %+v, want %+v", reqs[0], want)
			}
		})
	}
}

func TestDecodeComments(t *testing.T) {
	page := func(comments ...map[string]any) []byte {
		return collectortest.Marshal(t, map[string]any{"comments": comments,
			"meta": map[string]any{"has_more": true, "after_cursor": "xxx", "before_cursor": "yyy"}})
	}
	private := docComment(t)
	private["public"] = false
	noAuthor := docComment(t)
	delete(noAuthor, "author_id")
	cases := []struct {
		name    string
		body    []byte
		want    []comment
		wantErr string
	}{
		{
			name: "documented example, public by default",
			body: page(docComment(t)),
			want: []comment{{id: 1274, author: 1, public: true, created: collectortest.Time(t, "2009-07-20T22:55:29Z")}},
		},
		{
			name: "private",
			body: page(private),
			want: []comment{{id: 1274, author: 1, public: false, created: collectortest.Time(t, "2009-07-20T22:55:29Z")}},
		},
		{name: "no author", body: page(noAuthor), wantErr: "comments[0]: comment 1274: no author_id"},
		{name: "no comments array", body: []byte(`{"meta":{"has_more":false}}`), wantErr: "no comments array"},
		{name: "documented list example, offset style", body: []byte(`{"comments":[{"body":"Thanks for your help","id":43}]}`), wantErr: "no meta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := decodeComments(tc.body)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) || got[0] != tc.want[0] || next != "xxx" {
				t.Errorf("decoded %+v next %q, want %+v next xxx", got, next, tc.want)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	at := func(m int) time.Time { return created.Add(time.Duration(m) * time.Minute) }
	const bot = 4242 // an automation user (Answer Bot)
	c := &collector{colleagues: map[int64]bool{colleague: true}, automated: map[int64]bool{bot: true}}
	cases := []struct {
		name     string
		comments []comment
		want     []item.Event
	}{
		{name: "no comments"},
		{name: "description only", comments: []comment{{id: 1, author: requester, public: true, created: at(0)}}},
		{
			name: "vendor reply and customer answer",
			comments: []comment{
				{id: 1, author: requester, public: true, created: at(0)},
				{id: 2, author: agent, public: true, created: at(5)},
				{id: 3, author: requester, public: true, created: at(9)},
			},
			want: []item.Event{{Kind: item.EventVendorReply, At: at(5)}, {Kind: item.EventCustomerReply, At: at(9)}},
		},
		{
			name: "a colleague speaks for the customer",
			comments: []comment{
				{id: 1, author: requester, public: true, created: at(0)},
				{id: 2, author: colleague, public: true, created: at(3)},
			},
			want: []item.Event{{Kind: item.EventCustomerReply, At: at(3)}},
		},
		{
			name: "private comments are no replies, and never the description",
			comments: []comment{
				{id: 1, author: agent, public: false, created: at(-1)},
				{id: 2, author: requester, public: true, created: at(0)},
				{id: 3, author: agent, public: false, created: at(2)},
				{id: 4, author: agent, public: true, created: at(4)},
			},
			want: []item.Event{{Kind: item.EventVendorReply, At: at(4)}},
		},
		{
			name: "listed out of order, ties broken by id",
			comments: []comment{
				{id: 4, author: requester, public: true, created: at(7)},
				{id: 3, author: agent, public: true, created: at(7)},
				{id: 1, author: requester, public: true, created: at(0)},
			},
			want: []item.Event{{Kind: item.EventVendorReply, At: at(7)}, {Kind: item.EventCustomerReply, At: at(7)}},
		},
		{
			name: "an automation user's comment is no reply: the agent's is the first",
			comments: []comment{
				{id: 1, author: requester, public: true, created: at(0)},
				{id: 2, author: bot, public: true, created: at(1)},
				{id: 3, author: agent, public: true, created: at(40)},
			},
			want: []item.Event{{Kind: item.EventVendorReply, At: at(40)}},
		},
		{
			name: "a request the vendor opened: its description is no reply either",
			comments: []comment{
				{id: 1, author: agent, public: true, created: at(0)},
				{id: 2, author: requester, public: true, created: at(30)},
			},
			want: []item.Event{{Kind: item.EventCustomerReply, At: at(30)}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.timeline(requester, tc.comments)
			if len(got) != len(tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("event %d %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

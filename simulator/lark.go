package simulator

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	larkTokenPath    = "/open-apis/auth/v3/tenant_access_token/internal"
	larkMessagesPath = "/open-apis/im/v1/messages"
	larkMaxPageSize  = 50
	// larkTokenLife is a tenant_access_token's life; Lark hands out a new
	// one in the last larkTokenRenew of the old one's.
	larkTokenLife  = 2 * time.Hour
	larkTokenRenew = 30 * time.Minute
)

// larkAPI serves one vendor's tickets as a Lark external group shared by
// the buyer and the vendor: each ticket a message of one of the buyer's
// people, its conversation the replies to it (root_id and parent_id the
// ticket's message), the vendor's agent replying from the vendor's
// tenant, a solving reply saying #solved; the ticket's priority a hashtag
// in its message, its escalation a message of the vendor's bot
// ("#escalated", and the priority it bumped to). A deleted ticket's
// message shows recalled (deleted true), without its replies. Tokens:
// the app id and secret buy a tenant_access_token of two hours, the same
// one until its last 30 minutes; an expired or unknown token is refused
// with code 99991663. Errors in Lark's {code, msg} envelope, HTTP 400.
type larkAPI struct {
	w     *world
	clock func() time.Time
}

const larkHex = "0123456789abcdef"

// Lark ids of the vendor's world: the chat, the tenants, the app.
func (w *world) larkChat() string { return "oc_" + derivedID(w.id.token+"/lark/chat", larkHex, 32) }
func (w *world) larkVendorTenant() string {
	return derivedID(w.id.token+"/lark/vendor", larkHex, 16)
}
func (w *world) larkBuyerTenant() string {
	return derivedID(w.id.token+"/lark/buyer", larkHex, 16)
}

// larkApp is the buyer's custom app: its id and secret.
func (w *world) larkApp() (id, secret string) {
	return "cli_" + derivedID(w.id.token+"/lark/app", larkHex, 16), derivedID(w.id.token+"/lark/secret", ghNodeAlphabet, 32)
}

// larkVendorBot is the vendor's escalation bot.
func (w *world) larkVendorBot() string {
	return "cli_" + derivedID(w.id.token+"/lark/bot", larkHex, 16)
}

// larkToken is the token of the window-th span of larkTokenLife -
// larkTokenRenew: valid from the start of that span to larkTokenLife
// later.
func (w *world) larkToken(window int64) string {
	return "t-g" + strconv.FormatInt(window, 10) + "x" + derivedID(w.id.token+"/lark/token/"+strconv.FormatInt(window, 10), ghNodeAlphabet, 28)
}

const larkTokenSpan = int64((larkTokenLife - larkTokenRenew) / time.Second)

func larkUser(prefix string, id int64) string {
	return "ou_" + prefix + strconv.FormatInt(id, 16)
}

func larkMessageID(tl *timeline, seq int) string {
	return "om_" + strconv.FormatInt(commentID(tl, seq), 16)
}

// larkRevokedKey marks a request as the app's secret reset
// (FaultUnauthorized): the token endpoint refuses the secret and every
// token is invalid.
type larkRevokedKey struct{}

func larkRevoked(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), larkRevokedKey{}, true))
}

func writeLarkError(rw http.ResponseWriter, status, code int, msg string) {
	writeJSON(rw, status, larkError{Code: code, Msg: msg})
}

// writeLarkRateLimited answers as Lark's gateway does to a frequency
// limit: 429, the limit and the seconds until it resets in its own
// headers, code 99991400.
func writeLarkRateLimited(rw http.ResponseWriter, wait time.Duration) {
	rw.Header().Set("X-Ogw-Ratelimit-Limit", "50")
	rw.Header().Set("X-Ogw-Ratelimit-Reset", strconv.Itoa(retryAfterSeconds(wait)))
	writeLarkError(rw, http.StatusTooManyRequests, 99991400, "request trigger frequency limit")
}

func (a *larkAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	revoked, _ := r.Context().Value(larkRevokedKey{}).(bool)
	switch r.URL.Path {
	case larkTokenPath:
		a.serveToken(rw, r, revoked)
	case larkMessagesPath:
		if r.Method != http.MethodGet {
			writeLarkError(rw, http.StatusNotFound, 404, "404 page not found")
			return
		}
		a.serveMessages(rw, r, revoked)
	default:
		writeLarkError(rw, http.StatusNotFound, 404, "404 page not found")
	}
}

func (a *larkAPI) serveToken(rw http.ResponseWriter, r *http.Request, revoked bool) {
	if r.Method != http.MethodPost {
		writeLarkError(rw, http.StatusNotFound, 404, "404 page not found")
		return
	}
	var in struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || json.Unmarshal(body, &in) != nil {
		writeLarkError(rw, http.StatusBadRequest, 9499, "Bad Request")
		return
	}
	id, secret := a.w.larkApp()
	switch {
	case in.AppID == "" || in.AppSecret == "":
		writeLarkError(rw, http.StatusBadRequest, 10003, "invalid param")
		return
	case in.AppID != id:
		writeLarkError(rw, http.StatusBadRequest, 10003, "invalid param: app_id")
		return
	case revoked || subtle.ConstantTimeCompare([]byte(in.AppSecret), []byte(secret)) != 1:
		writeLarkError(rw, http.StatusBadRequest, 10014, "app secret invalid")
		return
	}
	now := a.clock().Unix()
	window := now / larkTokenSpan
	expires := window*larkTokenSpan + int64(larkTokenLife/time.Second)
	writeJSON(rw, http.StatusOK, larkToken{Code: 0, Msg: "ok", Token: a.w.larkToken(window), Expire: expires - now})
}

// tokenValid reports whether token is one the token endpoint handed out
// and that has not expired by now.
func (a *larkAPI) tokenValid(token string, now int64) bool {
	rest, ok := strings.CutPrefix(token, "t-g")
	n, _, ok2 := strings.Cut(rest, "x")
	window, err := strconv.ParseInt(n, 10, 64)
	if !ok || !ok2 || err != nil || window < 0 {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.w.larkToken(window))) != 1 {
		return false
	}
	start := window * larkTokenSpan
	return now >= start && now < start+int64(larkTokenLife/time.Second)
}

func (a *larkAPI) serveMessages(rw http.ResponseWriter, r *http.Request, revoked bool) {
	now := a.clock().Unix()
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer || token == "" {
		writeLarkError(rw, http.StatusBadRequest, 99991661, "Missing access token for authorization. Please make a request with token attached.")
		return
	}
	if revoked || !a.tokenValid(token, now) {
		writeLarkError(rw, http.StatusBadRequest, 99991663, "Invalid access token for authorization. Please make a request with token attached.")
		return
	}
	q := r.URL.Query()
	if q.Get("container_id_type") != "chat" {
		// Topic threads: this group has none.
		writeLarkError(rw, http.StatusBadRequest, 230001, "Your request contains an invalid request parameter.")
		return
	}
	if q.Get("container_id") != a.w.larkChat() {
		writeLarkError(rw, http.StatusBadRequest, 230002, "The bot can not be outside the group.")
		return
	}
	size := 20
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > larkMaxPageSize {
			writeLarkError(rw, http.StatusBadRequest, 230001, "Your request contains an invalid request parameter. page_size")
			return
		}
		size = n
	}
	var from int64
	if v := q.Get("start_time"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeLarkError(rw, http.StatusBadRequest, 230001, "Your request contains an invalid request parameter. start_time")
			return
		}
		from = n
	}
	desc := false
	switch q.Get("sort_type") {
	case "", "ByCreateTimeAsc":
	case "ByCreateTimeDesc":
		desc = true
	default:
		writeLarkError(rw, http.StatusBadRequest, 230001, "Your request contains an invalid request parameter. sort_type")
		return
	}
	start := 0
	if t := q.Get("page_token"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "pos:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(raw), "pos:") || n < 0 {
			writeLarkError(rw, http.StatusBadRequest, 230001, "Your request contains an invalid request parameter. page_token")
			return
		}
		start = n
	}
	all := a.messages(from, now)
	if desc {
		slices.Reverse(all)
	}
	end := min(start+size, len(all))
	start = min(start, end)
	p := larkPage{Code: 0, Msg: "success", Data: larkPageData{Items: all[start:end]}}
	switch mode := endlessOf(r); {
	case mode == endlessSame:
		p.Data.HasMore, p.Data.PageToken = true, cmp0(q.Get("page_token"), larkPageToken(0))
	case end < len(all):
		p.Data.HasMore, p.Data.PageToken = true, larkPageToken(end)
	case mode == endlessGrowing:
		p.Data.HasMore, p.Data.PageToken = true, larkPageToken(end+1)
	}
	if p.Data.Items == nil {
		p.Data.Items = []larkMessage{}
	}
	writeJSON(rw, http.StatusOK, p)
}

func larkPageToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(n)))
}

// messages lists the chat's messages created at or after from (Unix
// seconds), as of now, oldest first.
func (a *larkAPI) messages(from, now int64) []larkMessage {
	var out []larkMessage
	for i := range a.w.ticketsBy(now) {
		s := stateAt(a.w.timeline(i), now)
		out = append(out, a.ticket(&s, a.w.deleted(i, now), from)...)
	}
	slices.SortStableFunc(out, func(x, y larkMessage) int {
		if c := strings.Compare(padTS(x.CreateTime), padTS(y.CreateTime)); c != 0 {
			return c
		}
		return strings.Compare(padTS(x.MessageID), padTS(y.MessageID))
	})
	return out
}

func larkMillis(at int64) string { return strconv.FormatInt(at*1000, 10) }

func larkText(s string) larkBody {
	b, _ := json.Marshal(map[string]string{"text": s})
	return larkBody{Content: string(b)}
}

// ticket renders a ticket's messages created at or after from: its
// message (dated by its first creation: a message's create_time never
// changes), the replies, the bot's escalation.
func (a *larkAPI) ticket(s *ticketState, deleted bool, from int64) []larkMessage {
	tl := s.tl
	chat := a.w.larkChat()
	buyer, vendor := a.w.larkBuyerTenant(), a.w.larkVendorTenant()
	customer := larkSender{ID: larkUser("c", tl.requester), IDType: "open_id", SenderType: "user", TenantKey: buyer}
	agent := larkSender{ID: larkUser("a", tl.agent), IDType: "open_id", SenderType: "user", TenantKey: vendor}
	rootID := larkMessageID(tl, 0)
	var out []larkMessage
	if tl.created >= from {
		text := ticketDescription(tl)
		priority := tl.priority
		if s.edited {
			priority = s.priority
		}
		if p := zPriorities[priority]; p != "" {
			text += " #" + p
		}
		root := larkMessage{
			MessageID: rootID, MsgType: "text", CreateTime: larkMillis(tl.created), UpdateTime: larkMillis(tl.created),
			ChatID: chat, Sender: customer, Body: larkText(text),
		}
		if deleted {
			root.Deleted, root.Body = true, larkText("This message was recalled")
		}
		out = append(out, root)
	}
	if deleted {
		return out
	}
	reply := func(id string, at int64, sender larkSender, text string) {
		if at < from {
			return
		}
		out = append(out, larkMessage{
			MessageID: id, RootID: rootID, ParentID: rootID, MsgType: "text", CreateTime: larkMillis(at), UpdateTime: larkMillis(at),
			ChatID: chat, Sender: sender, Body: larkText(text),
		})
	}
	for _, c := range s.comments()[1:] {
		sender, text := customer, commentText(c.kind)
		if c.vendor {
			sender = agent
		}
		if c.kind == stepSolve {
			text = "#solved " + text
		}
		reply(larkMessageID(tl, c.seq), c.at, sender, text)
	}
	bot := larkSender{ID: a.w.larkVendorBot(), IDType: "app_id", SenderType: "app", TenantKey: vendor}
	edited := false
	for k, st := range tl.steps[:s.n] {
		switch st.kind {
		case stepEdit:
			edited = edited || st.edit.Priority != nil
		case stepEscalate:
			text := "#escalated"
			if p := zPriorities[tl.escalated]; p != "" && !edited {
				text += " #" + p
			}
			reply("om_"+strconv.FormatInt(commentID(tl, 900+k), 16), st.at, bot, text)
		}
	}
	return out
}

// LarkApp is the app id and secret the vendor's Lark API accepts, and
// LarkChat the group's id; empty for an unknown vendor.
func (s *Sim) LarkApp(vendor string) (id, secret string) {
	if w := s.worlds[vendor]; w != nil {
		return w.larkApp()
	}
	return "", ""
}

// LarkChat is the id of the group shared with the vendor.
func (s *Sim) LarkChat(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.larkChat()
	}
	return ""
}

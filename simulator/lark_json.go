package simulator

// JSON shapes of the Lark (Feishu) Open API: the {code, msg, data}
// envelope of GET /open-apis/im/v1/messages (data.has_more,
// data.page_token, data.items), its message, and the answer of POST
// /open-apis/auth/v3/tenant_access_token/internal, field for field as
// the API reference documents them (collectors/lark/testdata).

type larkPage struct {
	Code int          `json:"code"`
	Msg  string       `json:"msg"`
	Data larkPageData `json:"data"`
}

type larkPageData struct {
	HasMore   bool          `json:"has_more"`
	PageToken string        `json:"page_token,omitempty"`
	Items     []larkMessage `json:"items"`
}

type larkMessage struct {
	MessageID  string        `json:"message_id"`
	RootID     string        `json:"root_id,omitempty"`
	ParentID   string        `json:"parent_id,omitempty"`
	MsgType    string        `json:"msg_type"`
	CreateTime string        `json:"create_time"`
	UpdateTime string        `json:"update_time"`
	Deleted    bool          `json:"deleted"`
	Updated    bool          `json:"updated"`
	ChatID     string        `json:"chat_id"`
	Sender     larkSender    `json:"sender"`
	Body       larkBody      `json:"body"`
	Mentions   []larkMention `json:"mentions,omitempty"`
}

type larkSender struct {
	ID         string `json:"id"`
	IDType     string `json:"id_type"`
	SenderType string `json:"sender_type"`
	TenantKey  string `json:"tenant_key"`
}

type larkBody struct {
	Content string `json:"content"`
}

type larkMention struct {
	Key       string `json:"key"`
	ID        string `json:"id"`
	IDType    string `json:"id_type"`
	Name      string `json:"name"`
	TenantKey string `json:"tenant_key"`
}

// larkToken is the answer of the token endpoint.
type larkToken struct {
	Code   int    `json:"code"`
	Msg    string `json:"msg"`
	Token  string `json:"tenant_access_token"`
	Expire int64  `json:"expire"`
}

// larkError is the envelope of a failed call.
type larkError struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

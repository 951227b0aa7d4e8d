package simulator

import "time"

// JSON shapes of Google's Cloud Support API v2, field for field as its
// discovery document (cloudsupport.v2.json, revision 20240604) defines
// them: Case, Comment, Actor, the list answers with nextPageToken, and
// Google's error envelope (collectors/gcpsupport/testdata).

type gcpSearchPage struct {
	Cases         []gcpCase `json:"cases"`
	NextPageToken string    `json:"nextPageToken,omitempty"`
}

type gcpCase struct {
	Name                     string            `json:"name"`
	DisplayName              string            `json:"displayName"`
	Description              string            `json:"description"`
	Classification           gcpClassification `json:"classification"`
	TimeZone                 string            `json:"timeZone"`
	SubscriberEmailAddresses []string          `json:"subscriberEmailAddresses,omitempty"`
	State                    string            `json:"state"`
	CreateTime               string            `json:"createTime"`
	UpdateTime               string            `json:"updateTime"`
	Creator                  gcpActor          `json:"creator"`
	Escalated                bool              `json:"escalated,omitempty"`
	LanguageCode             string            `json:"languageCode"`
	Priority                 string            `json:"priority"`
}

type gcpClassification struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// gcpActor: Google obfuscates its people's names and sends no email nor
// username for them; googleSupport is set on theirs alone.
type gcpActor struct {
	DisplayName   string `json:"displayName"`
	Email         string `json:"email,omitempty"`
	Username      string `json:"username,omitempty"`
	GoogleSupport bool   `json:"googleSupport,omitempty"`
}

type gcpCommentsPage struct {
	Comments      []gcpComment `json:"comments"`
	NextPageToken string       `json:"nextPageToken,omitempty"`
}

type gcpComment struct {
	Name          string   `json:"name"`
	CreateTime    string   `json:"createTime"`
	Creator       gcpActor `json:"creator"`
	Body          string   `json:"body"`
	PlainTextBody string   `json:"plainTextBody"`
}

// gcpError is Google's error envelope (google.rpc.Status as JSON).
type gcpError struct {
	Error gcpStatus `json:"error"`
}

type gcpStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

// gcpTokenAnswer is the token endpoint's answer, and gcpTokenError its
// refusal (RFC 6749, 5.1 and 5.2).
type gcpTokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

type gcpTokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// gcpServiceAccountKey is a service account's JSON key file, as the
// console's "Create key" writes it.
type gcpServiceAccountKey struct {
	Type                    string `json:"type"`
	ProjectID               string `json:"project_id"`
	PrivateKeyID            string `json:"private_key_id"`
	PrivateKey              string `json:"private_key"`
	ClientEmail             string `json:"client_email"`
	ClientID                string `json:"client_id"`
	AuthURI                 string `json:"auth_uri"`
	TokenURI                string `json:"token_uri"`
	AuthProviderX509CertURL string `json:"auth_provider_x509_cert_url"`
	ClientX509CertURL       string `json:"client_x509_cert_url"`
	UniverseDomain          string `json:"universe_domain"`
}

// gcpTime writes a google-datetime as Google does: UTC, with a fraction
// only when there is one (the simulator's times are whole seconds).
func gcpTime(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339Nano) }

// Package gcpsupport reads the buyer's own Google Cloud support cases
// through the Cloud Support API v2 (docs/sources.md, `gcp_support`): Google
// is the vendor, a case a ticket, its comments the conversation (Google
// Support's, creator.googleSupport, the vendor's replies), its state the
// ticket's status.
//
// # Polling
//
// Each poll searches the parent's cases updated since the stored mark less
// ten minutes (cases:search with update_time>"…", the API's only
// incremental filter), newest pages first as Google pages them, and reads
// the comments of each case whose updateTime is not the stored version's:
// a caught-up poll is one request. The API shows a case's current state
// only; solves and reopens are told from the stored version, as
// zendesk_requests does.
//
// # Credentials
//
// A token in http_client (the shared client sends it), else one the
// collector gets itself: from a service account's JSON key (the JWT bearer
// grant at the key's token_uri, x/oauth2/jwt) or from the metadata server.
// Token requests go through their own small client (the shared one sends
// GETs to the API alone), with a timeout and the environment's proxy, and
// are counted by source.Env.CountRequest. Tokens, keys and assertions
// never enter an error, a log line or the cursor.
package gcpsupport

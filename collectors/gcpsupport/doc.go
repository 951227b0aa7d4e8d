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
// incremental filter; the parent is the path's), page by page as Google
// pages them (newest first, assumed; nothing depends on it), and reads
// the comments of each case whose updateTime is newer than the stored
// version's: a caught-up poll is one request. Test cases and cases Google
// opened are left out. The API shows a case's current state
// only; solves and reopens are told from the stored version, as
// zendesk_requests does.
//
// # Credentials
//
// A token in http_client (the shared client sends it), else one the
// collector gets itself: from a service account's JSON key (the JWT bearer
// grant at the key's token_uri, x/oauth2/jwt) or from the metadata server.
// Token requests go through their own small client (the shared one sends
// GETs to the API alone), with a timeout, the environment's proxy for a
// key file's and none for the metadata server's, and are counted by
// source.Env.CountRequest and against the sync's budget. Tokens, keys and assertions
// never enter an error, a log line or the cursor.
package gcpsupport

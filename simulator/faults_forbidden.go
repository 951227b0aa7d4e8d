package simulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveForbidden answers r as the endpoint's API answers a credential it
// accepts but that may not do what r asks (FaultForbidden): 403 with the
// vendor's own error body.
func (e *endpoint) serveForbidden(rw http.ResponseWriter, r *http.Request) {
	switch e.kind {
	case KindZendesk, KindZendeskRequests, KindZendeskHelpCenter:
		// Zendesk's answer to a user whose role may not use the endpoint
		// (an end user on the export, an agent without the permission).
		writeZendeskError(rw, http.StatusForbidden, "Forbidden",
			"You do not have access to this page. Please contact the account owner of this help desk for further help.")
	case KindFreshdesk:
		// Freshdesk's access_denied: an agent whose role lacks the
		// privilege.
		writeJSON(rw, http.StatusForbidden, fdMessage{"access_denied", "You are not authorized to perform this action."})
	case KindGitHub:
		// A fine-grained token without the Issues permission on the
		// repository. GitHub sends its quota headers with every answer:
		// the quota is not what refused it.
		limit := ghLimitAnonymous
		if r.Header.Get("Authorization") != "" {
			limit = ghLimitToken
		}
		h := rw.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-1))
		h.Set("X-RateLimit-Used", "1")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(e.clock().Add(time.Hour).Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		writeGhError(rw, http.StatusForbidden, "Resource not accessible by personal access token")
	case KindSlack:
		// A bot token without the history scope: 200 and ok false, as
		// Slack answers every error but rate limits.
		writeSlackError(rw, slackError{Error: "missing_scope", Needed: "channels:history", Provided: "chat:write"})
	case KindLark:
		// The app's bot is not (or no longer) in the group: Lark's 400
		// and code, as for every error but rate limits. The app's
		// credentials are fine: the token endpoint answers as ever.
		if r.URL.Path == larkTokenPath {
			e.api.ServeHTTP(rw, r)
			return
		}
		writeLarkError(rw, http.StatusBadRequest, 230002, "The bot can not be outside the group.")
	case KindGCPSupport:
		// An account without roles/cloudsupport.techSupportViewer on the
		// parent.
		writeGCPError(rw, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
	case KindAzureSupport:
		// An app without a role allowing Microsoft.Support reads on the
		// subscription: ARM's AuthorizationFailed.
		writeAzError(rw, http.StatusForbidden, "AuthorizationFailed",
			"The client '00000000-0000-0000-0000-000000000000' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action 'Microsoft.Support/supportTickets/read' over scope '"+r.URL.Path+"' or the scope is invalid. If access was recently granted, please refresh your credentials.")
	case KindAWSSupport:
		// An identity whose policy lacks support:DescribeCases: AWS's
		// JSON protocols answer 400 with the error's type.
		writeAWSError(rw, http.StatusBadRequest, "AccessDeniedException",
			"User: arn:aws:iam::"+e.w.awsAccount()+":user/exporter is not authorized to perform: support:DescribeCases")
	case KindJSM:
		// An account without the permission: the servicedeskapi answers
		// with its errorMessage, the platform with errorMessages.
		if strings.HasPrefix(r.URL.Path, "/rest/servicedeskapi/") {
			writeDeskError(rw, http.StatusForbidden, "You do not have permission to access this service desk.",
				"sd.customer.servicedesk.error.permission")
			return
		}
		writeJiraError(rw, http.StatusForbidden, "You do not have permission to perform this operation.")
	default:
		// A public page checks no credential: the web server or CDN in
		// front of it blocks the client.
		body := "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n"
		rw.Header().Set("Content-Type", "text/html")
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.WriteHeader(http.StatusForbidden)
		_, _ = rw.Write([]byte(body))
	}
}

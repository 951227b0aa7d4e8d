package jsm

// AutomationForJira is the account id of "Automation for Jira", the app
// account that Jira Cloud's automation rules comment as (the same id on
// every site): an automatic "we received your request" is no vendor
// reply, nor the human response the off-hours drill times.
const AutomationForJira = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"

// withoutAutomated drops the comments whose author is one of the source's
// automation_accounts: they are neither the vendor's replies nor the
// customer's. The comments are never changed in place.
func (e *collector) withoutAutomated(comments []apiComment) []apiComment {
	if len(e.automated) == 0 {
		return comments
	}
	out := make([]apiComment, 0, len(comments))
	for _, c := range comments {
		if c.Author != nil && e.automated[c.Author.AccountID] {
			continue
		}
		out = append(out, c)
	}
	return out
}

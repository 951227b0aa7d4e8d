package jsm

import (
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
	"github.com/support-exporter/support_exporter/exporter/item"
)

// TestAutomationCommentsAreNoReplies: a public comment by Automation for
// Jira (an automatic acknowledgement) is no vendor reply by default, so
// the first vendor reply is the agent's; automation_accounts: [] counts it
// again, and a listed account is left out like it.
func TestAutomationCommentsAreNoReplies(t *testing.T) {
	ms := func(m int64) *apiDate { v := 1772500000000 + m*60000; return &apiDate{EpochMillis: &v} }
	public := true
	comment := func(author string, at int64) apiComment {
		return apiComment{Public: &public, Author: &apiUser{AccountID: author}, Created: ms(at)}
	}
	comments := []apiComment{comment(AutomationForJira, 1), comment("qm:bot-of-the-vendor", 2), comment("agent-1", 30)}
	r := apiRequest{IssueID: "10107", CreatedDate: ms(0), Reporter: &apiUser{AccountID: "qm:buyer"},
		CurrentStatus: &apiRequestStatus{Status: "Waiting for support", StatusCategory: "NEW", StatusDate: ms(0)}}
	for _, tc := range []struct {
		name, yaml string
		replies    []int64 // minutes of the vendor replies
	}{
		{"default: Automation for Jira's comments", "", []int64{2, 30}},
		{"none", "automation_accounts: []\n", []int64{1, 2, 30}},
		{"listed", "automation_accounts: [\"" + AutomationForJira + "\", \"qm:bot-of-the-vendor\"]\n", []int64{30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := collectortest.SimEnv(t, simKind, "kind: jira_service_management\nurl: https://acme.atlassian.net\napi: customer\nhttp_client:\n  basic_auth: {username: a, password: b}\n"+tc.yaml, time.Now)
			src, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			tk, err := requestToTicket(r, src.(*collector).withoutAutomated(comments), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, e := range tk.Events {
				if e.Kind == item.EventVendorReply {
					got = append(got, (e.At.UnixMilli()-1772500000000)/60000)
				}
			}
			if len(got) != len(tc.replies) {
				t.Fatalf("vendor replies at minutes %v, want %v", got, tc.replies)
			}
			for i := range got {
				if got[i] != tc.replies[i] {
					t.Fatalf("vendor replies at minutes %v, want %v", got, tc.replies)
				}
			}
		})
	}
}

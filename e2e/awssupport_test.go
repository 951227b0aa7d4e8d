package e2e

import (
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/simulator"
)

// TestAWSSupportScriptedHistory reads chatHistory through the aws_support
// kind, signed with the simulated account's key pair, under both SLA
// clocks, at the three instants of chatPhases.
func TestAWSSupportScriptedHistory(t *testing.T) {
	r := runScripted(t, scriptedKind{
		kind: simulator.KindAWSSupport, prefix: "aws", source: "cases", clocks: []string{"calendar", "business"},
		history: chatHistory, phases: chatPhases, debug: true,
		// chatHistory's values read as AWS Support cases, worked out by
		// hand in chatExpected: the same communications at the same
		// instants (each step a communication: AWS's replies and its
		// resolving answer signed "Amazon Web Services", the buyer's
		// replies, chases and reopening reply), the case's first
		// communication the description, and the solves and the reopen of
		// case 6 dated by the communications that came with them, as the
		// three reads of chatPhases see them. What differs: the API shows
		// no tags, so case 3's escalation is not seen (docs/sources.md,
		// `aws_support`: does not feed escalations); its severity stays
		// high.
		expected: chatExpected,
		exceptions: []kindException{
			{"support_escalations_total priority=high", 0, "the Support API shows no tags"},
		},
	})
	// The secret access key and every signature sent stay out of the
	// logs (at debug level) and /metrics.
	_, landing := r.p.get("/")
	r.p.term()
	for _, v := range r.vendors {
		_, secret := r.sim.AWSSupportCredentials(v)
		for what, text := range map[string]string{"log": r.logs.String(), "/metrics": r.body, "landing page": landing} {
			if strings.Contains(text, secret) || strings.Contains(text, "Signature=") || strings.Contains(text, "AWS4-HMAC-SHA256") {
				t.Errorf("the %s shows the secret access key or a signature", what)
			}
		}
	}
}

package simulator

import (
	"fmt"
	"strings"
)

// IMAPBearerSourceYAML is SourceYAML of the vendor's imap API logging in
// with XOAUTH2: an OAuth 2.0 access token (IMAPToken) as a bearer
// credential, and the mailbox's address as the option username.
func (s *Sim) IMAPBearerSourceYAML(vendor string) string {
	w := s.worlds[vendor]
	u := s.URL(vendor, KindIMAP)
	if w == nil || u == "" {
		return ""
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("kind: %s", KindIMAP)
	line("url: %s", yamlString(u))
	line("username: %s", yamlString(w.mailUser()))
	s.imapSourceYAML(w, line, true)
	return b.String()
}

// IMAPToken is the OAuth 2.0 access token the vendor's imap API takes with
// XOAUTH2 for the mailbox of IMAPCredentials.
func (s *Sim) IMAPToken(vendor string) string {
	if w := s.worlds[vendor]; w != nil {
		return w.mailToken()
	}
	return ""
}

// imapSourceYAML writes the keys of an imap source reading the vendor's
// mailbox (after kind and url): the login (LOGIN, or XOAUTH2 with bearer),
// the certificate to trust (the simulation's own, made at Start), and the
// options that match the mail mail.go renders.
func (s *Sim) imapSourceYAML(w *world, line func(format string, args ...any), bearer bool) {
	line("http_client:")
	if bearer {
		line("  authorization:")
		line("    type: Bearer")
		line("    credentials: %s", yamlString(w.mailToken()))
	} else {
		line("  basic_auth:")
		line("    username: %s", yamlString(w.mailUser()))
		line("    password: %s", yamlString(w.mailPassword()))
	}
	line("  tls_config:")
	line("    ca: %s", yamlString(s.IMAPCertificate(w.v.Name)))
	line("folders: [%s, %s]", yamlString(mailInbox), yamlString(mailSent))
	line("vendor_addresses: [%s]", yamlString("@"+w.mailDomain()))
	line("tag_patterns:")
	for _, t := range imapTagPatterns {
		line("  %s: %s", t.tag, yamlString(t.pattern))
	}
	line("solved_patterns: [%s]", yamlString("has been solved"))
	line("reopened_patterns: [%s]", yamlString("has been reopened"))
}

// imapTagPatterns are the tags the mail's subjects carry: the priorities
// the customer writes, and the vendor's escalation.
var imapTagPatterns = []struct{ tag, pattern string }{
	{"urgent", `(?i)\[P1\]|\burgent\b`},
	{"high", `\[P2\]`},
	{"normal", `\[P3\]`},
	{"low", `\[P4\]`},
	{"escalated", `\[Escalated\]`},
}

package simulator

// imapSourceYAML writes the keys of an imap source reading the vendor's
// mailbox (after kind and url): the login, the certificate to trust (the
// simulation's own, made at Start), and the options that match the mail
// mail.go renders.
func (s *Sim) imapSourceYAML(w *world, line func(format string, args ...any)) {
	user, pass := w.mailUser(), w.mailPassword()
	line("http_client:")
	line("  basic_auth:")
	line("    username: %s", yamlString(user))
	line("    password: %s", yamlString(pass))
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

package imap

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	commoncfg "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"

	"github.com/support-exporter/support_exporter/exporter/config"
)

// SMTP is the option smtp: where the off-hours drill's mail goes
// (docs/sources.md, `imap`, "The drill by mail").
type SMTP struct {
	// URL is the buyer's submission server: smtps://host[:465] (TLS from
	// the first byte) or smtp://host[:587] (STARTTLS, required).
	URL string `yaml:"url"`
	// From is the buyer's address the mail is sent from, the customer
	// the vendor answers; To is the vendor's support address.
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// SentFolder is where the mail's copy is (one of folders, so that the
	// collector reads the thread's first message).
	SentFolder string `yaml:"sent_folder"`
	// ServerSavesSent: the server saves what it takes in SentFolder
	// (Gmail, Microsoft 365); else the drill APPENDs the copy itself.
	ServerSavesSent bool `yaml:"server_saves_sent"`
	// StagingFolder is where the copy waits while the mail is submitted
	// (created if missing; never one of folders, so that the collector
	// never takes a mail not sent yet for a ticket); moved to SentFolder
	// once the server took the mail. Default DefaultStagingFolder.
	StagingFolder string `yaml:"staging_folder"`
	// BasicAuth logs in with AUTH PLAIN; absent, the source's http_client
	// does (basic_auth: PLAIN; a token or oauth2: XOAUTH2 as username).
	BasicAuth *commoncfg.BasicAuth `yaml:"basic_auth"`
}

// UnmarshalYAML decodes the option and refuses a key it does not have,
// as the decoder of the configuration's other keys does.
func (s *SMTP) UnmarshalYAML(n *yaml.Node) error {
	type plain SMTP
	if err := n.Decode((*plain)(s)); err != nil {
		return err
	}
	var unknown []string
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i]; k.Value {
		case "url", "from", "to", "sent_folder", "server_saves_sent", "staging_folder", "basic_auth":
		default:
			unknown = append(unknown, fmt.Sprintf("line %d: field %s not found in type imap.SMTP", k.Line, k.Value))
		}
	}
	if len(unknown) > 0 {
		return &yaml.TypeError{Errors: unknown}
	}
	return nil
}

// checkSMTP reports the smtp option's mistakes, under smtp.*.
func (o *Options) checkSMTP(report config.Report) {
	s := o.SMTP
	if s == nil {
		return
	}
	if s.URL == "" {
		report("smtp.url", "required: the buyer's submission server, smtps://host[:465] or smtp://host[:587] (STARTTLS)")
	} else if _, err := parseSMTPURL(s.URL); err != nil {
		report("smtp.url", "%v", err) // never the URL: it may carry a password
	}
	for _, a := range []struct{ key, value, what string }{
		{"smtp.from", s.From, "the buyer's address the drill's mail is sent from"},
		{"smtp.to", s.To, "the vendor's support address"},
	} {
		switch {
		case a.value == "":
			report(a.key, "required: %s", a.what)
		case !bareAddress(a.value):
			report(a.key, "%q: want an address (name@domain.tld) without a display name", a.value)
		}
	}
	if bareAddress(s.From) {
		for _, v := range o.VendorAddresses {
			if va, err := parseVendorAddress(v); err == nil && va.matches(strings.ToLower(s.From)) {
				report("smtp.from", "%q is one of vendor_addresses: the drill's mail would be the vendor's", s.From)
				break
			}
		}
	}
	switch {
	case s.SentFolder == "":
		report("smtp.sent_folder", "required: the folder the sent mail's copy is in (Sent, \"[Gmail]/Sent Mail\", \"Sent Items\"), one of folders")
	case !slices.Contains(o.Folders, s.SentFolder):
		report("smtp.sent_folder", "%q is not one of folders: the collector must read the drill's mail to see the vendor's reply to it", s.SentFolder)
	}
	if !s.ServerSavesSent && slices.Contains(o.Folders, s.staging()) {
		report("smtp.staging_folder", "%q is one of folders: the collector would take the copy of a mail not sent yet for a ticket; "+
			"name a folder the collector does not read (default %q)", s.staging(), DefaultStagingFolder)
	}
	if ba := s.BasicAuth; ba != nil {
		if ba.Username == "" {
			report("smtp.basic_auth.username", "required: the submission server's login")
		}
		if ba.Password == "" && ba.PasswordFile == "" {
			report("smtp.basic_auth", "password or password_file required")
		}
		if ba.UsernameFile != "" || ba.UsernameRef != "" || ba.PasswordRef != "" {
			report("smtp.basic_auth", "username_file, username_ref and password_ref are not supported here: username with password or password_file")
		}
	}
}

// DefaultStagingFolder is smtp.staging_folder's default.
const DefaultStagingFolder = "support-drill"

// staging is smtp.staging_folder, or its default.
func (s *SMTP) staging() string {
	if s.StagingFolder == "" {
		return DefaultStagingFolder
	}
	return s.StagingFolder
}

// bareAddress reports whether s is an address without a display name.
func bareAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// DrillRefusal implements config.DrillRefuser: a drill's mail needs the
// smtp option.
func (o *Options) DrillRefusal(d *config.Drill) string {
	if o.SMTP == nil {
		return "a drill on kind imap sends its mail through the buyer's submission server: set the source's smtp (url, from, to, sent_folder)"
	}
	if d != nil && d.Priority != "" {
		return "a drill on kind imap sends a mail, which has no priority: remove the drill's priority"
	}
	return ""
}

// SetDirectory implements config.OptionsInDirectory: smtp.basic_auth's
// password_file is relative to the config file.
func (o *Options) SetDirectory(dir string) {
	if o.SMTP != nil && o.SMTP.BasicAuth != nil {
		o.SMTP.BasicAuth.SetDirectory(dir)
	}
}

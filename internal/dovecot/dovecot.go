// Package dovecot runs a real Dovecot IMAP server for tests: Debian's
// Dovecot 2.3 (/usr/sbin/dovecot, package dovecot-imapd) in the foreground on
// 127.0.0.1, with a temporary configuration, TLS from the first byte
// (imaps) under a certificate made here, a passwd-file of the users a test
// chooses, and maildir mailboxes under a temporary directory.
//
// Tests of the imap kind use it to read mail as a real server serves it:
// its capabilities (CONDSTORE, UIDPLUS), its UIDVALIDITY values, its
// answers to a wrong password, its parsing of odd messages. A fake built
// from the RFC would only repeat our own reading of the RFC.
package dovecot

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
)

// Binary is where Debian's dovecot-core installs the server.
const Binary = "/usr/sbin/dovecot"

// User is one mailbox owner: the login and the password Dovecot accepts.
type User struct {
	Name, Password string
}

// Message is one message to store: its raw RFC 5322 bytes, its IMAP flags
// (e.g. `\Seen`) and the INTERNALDATE the server keeps for it.
type Message struct {
	Raw   []byte
	Flags []string
	Date  time.Time
}

// Server is one running Dovecot.
type Server struct {
	dir     string // everything: config, sockets, state, mail, log
	conf    string // dovecot.conf with the placeholder PORT
	addr    string
	tlsAddr string // imap:// with STARTTLS, when Options.STARTTLS
	noTLS   bool
	caPEM   []byte
	users   map[string]string // name -> password
	mailUID int               // the owner of every mail file
	mailGID int
	cmd     *exec.Cmd
	done    chan struct{}
	stopped sync.Once
	started int64 // Unix seconds of Start: the time part of maildir file names
	written int   // maildir files WriteMaildir wrote
}

// Start runs Dovecot with these users and stops it when the test ends. A
// missing Dovecot fails the test (CI installs it: .ci/run) except under
// -short, where it skips.
//
// After a refused login, Dovecot delays the next login from the same IP
// (its auth penalty: 2 s, then 4 s, up to 15 s; no setting of 2.3 turns
// it off): a test of a wrong password that logs in again afterwards pays
// that, so such tests start a server of their own.
func Start(tb testing.TB, users ...User) *Server {
	tb.Helper()
	return StartWith(tb, Options{}, users...)
}

// Options change what Start configures.
type Options struct {
	// NoRawLog turns off the record of each session (Commands): it copies
	// every answer to disk, which a benchmark should not measure.
	NoRawLog bool
	// STARTTLS adds a listener for imap:// (STARTTLSURL), where Dovecot
	// offers STARTTLS and refuses a login before it.
	STARTTLS bool
	// NoTLS makes a server without any TLS that accepts a password in
	// clear text on imap:// (URL, Addr): what a client must refuse to
	// send a password to. Not with STARTTLS.
	NoTLS bool
}

// StartWith is Start with options.
func StartWith(tb testing.TB, opts Options, users ...User) *Server {
	tb.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if testing.Short() {
			tb.Skipf("dovecot: %s missing (package dovecot-imapd); skipped under -short", Binary)
		}
		tb.Fatalf("dovecot: %s missing: install the Debian package dovecot-imapd (.ci/run does)", Binary)
	}
	if opts.NoTLS && opts.STARTTLS {
		tb.Fatal("dovecot: Options.NoTLS and STARTTLS exclude each other")
	}
	s, err := newServer(users, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(s.dir) })
	// A port free when probed may be taken before Dovecot binds it (other
	// tests run in parallel): a refused bind is retried on another port.
	for attempt := 0; ; attempt++ {
		err = s.run()
		if err == nil {
			break
		}
		if !errors.Is(err, errAddrInUse) || attempt == 4 {
			tb.Fatalf("dovecot: %v\n%s", err, s.Log())
		}
	}
	tb.Cleanup(func() {
		s.Stop()
		if tb.Failed() {
			tb.Logf("dovecot log:\n%s", tail(s.Log(), 30))
		}
	})
	return s
}

func newServer(users []User, opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "dovecot-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, users: map[string]string{}, mailUID: os.Getuid(), mailGID: os.Getgid(), started: time.Now().Unix()}
	for _, u := range users {
		if u.Name == "" || strings.ContainsAny(u.Name+u.Password, ":\n") {
			return nil, fmt.Errorf("dovecot: user %q: a name is required, and neither name nor password may hold ':' or a newline (passwd-file)", u.Name)
		}
		s.users[u.Name] = u.Password
	}
	if err := s.writeConfig(opts); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// writeConfig writes the certificate, the passwd-file and dovecot.conf.
//
// As root, Dovecot refuses to run its login processes as root ("This
// process must not be run as root") and mail as UID 0 ("invalid UID '0'"),
// so the login processes run as the package's dovenull, its internal
// processes as dovecot, and mail as nobody (65534), who must be able to
// reach the mail directory. As any other user everything runs as that
// user, Dovecot's "rootless" mode.
func (s *Server) writeConfig(opts Options) error {
	internalUser, internalGroup, loginUser := "", "", ""
	if os.Geteuid() == 0 {
		internalUser, internalGroup, loginUser = "dovecot", "dovecot", "dovenull"
		s.mailUID, s.mailGID = 65534, 65534
		// Mail processes (as nobody) walk to their home under dir.
		if err := os.Chmod(s.dir, 0o711); err != nil {
			return err
		}
	} else {
		u, err := user.Current()
		if err != nil {
			return fmt.Errorf("dovecot: the current user: %w", err)
		}
		g, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
		if err != nil {
			return fmt.Errorf("dovecot: the current group: %w", err)
		}
		// The sockets' group too: Dovecot chowns them to it.
		internalUser, internalGroup, loginUser = u.Username, g.Name, u.Username
	}
	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return err
	}
	s.caPEM = certPEM
	for _, d := range []string{"run", "state", "mail"} {
		if err := os.Mkdir(filepath.Join(s.dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := s.chown(filepath.Join(s.dir, "mail")); err != nil {
		return err
	}
	var passwd strings.Builder
	for name, pw := range s.users {
		rawlog := filepath.Join(s.dir, "rawlog", name)
		if err := os.MkdirAll(rawlog, 0o755); err != nil {
			return err
		}
		if err := s.chown(rawlog); err != nil {
			return err
		}
		// {PLAIN}: the test's passwords are no secret; the scheme keeps
		// them readable in a failing test's temporary directory.
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s:%d:%d::%s\n", name, pw, s.mailUID, s.mailGID, s.home(name))
	}
	files := map[string][]byte{
		"cert.pem": certPEM, "key.pem": keyPEM, "passwd": []byte(passwd.String()),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o600); err != nil {
			return err
		}
	}
	if os.Geteuid() == 0 {
		// The auth worker, as the internal user, reads the passwd-file.
		u, err := user.Lookup(internalUser)
		if err != nil {
			return fmt.Errorf("dovecot: user %s (made by the package dovecot-core): %w", internalUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(filepath.Join(s.dir, "passwd"), uid, gid); err != nil {
			return err
		}
	}
	s.conf = fmt.Sprintf(configTemplate, s.dir, internalUser, internalGroup, loginUser, s.mailUID)
	switch {
	case opts.NoTLS:
		s.noTLS = true
		s.conf = strings.NewReplacer("ssl = required", "ssl = no", "disable_plaintext_auth = yes", "disable_plaintext_auth = no",
			"port = 0", "port = PORT", "port = PORT\n    ssl = yes", "port = 0").Replace(s.conf)
	case opts.STARTTLS:
		s.conf = strings.Replace(s.conf, "port = 0", "port = STARTTLSPORT", 1)
	}
	if opts.NoRawLog {
		s.conf = strings.Replace(s.conf, "\nrawlog_dir =", "\n#rawlog_dir =", 1)
	}
	return nil
}

// configTemplate is dovecot.conf; %[1]s is the directory. Everything the
// default Debian configuration (/etc/dovecot) would add is left out: the
// file is read with -c alone.
const configTemplate = `# Written by internal/dovecot for one test.
base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = dovecot-test
protocols = imap
listen = 127.0.0.1
log_path = %[1]s/dovecot.log
default_internal_user = %[2]s
default_internal_group = %[3]s
default_login_user = %[4]s
first_valid_uid = %[5]d
last_valid_uid = %[5]d

# Never a password in clear text: TLS is required, and imaps is the only
# listener (PORT is replaced at each start; Options change this).
ssl = required
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
# A refused login answers at once. (Dovecot's penalty for failed logins
# still delays the next new session from 127.0.0.1 by 2 s, then 4 s...:
# see Start.)
auth_failure_delay = 0

passdb {
  driver = passwd-file
  args = %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = %[1]s/passwd
}

# maildir++: INBOX is ~/Maildir, a folder F is ~/Maildir/.F
mail_location = maildir:~/Maildir
mail_max_userip_connections = 1000
# Each session's commands after login (see Commands).
rawlog_dir = %[1]s/rawlog/%%u

# No chroot: a user other than root may not chroot, and the tests need the
# same configuration either way.
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = PORT
    ssl = yes
  }
}
`

func (s *Server) configPath() string { return filepath.Join(s.dir, "dovecot.conf") }

func (s *Server) home(name string) string { return filepath.Join(s.dir, "mail", name) }

var errAddrInUse = errors.New("address in use")

// run starts Dovecot on a free port and waits until it greets.
func (s *Server) run() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	conf := strings.Replace(s.conf, "port = PORT", "port = "+strconv.Itoa(port), 1)
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if strings.Contains(conf, "STARTTLSPORT") {
		p2, err := freePort()
		if err != nil {
			return err
		}
		conf = strings.Replace(conf, "port = STARTTLSPORT", "port = "+strconv.Itoa(p2), 1)
		s.tlsAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p2))
	}
	if err := os.WriteFile(s.configPath(), []byte(conf), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(Binary, "-F", "-c", s.configPath())
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// Its own process group: a Dovecot that ignores SIGTERM is killed with
	// all its children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-done:
			log := s.Log() + stderr.String()
			if strings.Contains(log, "Address already in use") {
				return errAddrInUse
			}
			return fmt.Errorf("dovecot exited at start: %s\n%s", cmd.ProcessState, stderr.String())
		default:
		}
		if greets(s.addr, !s.noTLS) {
			s.cmd, s.done = cmd, done
			return nil
		}
		// A process that cannot start is restarted forever by the master.
		if time.Now().After(deadline) || strings.Contains(s.Log(), "Fatal:") {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return fmt.Errorf("dovecot did not greet on %s", s.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// greets reports whether an IMAP server answers on addr: the TLS handshake
// (implicitTLS) and the greeting, not just an open socket (the master binds
// before its login processes run).
func greets(addr string, implicitTLS bool) bool {
	dialer := &net.Dialer{Timeout: time.Second}
	var conn net.Conn
	var err error
	if implicitTLS {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4)
	_, err = conn.Read(buf)
	return err == nil && string(buf) == "* OK"
}

// Stop stops Dovecot and every process it started. Cleanup calls it; a
// test calls it to see an unreachable server.
func (s *Server) Stop() {
	s.stopped.Do(func() {
		if s.cmd == nil {
			return
		}
		// SIGKILL to the whole group: a clean shutdown (SIGTERM) costs
		// Dovecot a second, and nothing of this server is kept.
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	})
}

// Addr is host:port of the imaps listener (the plain one with
// Options.NoTLS).
func (s *Server) Addr() string { return s.addr }

// URL is the source URL the exporter reads: imaps://127.0.0.1:port
// (imap:// with Options.NoTLS).
func (s *Server) URL() string {
	if s.noTLS {
		return "imap://" + s.addr
	}
	return "imaps://" + s.addr
}

// STARTTLSURL is imap://127.0.0.1:port of the STARTTLS listener; empty
// without Options.STARTTLS.
func (s *Server) STARTTLSURL() string {
	if s.tlsAddr == "" {
		return ""
	}
	return "imap://" + s.tlsAddr
}

// CAPEM is the PEM of the certificate that signs the server's: what a
// client puts in tls_config.ca.
func (s *Server) CAPEM() []byte { return bytes.Clone(s.caPEM) }

// Log is Dovecot's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "dovecot.log"))
	return string(b)
}

// TLSConfig trusts the server's certificate, as a client configured with
// CAPEM does.
func (s *Server) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.caPEM)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// Dial logs in as user: a client for what the helpers below do not cover.
// The caller logs out.
func (s *Server) Dial(tb testing.TB, user string) *client.Client {
	tb.Helper()
	pw, ok := s.users[user]
	if !ok {
		tb.Fatalf("dovecot: no user %q", user)
	}
	var c *client.Client
	var err error
	if s.noTLS {
		c, err = client.Dial(s.addr)
	} else {
		c, err = client.DialTLS(s.addr, s.TLSConfig())
	}
	if err != nil {
		tb.Fatalf("dovecot: dial: %v", err)
	}
	c.Timeout = 30 * time.Second
	if err := c.Login(user, pw); err != nil {
		c.Logout()
		tb.Fatalf("dovecot: login %s: %v", user, err)
	}
	return c
}

// CreateFolder creates a folder of user's.
func (s *Server) CreateFolder(tb testing.TB, user, folder string) {
	tb.Helper()
	c := s.Dial(tb, user)
	defer c.Logout()
	if err := c.Create(folder); err != nil {
		tb.Fatalf("dovecot: CREATE %s: %v", folder, err)
	}
}

// Append stores one message in user's folder over IMAP APPEND.
func (s *Server) Append(tb testing.TB, user, folder string, msg []byte, flags []string, internalDate time.Time) {
	tb.Helper()
	s.AppendAll(tb, user, folder, Message{Raw: msg, Flags: flags, Date: internalDate})
}

// AppendAll stores messages in order in user's folder, over one connection.
func (s *Server) AppendAll(tb testing.TB, user, folder string, msgs ...Message) {
	tb.Helper()
	c := s.Dial(tb, user)
	defer c.Logout()
	for i, m := range msgs {
		if err := c.Append(folder, m.Flags, m.Date, bytes.NewBuffer(m.Raw)); err != nil {
			tb.Fatalf("dovecot: APPEND %s (message %d): %v", folder, i, err)
		}
	}
}

// Status is the folder's STATUS: UIDVALIDITY, UIDNEXT, MESSAGES.
func (s *Server) Status(tb testing.TB, user, folder string) *imap.MailboxStatus {
	tb.Helper()
	c := s.Dial(tb, user)
	defer c.Logout()
	st, err := c.Status(folder, []imap.StatusItem{imap.StatusUidValidity, imap.StatusUidNext, imap.StatusMessages})
	if err != nil {
		tb.Fatalf("dovecot: STATUS %s: %v", folder, err)
	}
	return st
}

// Maildir is the directory of user's folder (maildir++: INBOX is the root,
// any other folder F is .F; a hierarchy separator is '.').
func (s *Server) Maildir(user, folder string) string {
	root := filepath.Join(s.home(user), "Maildir")
	if strings.EqualFold(folder, "INBOX") {
		return root
	}
	return filepath.Join(root, "."+folder)
}

// Commands are the commands user's sessions sent after logging in, in
// order, as Dovecot's rawlog recorded them: "STATUS", "UID FETCH",
// "LOGOUT"... (the login itself is handled before the session and not
// recorded; none with Options.NoRawLog). A test counts what a client really asked, not what the client
// says it asked.
func (s *Server) Commands(tb testing.TB, user string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(s.dir, "rawlog", user, "*.in"))
	if err != nil {
		tb.Fatal(err)
	}
	// Names are <time>-<pid>.in: sorting them sorts the sessions.
	slices.Sort(files)
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		literal := 0 // bytes of a literal still to skip
		for line := range strings.Lines(string(b)) {
			// Each line starts with the time it was read and a space.
			_, line, _ = strings.Cut(line, " ")
			if literal > 0 {
				literal -= len(line)
				continue
			}
			literal = literalSize(line)
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			cmd := strings.ToUpper(fields[1])
			if cmd == "UID" && len(fields) > 2 {
				cmd += " " + strings.ToUpper(fields[2])
			}
			out = append(out, cmd)
		}
	}
	return out
}

// literalSize is the size of the literal a command line announces at its
// end ({N} or {N+}), 0 when none.
func literalSize(line string) int {
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasSuffix(line, "}") {
		return 0
	}
	open := strings.LastIndexByte(line, '{')
	if open < 0 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(line[open+1:len(line)-1], "+"))
	if err != nil {
		return 0
	}
	return n
}

// ResetCommands forgets the commands recorded so far.
func (s *Server) ResetCommands(tb testing.TB, user string) {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "rawlog", user, "*"))
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			tb.Fatal(err)
		}
	}
}

// ChangeUIDValidity gives user's folder a new UIDVALIDITY, keeping its
// messages: what a server does after its index is lost or a mailbox is
// restored, and what obliges a client to read the folder again. It removes
// Dovecot's UID list and indexes, so the next session renumbers the
// messages from UID 1 under a new UIDVALIDITY (Dovecot takes it from its
// per-user dovecot-uidvalidity counter, never a value given before). No
// session of user may be open. It returns the new UIDVALIDITY, and fails
// the test when it did not change.
func (s *Server) ChangeUIDValidity(tb testing.TB, user, folder string) uint32 {
	tb.Helper()
	before := s.Status(tb, user, folder).UidValidity
	dir := s.Maildir(user, folder)
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); name == "dovecot-uidlist" || strings.HasPrefix(name, "dovecot.index") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// The mailbox list index caches each folder's UIDVALIDITY for STATUS.
	root := s.Maildir(user, "INBOX")
	entries, err = os.ReadDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "dovecot.list.index") {
			if err := os.Remove(filepath.Join(root, e.Name())); err != nil {
				tb.Fatal(err)
			}
		}
	}
	after := s.Status(tb, user, folder).UidValidity
	if after == before {
		tb.Fatalf("dovecot: UIDVALIDITY of %s stayed %d", folder, before)
	}
	return after
}

// WriteMaildir stores messages in user's folder by writing maildir files
// directly, without Dovecot: much faster than APPEND for the large
// mailboxes of benchmarks. Dovecot gives them UIDs in the order written
// (file-name order) when it next reads the folder, and takes INTERNALDATE
// from each file's mtime. Not safe for concurrent use.
// The folder is created on disk if missing (and subscribed to nothing).
func (s *Server) WriteMaildir(tb testing.TB, user, folder string, msgs []Message) {
	tb.Helper()
	dir := s.Maildir(user, folder)
	for _, sub := range []string{s.home(user), s.Maildir(user, "INBOX"), dir, dir + "/cur", dir + "/new", dir + "/tmp"} {
		if err := os.MkdirAll(sub, 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := s.chown(sub); err != nil {
			tb.Fatal(err)
		}
	}
	if !strings.EqualFold(folder, "INBOX") {
		// maildir++ marks a folder with an empty maildirfolder file.
		mf := filepath.Join(dir, "maildirfolder")
		if err := os.WriteFile(mf, nil, 0o600); err != nil {
			tb.Fatal(err)
		}
		if err := s.chown(mf); err != nil {
			tb.Fatal(err)
		}
	}
	for _, m := range msgs {
		// A unique name (time.M<sequence>P<pid>.host) that sorts in the
		// order written, with the info part ":2,<flags>" of a message a
		// client has seen (cur/). The time is the server's start for
		// every file, so the sequence alone orders them.
		s.written++
		name := fmt.Sprintf("%d.M%010dP%d.dovecot-test:2,%s", s.started, s.written, os.Getpid(), maildirFlags(m.Flags))
		path := filepath.Join(dir, "cur", name)
		if err := os.WriteFile(path, m.Raw, 0o600); err != nil {
			tb.Fatal(err)
		}
		if err := s.chown(path); err != nil {
			tb.Fatal(err)
		}
		if !m.Date.IsZero() {
			if err := os.Chtimes(path, m.Date, m.Date); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// maildirFlags spells IMAP system flags as maildir's info letters, in the
// ASCII order the maildir format asks for.
func maildirFlags(flags []string) string {
	letters := map[string]byte{imap.DraftFlag: 'D', imap.FlaggedFlag: 'F', imap.AnsweredFlag: 'R', imap.SeenFlag: 'S', imap.DeletedFlag: 'T'}
	var out []byte
	for _, l := range "DFRST" {
		for _, f := range flags {
			if letters[f] == byte(l) {
				out = append(out, byte(l))
				break
			}
		}
	}
	return string(out)
}

// chown gives path to the mail user (a no-op unless running as root).
func (s *Server) chown(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	return os.Chown(path, s.mailUID, s.mailGID)
}

// selfSigned is an ECDSA certificate for 127.0.0.1 and localhost that is
// its own CA: clients trust its PEM as tls_config.ca.
func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "dovecot test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// freePort is a loopback port free when probed.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

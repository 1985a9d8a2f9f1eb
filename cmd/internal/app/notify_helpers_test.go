package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/buurtbrug/buurtbrug/cmd/internal/mailer"
)

// Helpers of the notify_*_test.go files: a real SMTP server (go-smtp) that
// the server under test sends its mails to.

// receivedMail is one mail the test server accepted, decoded.
type receivedMail struct {
	From, To, Subject, MessageID, Body string
	Raw                                string
	TLS                                bool   // it came over STARTTLS
	User                               string // who authenticated, if anyone
}

// testSMTP is an SMTP server on a loopback port that can go down and come
// back on the same address.
type testSMTP struct {
	t    testing.TB
	addr string

	mu     sync.Mutex
	srv    *smtp.Server
	ln     net.Listener
	mails  []receivedMail
	got    chan struct{}
	reject string        // a reply code for RCPT ("450", "550"); "" accepts
	hold   chan struct{} // when set, DATA waits for it before answering
	// With tls the server offers STARTTLS; with user it demands AUTH PLAIN
	// as user with password.
	tls            *tls.Config
	user, password string
}

func startSMTP(t testing.TB) *testSMTP { return startSMTPWith(t, &testSMTP{}) }

// startSMTPWith starts s (its TLS and login settings) on a free port.
func startSMTPWith(t testing.TB, s *testSMTP) *testSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.t, s.addr, s.got = t, ln.Addr().String(), make(chan struct{}, 100)
	s.serve(ln)
	t.Cleanup(s.down)
	return s
}

func (s *testSMTP) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = s.tls
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

// down stops the server: connections to its address are refused.
func (s *testSMTP) down() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		ln.Close() // Serve may not have taken it over yet
		srv.Close()
	}
}

// up starts the server again on its address.
func (s *testSMTP) up() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("smtp up again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// config is the server's address as the app is configured with it.
func (s *testSMTP) config() *mailer.Config {
	return &mailer.Config{Addr: s.addr, From: "buurtbrug@test.example", Timeout: 5 * time.Second}
}

// received returns a copy of the mails so far.
func (s *testSMTP) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail{}, s.mails...)
}

// waitFor waits until n mails have arrived and returns them.
func (s *testSMTP) waitFor(n int, timeout time.Duration) []receivedMail {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if got := s.received(); len(got) >= n {
			return got
		}
		select {
		case <-s.got:
		case <-deadline:
			s.t.Fatalf("waited %s for %d mails, got %d: %v", timeout, n, len(s.received()), subjects(s.received()))
		}
	}
}

func subjects(mails []receivedMail) []string {
	out := make([]string, 0, len(mails))
	for _, m := range mails {
		out = append(out, m.To+": "+m.Subject)
	}
	return out
}

type smtpSession struct {
	srv      *testSMTP
	conn     *smtp.Conn
	from, to string
	user     string
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.from = from
	return nil
}

// AuthMechanisms and Auth make the session an smtp.AuthSession: PLAIN,
// offered by go-smtp over TLS only.
func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.user || password != s.srv.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	reject := s.srv.reject
	s.srv.mu.Unlock()
	switch reject {
	case "450":
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy, try later"}
	case "550":
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = to
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	hold := s.srv.hold
	s.srv.mu.Unlock()
	if hold != nil {
		<-hold // the message is in; the answer waits
		return &smtp.SMTPError{Code: 421, Message: "closing"}
	}
	m := decodeMail(s.srv.t, raw)
	m.From, m.To, m.User = s.from, s.to, s.user
	_, m.TLS = s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, m)
	s.srv.mu.Unlock()
	select {
	case s.srv.got <- struct{}{}:
	default: // waitFor looks at the mails anyway
	}
	return nil
}

// decodeMail reads the headers and the decoded text body of a message.
func decodeMail(t testing.TB, raw []byte) receivedMail {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("the server sent an unreadable message: %v\n%s", err, raw)
		return receivedMail{Raw: string(raw)}
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	text, _ := io.ReadAll(body)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Errorf("subject %q: %v", msg.Header.Get("Subject"), err)
	}
	return receivedMail{Subject: subject, MessageID: msg.Header.Get("Message-Id"),
		Body: strings.ReplaceAll(string(text), "\r\n", "\n"), Raw: string(raw)}
}

// newNotifyEnv is newTestEnv with notifications configured.
func newNotifyEnv(t *testing.T, n NotifyConfig) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	env.notify = n
	env.restart()
	return env
}

// runJobs runs the escalations and digests once, as the server's job does.
func (e *testEnv) runJobs() {
	e.t.Helper()
	if err := e.app.RunJobs(context.Background()); err != nil {
		e.t.Fatalf("jobs: %v", err)
	}
}

// sendMail runs the mail worker once and answers how many mails it sent.
func (e *testEnv) sendMail() int {
	e.t.Helper()
	n, err := e.app.SendMail(context.Background())
	if err != nil {
		e.t.Fatalf("send mail: %v", err)
	}
	return n
}

// outboxStates counts the outbox's mails by state.
func (e *testEnv) outboxStates() map[string]int {
	e.t.Helper()
	rows, err := e.app.DB.Read.Query(`SELECT state, COUNT(*) FROM mail_outbox GROUP BY state`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			e.t.Fatal(err)
		}
		out[state] = n
	}
	return out
}

// unread reads GET /api/v1/me's unread counts of a client.
func (c *client) unread() map[string]float64 {
	c.env.t.Helper()
	res := c.do("GET", "/api/v1/me", nil)
	if res.status != 200 {
		c.env.t.Fatalf("me: %s", res)
	}
	out := map[string]float64{}
	for k, v := range res.json()["unread"].(map[string]any) {
		out[k] = v.(float64)
	}
	return out
}

// Package mailer hands the notification mails of the outbox to an SMTP
// server (github.com/wneessen/go-mail), with STARTTLS whenever the server
// offers it. What to send, when to retry and what a failure means for a
// mail are decided in cases (MailDelivery); this package only speaks SMTP
// and says which kind of failure happened.
package mailer

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Config is how to reach the SMTP server.
type Config struct {
	Addr     string // host:port
	From     string // the sender address of every mail
	User     string // empty: no authentication
	Password string
	// Timeout bounds each connection and command (default 30 s).
	Timeout time.Duration
	// RootCAs verify the server's certificate for STARTTLS; nil: the
	// system's.
	RootCAs *x509.CertPool
}

// SMTP sends mails through one SMTP server, a connection per mail.
type SMTP struct {
	cfg  Config
	host string
	port int
}

var _ cases.MailSender = (*SMTP)(nil)

// New checks the configuration.
func New(cfg Config) (*SMTP, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--smtp-addr %q: want host:port: %w", cfg.Addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("--smtp-addr %q: bad port", cfg.Addr)
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("--smtp-from %q: want an e-mail address: %w", cfg.From, err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg, host: host, port: n}, nil
}

// Send delivers m, or says why not: a *cases.MailError whose Permanent
// marks a 5xx refusal before the server took the message, and whose
// Uncertain marks a message sent in full without an answer (the server may
// have accepted it). Any other failure (the server cannot be reached,
// refuses for now) is temporary.
func (s *SMTP) Send(ctx context.Context, m cases.OutgoingMail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return &cases.MailError{Permanent: true, Err: err}
	}
	if err := msg.To(m.To); err != nil {
		return &cases.MailError{Permanent: true, Err: err}
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	msg.SetDate()
	// The same mail always has the same Message-ID, so a receiving system
	// can recognise it should it ever arrive twice.
	msg.SetMessageIDWithValue(messageID(m, s.cfg.From))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.cfg.Timeout), mail.WithTLSPolicy(mail.TLSOpportunistic),
		mail.WithTLSConfig(&tls.Config{ServerName: s.host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12})}
	if s.cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.cfg.User),
			mail.WithPassword(s.cfg.Password))
	}
	client, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return &cases.MailError{Permanent: true, Err: err}
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		return nil // accepted; a failed QUIT afterwards does not matter
	}
	return classify(err)
}

// classify tells what a failed send means for the mail.
func classify(err error) error {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return err // no connection, TLS or authentication: try again later
	}
	code := se.ErrorCode()
	switch {
	case se.Reason == mail.ErrSMTPDataClose && code == 0:
		// The message went out in full and no reply came back.
		return &cases.MailError{Uncertain: true, Err: err}
	case code >= 500:
		return &cases.MailError{Permanent: true, Err: err}
	}
	return err
}

// messageID is the Message-ID of an outbox mail: the same for every attempt.
func messageID(m cases.OutgoingMail, from string) string {
	sum := sha256.Sum256([]byte(m.Event + "\x00" + strconv.FormatInt(m.UserID, 10)))
	domain := "buurtbrug.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	return "buurtbrug." + strconv.FormatInt(m.ID, 10) + "." + hex.EncodeToString(sum[:8]) + "@" + domain
}

package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

// residentSecrets are what a handover from dockResident carries of the
// resident; none of it may ever be in a mail.
var residentSecrets = []string{"Amina", "06-12345678", "1984-06-02", "PRIVATE-SENDER-NOTE",
	"betalingsachterstand", "Weggeefbus. Heeft drie kinderen", "post blijft liggen", "Geholpen met de aanvraag"}

// checkPrivate fails for every mail that holds a resident's detail.
func checkPrivate(t *testing.T, mails []receivedMail, more ...string) {
	t.Helper()
	for _, m := range mails {
		for _, secret := range append(slices.Clone(residentSecrets), more...) {
			if strings.Contains(m.Raw, secret) || strings.Contains(m.Body, secret) || strings.Contains(m.Subject, secret) {
				t.Errorf("the mail to %s (%q) holds %q", m.To, m.Subject, secret)
			}
		}
	}
}

// setMailPreference sets a user's mail preference on the account page.
func (e *testEnv) setMailPreference(username, pref string) {
	e.t.Helper()
	c := e.pageLogin(username)
	res := c.postForm("/account", url.Values{"csrf_token": {c.pageToken()}, "email": {demo.Email(username)},
		"mail_preference": {pref}})
	if res.status != http.StatusSeeOther {
		e.t.Fatalf("account of %s: %s", username, res)
	}
}

// The DOCK → HOOP handover, through the real server against a real SMTP
// server: exactly the expected mails go to the expected addresses, each
// once, none with anything of the resident.
func TestNotifyMailLoop(t *testing.T) {
	mails := startSMTP(t)
	env := newNotifyEnv(t, NotifyConfig{SMTP: mails.config(), PublicURL: "https://buurtbrug.test",
		MailEvery: 50 * time.Millisecond})
	env.app.Start()
	env.setMailPreference("hoop.coord", "immediate") // coordinators get a digest by default
	dock, hoop, coord := env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	surname := "Bouzid-" + t.Name()[:4]

	id := dock.send(handoverBody(dock.dockResident(surname), "al-amal"))["id"].(string)
	got := mails.waitFor(1, 10*time.Second)
	coord.getHandover(id)
	coord.move(id, "accept", map[string]any{"assignee": "hoop.worker"})
	hoop.move(id, "contacted", map[string]any{"how": "drop-in"})
	hoop.move(id, "complete", map[string]any{"outcome": "informatie-gegeven", "note": "Geholpen met de aanvraag."})
	got = mails.waitFor(5, 10*time.Second)
	// Nothing more comes: every mail of the outbox is sent, and five were.
	deadline := time.Now().Add(5 * time.Second)
	for env.outboxStates()["sent"] < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if states := env.outboxStates(); states["sent"] != 5 || len(states) != 1 {
		t.Errorf("outbox: %v, want 5 sent", states)
	}
	if got = mails.received(); len(got) != 5 {
		t.Fatalf("the SMTP server got %d mails, want 5: %v", len(got), subjects(got))
	}

	want := []string{
		demo.Email("hoop.coord") + ": Buurtbrug: Nieuwe overdracht van DOCK voor Al Amal",
		demo.Email("dock.worker") + ": Buurtbrug: Al Amal heeft je overdracht geaccepteerd",
		demo.Email("hoop.worker") + ": Buurtbrug: Overdracht van DOCK is aan jou toegewezen",
		demo.Email("dock.worker") + ": Buurtbrug: Al Amal heeft contact gelegd bij je overdracht",
		demo.Email("dock.worker") + ": Buurtbrug: Al Amal heeft je overdracht afgerond",
	}
	have := subjects(got)
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(have, want) {
		t.Errorf("mails:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
	ids := map[string]bool{}
	for _, m := range got {
		if m.From != "buurtbrug@test.example" {
			t.Errorf("mail from %q", m.From)
		}
		if !strings.Contains(m.Body, "https://buurtbrug.test/handovers/"+id) {
			t.Errorf("the mail %q has no link to the handover:\n%s", m.Subject, m.Body)
		}
		if !strings.Contains(m.Body, "https://buurtbrug.test/account") {
			t.Errorf("the mail %q does not say where to change mail settings", m.Subject)
		}
		if ids[m.MessageID] || m.MessageID == "" {
			t.Errorf("Message-ID %q missing or twice", m.MessageID)
		}
		ids[m.MessageID] = true
	}
	checkPrivate(t, got, surname)
}

// A coordinator's daily digest: at 07:30 on the next working day, with
// what still waits unread from before then, once.
func TestNotifyDigest(t *testing.T) {
	mails := startSMTP(t)
	env := newNotifyEnv(t, NotifyConfig{SMTP: mails.config()})
	// Friday 14 March 2025, 11:00 in Amsterdam: after the day's digest time.
	env.clock.Set(time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC))
	dock, coord := env.login("dock.worker"), env.login("hoop.coord")
	first := dock.send(handoverBody(dock.dockResident("Digest-een"), "al-amal"))["id"].(string)
	second := dock.send(handoverBody(dock.dockResident("Digest-twee"), "al-amal"))["id"].(string)
	third := dock.send(handoverBody(dock.dockResident("Digest-drie"), "al-amal"))["id"].(string)
	coord.getHandover(third) // read before the digest: not in it
	env.runJobs()
	if n := env.sendMail(); n != 0 {
		t.Fatalf("a digest went out on the day itself (%d mails)", n)
	}
	for _, at := range []time.Time{
		time.Date(2025, 3, 15, 9, 0, 0, 0, time.UTC),  // Saturday: no digests
		time.Date(2025, 3, 17, 6, 29, 0, 0, time.UTC), // Monday 07:29 in Amsterdam
	} {
		env.clock.Set(at)
		env.runJobs()
		if n := env.sendMail(); n != 0 {
			t.Fatalf("%s: %d mails, want none before 07:30 on a working day", at, n)
		}
	}
	env.clock.Set(time.Date(2025, 3, 17, 6, 31, 0, 0, time.UTC)) // Monday 07:31
	env.runJobs()
	env.runJobs() // a second run writes no second digest
	if n := env.sendMail(); n != 1 {
		t.Fatalf("Monday 07:31: %d mails, want the one digest", n)
	}
	got := mails.received()
	m := got[0]
	if m.To != demo.Email("hoop.coord") || m.Subject != "Buurtbrug: 2 meldingen voor jou" {
		t.Errorf("digest: %s %q", m.To, m.Subject)
	}
	for _, id := range []string{first, second} {
		if !strings.Contains(m.Body, "/handovers/"+id) {
			t.Errorf("the digest lacks handover %s:\n%s", id, m.Body)
		}
	}
	if strings.Contains(m.Body, third) {
		t.Error("the digest holds a handover the coordinator had opened")
	}
	checkPrivate(t, got, "Digest-een", "Digest-twee")
	env.clock.Set(time.Date(2025, 3, 18, 6, 31, 0, 0, time.UTC))
	env.runJobs()
	if n := env.sendMail(); n != 0 {
		t.Errorf("Tuesday: %d mails, want none (nothing new)", n)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp.test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// With a server that offers STARTTLS and demands a login, the mail goes
// over TLS, logged in with --smtp-user and BUURTBRUG_SMTP_PASSWORD; a wrong
// password sends nothing and the mail waits.
func TestNotifyMailSTARTTLSAndLogin(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	mails := startSMTPWith(t, &testSMTP{tls: serverTLS, user: "buurtbrug", password: "smtp-geheim"})
	cfg := mails.config()
	cfg.RootCAs, cfg.User, cfg.Password = roots, "buurtbrug", "fout"
	env := newNotifyEnv(t, NotifyConfig{SMTP: cfg})
	env.setMailPreference("hoop.coord", "immediate")
	dock := env.login("dock.worker")
	dock.send(handoverBody(dock.dockResident("Versleuteld"), "al-amal"))
	if n := env.sendMail(); n != 0 || len(mails.received()) != 0 {
		t.Fatalf("sent with a wrong password: %d", n)
	}
	if s := env.outboxStates(); s[cases.MailPending] != 1 {
		t.Errorf("after a refused login: %v", s)
	}
	cfg.Password = "smtp-geheim"
	env.notify.SMTP = cfg
	env.restart()
	env.clock.Advance(time.Hour)
	if n := env.sendMail(); n != 1 {
		t.Fatalf("sent %d", n)
	}
	m := mails.received()[0]
	if !m.TLS || m.User != "buurtbrug" {
		t.Errorf("the mail came with TLS %v, as %q", m.TLS, m.User)
	}
}

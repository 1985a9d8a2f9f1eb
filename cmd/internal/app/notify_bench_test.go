package app

// Benchmarks of the notifications (issue 12):
//
//	go test ./cmd/internal/app -run '^$' -bench 'Notify' -benchmem
//
// what a handover costs with its notices and mails, the escalation job
// over an organisation's 10,000 handovers, and the mail worker's rate
// against an SMTP server on loopback.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// withNotify reopens a benchmark's instance with notifications configured.
func (e *benchEnv) withNotify(b *testing.B, n NotifyConfig) {
	b.Helper()
	e.app.Close()
	a, err := Open(context.Background(), Config{DBPath: e.dbPath, Secret: testSecret, Notify: n})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	e.app = a
}

// BenchmarkNotifySendHandover posts handovers to the handler: in the app
// only, and with the coordinator's mail written to the outbox in the same
// transaction.
func BenchmarkNotifySendHandover(b *testing.B) {
	for _, mail := range []bool{false, true} {
		b.Run(fmt.Sprintf("mail=%v", mail), func(b *testing.B) {
			e := newBenchEnv(b, "dock.worker", "hoop.coord", "hoop.worker")
			e.withNotify(b, NotifyConfig{ShowMail: mail})
			if _, err := e.app.DB.Write.Exec(`UPDATE users SET mail_pref = 'immediate'`); err != nil {
				b.Fatal(err)
			}
			sess := e.login(b, "dock.worker")
			resident := e.createResident(b, sess.user, "Bakker")
			body := []byte(`{"resident_id":"` + resident + `","to":"al-amal","topics":["schulden"],"question":"Hulp bij post.",` +
				`"urgency":"normal","consent":{"given":true,"how":"verbal","scope":["name"]}}`)
			b.ReportAllocs()
			cpu := benchCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.app.Handler.ServeHTTP(rec, sess.contactRequest("/api/v1/handovers", body))
				if rec.Code != http.StatusCreated {
					b.Fatalf("send: %d %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/handover")
			b.ReportMetric(float64((benchCPU()-cpu).Microseconds())/float64(b.N)/1000, "cpu-ms/handover")
		})
	}
}

// BenchmarkNotifyEscalate runs the minute job over 10,000 handovers: the
// first pass decides every escalation the open ones have reached, the
// steady pass (each minute after) finds nothing new and writes nothing.
func BenchmarkNotifyEscalate(b *testing.B) {
	e := newBenchEnv(b, "hoop.worker", "hoop.coord", "dock.worker", "buurtteam.worker", "bhb.worker")
	seedHandovers(b, e, 10000)
	ctx := context.Background()
	start := time.Now()
	n, err := e.app.Notify.Escalate(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first pass: %d escalations in %s", n, time.Since(start).Round(time.Millisecond))
	cpu := benchCPU()
	for b.Loop() {
		if n, err := e.app.Notify.Escalate(ctx); err != nil || n != 0 {
			b.Fatalf("steady pass: %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/pass")
	b.ReportMetric(float64((benchCPU()-cpu).Microseconds())/float64(b.N)/1000, "cpu-ms/pass")
}

// BenchmarkNotifyMailWorker sends the outbox to a real SMTP server on
// loopback, a connection per mail.
func BenchmarkNotifyMailWorker(b *testing.B) {
	mails := startSMTP(b)
	e := newBenchEnv(b, "hoop.coord")
	e.withNotify(b, NotifyConfig{SMTP: mails.config()})
	var user int64
	if err := e.app.DB.Read.QueryRow(`SELECT id FROM users WHERE username = 'hoop.coord'`).Scan(&user); err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("Een regel tekst van een melding.\n", 12)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := e.app.DB.Write.Exec(`INSERT INTO mail_outbox (event, user_id, to_address, subject, body, created_at,
			next_attempt_at) VALUES (?, ?, 'hoop.coord@test.example', 'Buurtbrug: test', ?, '2000-01-01T00:00:00.000Z',
			'2000-01-01T00:00:00.000Z')`, fmt.Sprintf("bench:%d", i), user, body); err != nil {
			b.Fatal(err)
		}
		if n, err := e.app.SendMail(context.Background()); err != nil || n != 1 {
			b.Fatalf("sent %d: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

// BenchmarkNotifyPartners reads the directory with its measured medians
// over 10,000 handovers, as the partner guide does: the medians are
// remembered for ten minutes, so this is the read of most requests; the
// first of each ten minutes also reads the year's handovers (its time is
// logged).
func BenchmarkNotifyPartners(b *testing.B) {
	e := newBenchEnv(b, "hoop.worker", "hoop.coord", "dock.worker", "buurtteam.worker", "bhb.worker")
	seedHandovers(b, e, 10000)
	ctx := context.Background()
	start := benchCPU()
	if _, err := e.app.Directory.Partners(ctx, cases.PartnerFilter{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("first read, measuring: %s CPU", (benchCPU() - start).Round(time.Millisecond))
	cpu := benchCPU()
	for b.Loop() {
		if _, err := e.app.Directory.Partners(ctx, cases.PartnerFilter{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/read")
	b.ReportMetric(float64((benchCPU()-cpu).Microseconds())/float64(b.N)/1000, "cpu-ms/read")
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/mailer"
)

// NotifyConfig is how notifications reach people.
type NotifyConfig struct {
	// SMTP is the mail server; nil runs the notifications in the app only.
	SMTP *mailer.Config
	// ShowMail writes mails to the outbox without a mail server, for the
	// administrators' outbox page (the demo).
	ShowMail bool
	// PublicURL starts the links in mails (default http://127.0.0.1:8080).
	PublicURL string
	// RedirectAfter: working days overdue before the sender is prompted to
	// redirect (0: cases.DefaultRedirectAfter).
	RedirectAfter int
	// JobEvery is how often App.Start runs the escalations and digests
	// (default a minute); MailEvery how often its mail worker looks at the
	// outbox besides after every commit that queued mail (default 15 s).
	JobEvery  time.Duration
	MailEvery time.Duration
	// MailBackoff replaces the first retry's wait (tests).
	MailBackoff time.Duration
}

// background is the goroutines started by the wiring.
type background struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sender cases.MailSender
	log    *slog.Logger
	cfg    NotifyConfig
}

func (a *App) wireNotify(cfg Config) error {
	n := cfg.Notify
	a.Notify = cases.NewNotifyService(a.DB)
	a.Notify.Mail = n.SMTP != nil || n.ShowMail
	if n.PublicURL != "" {
		a.Notify.BaseURL = n.PublicURL
	}
	if n.RedirectAfter != 0 {
		a.Notify.RedirectAfter = n.RedirectAfter
	}
	a.Directory = cases.NewDirectoryService(a.DB)
	a.Mail = cases.NewMailDelivery(a.DB)
	if n.MailBackoff != 0 {
		a.Mail.Backoff = n.MailBackoff
	}
	a.background.cfg, a.background.log = n, cfg.Log
	if a.background.log == nil {
		a.background.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if n.SMTP != nil {
		s, err := mailer.New(*n.SMTP)
		if err != nil {
			return err
		}
		a.background.sender = s
	}
	return nil
}

// Start starts the background work: the escalation and digest job and,
// with a mail server, the mail worker; Close stops them. The binary starts
// it once the demo data (which sets the clock back) is in; tests that do
// not start it run the jobs themselves (RunJobs, SendMail).
func (a *App) Start() {
	n := a.background.cfg
	if a.background.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.background.cancel = cancel
	every := func(d, fallback time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return fallback
	}
	a.background.wg.Add(1)
	go a.loop(ctx, every(n.JobEvery, time.Minute), nil, func(ctx context.Context) error { return a.RunJobs(ctx) })
	if a.background.sender != nil {
		a.background.wg.Add(1)
		go a.loop(ctx, every(n.MailEvery, 15*time.Second), a.DB.MailQueued(), func(ctx context.Context) error {
			_, err := a.SendMail(ctx)
			return err
		})
	}
}

func (a *App) stopBackground() {
	if a.background.cancel != nil {
		a.background.cancel()
		a.background.wg.Wait()
		a.background.cancel = nil
	}
}

// loop runs fn at once, then every interval and whenever wake signals,
// until ctx ends.
func (a *App) loop(ctx context.Context, interval time.Duration, wake <-chan struct{}, fn func(context.Context) error) {
	defer a.background.wg.Done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			a.background.log.Error("background job", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-wake:
		}
	}
}

// RunJobs records the escalations due now and writes the digests when due.
func (a *App) RunJobs(ctx context.Context) error {
	if _, err := a.Notify.Escalate(ctx); err != nil {
		return fmt.Errorf("escalations: %w", err)
	}
	if _, err := a.Notify.SendDigests(ctx); err != nil {
		return fmt.Errorf("digests: %w", err)
	}
	return nil
}

// SendMail sends the mails that are due through the configured server and
// answers how many it accepted; without a server it sends nothing.
func (a *App) SendMail(ctx context.Context) (int, error) {
	if a.background.sender == nil {
		return 0, nil
	}
	return a.Mail.DeliverDue(ctx, a.background.sender)
}

// ImportPartners imports a partner directory in HSDS 3.0 JSON, as the
// operator. HSDS fields Buurtbrug does not keep (addresses, fees, ...) are
// ignored, so another publisher's export can be read too.
func (a *App) ImportPartners(ctx context.Context, data []byte) (cases.HSDSImported, error) {
	var page cases.HSDSPage
	if err := json.Unmarshal(data, &page); err != nil {
		return cases.HSDSImported{}, fmt.Errorf("not an HSDS 3.0 page of organizations: %w", err)
	}
	return a.Directory.ImportHSDS(ctx, cases.System, &page)
}

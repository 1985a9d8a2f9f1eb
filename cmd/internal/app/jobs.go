package app

import (
	"context"
	"sync"
	"time"
)

// StartJobs starts the server's background work and returns the function
// that stops it and waits for it: ending expired sessions and old login
// failures every few minutes; every hour (the first a minute after start),
// making ended consents reach their receivers and erasing the records whose
// retention period is over.
func (a *App) StartJobs(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	every := func(first, d time.Duration, name string, job func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := time.NewTimer(first)
			defer next.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-next.C:
					next.Reset(d)
					if err := job(ctx); err != nil && ctx.Err() == nil {
						a.log.Error(name, "err", err)
					}
				}
			}
		}()
	}
	every(5*time.Minute, 5*time.Minute, "sweeping sessions", a.Auth.Sweep)
	every(time.Minute, time.Hour, "privacy", a.PrivacyJobs)
	return func() {
		cancel()
		wg.Wait()
	}
}

// PrivacyJobs makes ended consents reach their receivers and erases the
// records whose retention period is over.
func (a *App) PrivacyJobs(ctx context.Context) error {
	applied, err := a.Privacy.ApplyEndedConsents(ctx)
	if err != nil {
		return err
	}
	erased, err := a.Privacy.ApplyRetention(ctx)
	if applied > 0 || len(erased) > 0 {
		a.log.Info("privacy", "consents_applied", applied, "records_erased", len(erased))
	}
	if err != nil {
		return err
	}
	// The chain's head in the log, which leaves the machine: lines cut off
	// the end of the audit later show against it (audit verify --since).
	head, err := a.DB.AuditHead(ctx)
	if err == nil && head.Line != 0 {
		a.log.Info("audit chain head", "since", head.Mark())
	}
	return err
}

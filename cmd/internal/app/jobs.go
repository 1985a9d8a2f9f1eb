package app

import (
	"context"
	"sync"
	"time"
)

// StartJobs starts the server's background work (ending expired sessions
// and old login failures every few minutes) and returns the function that
// stops it and waits for it.
func (a *App) StartJobs(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	every := func(d time.Duration, name string, job func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(d)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if err := job(ctx); err != nil && ctx.Err() == nil {
						a.log.Error(name, "err", err)
					}
				}
			}
		}()
	}
	every(5*time.Minute, "sweeping sessions", a.Auth.Sweep)
	return func() {
		cancel()
		wg.Wait()
	}
}

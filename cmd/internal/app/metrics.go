package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/buurtbrug/buurtbrug/handlers"
)

// metrics registers the metrics of storage, auth and reach on the server's
// registry and connects their hooks.
func (a *App) metrics(m *handlers.Metrics) {
	batches := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "buurtbrug_write_batch_size",
		Help: "Use cases committed together by the writer (group commit).", Buckets: []float64{1, 2, 4, 8, 16, 32}})
	logins := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "buurtbrug_logins_total",
		Help: "Logins by outcome: ok, failed, throttled, busy, error."}, []string{"outcome"})
	reach := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "buurtbrug_reach_cache_total",
		Help: "Protected reach figures served from the cache (hit) or computed (miss)."}, []string{"result"})
	m.Registry.MustRegister(batches, logins, reach,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "buurtbrug_write_queue_depth",
			Help: "Use cases waiting for the one writer."}, func() float64 { return float64(a.DB.QueueDepth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "buurtbrug_sessions",
			Help: "Sessions in the database (expired ones until the next sweep)."}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := a.DB.View(ctx).Sessions().CountSessions(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	a.DB.OnBatch = func(n int) { batches.Observe(float64(n)) }
	a.Auth.OnLogin = func(outcome string) { logins.WithLabelValues(outcome).Inc() }
	a.Reach.OnCache = func(hit bool) {
		if hit {
			reach.WithLabelValues("hit").Inc()
		} else {
			reach.WithLabelValues("miss").Inc()
		}
	}
}

package handlers

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics. The wiring registers the
// metrics of the other layers (write queue, logins, reach cache) on Registry.
type Metrics struct {
	Registry *prometheus.Registry
	// Token lets a scraper from elsewhere than loopback in (Authorization:
	// Bearer <token>); empty: loopback only.
	Token    string
	requests *prometheus.HistogramVec
}

// NewMetrics makes the registry with the Go runtime's and the process's
// metrics and the request latencies.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry(), requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "buurtbrug_http_request_duration_seconds",
		Help:    "HTTP requests by route, method and status, and how long they took.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method", "status"})}
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), m.requests)
	return m
}

// observe times each request under its route (never its path, which may
// name records).
func (m *Metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
}

// metrics serves GET /metrics to loopback, or to a scraper with the token.
// A request a proxy forwarded is not loopback, whatever its connection: a
// proxy on this machine would otherwise make every client local.
func (s *Server) metrics(c *gin.Context) {
	if s.Metrics == nil {
		s.noRoute(c)
		return
	}
	scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	byToken := s.Metrics.Token != "" && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(token), []byte(s.Metrics.Token)) == 1
	if !byToken && (!loopback(c.Request.RemoteAddr) || forwarded(c.Request)) {
		s.noRoute(c)
		return
	}
	promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}

// forwarded reports whether a proxy says it passed the request on.
func forwarded(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Host"} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

// loopback reports whether the connection comes from this machine (the
// connection's own address, never X-Forwarded-For).
func loopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

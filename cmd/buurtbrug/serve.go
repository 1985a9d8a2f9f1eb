package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage"
)

// serveFlags are the server's options.
type serveFlags struct {
	addr, db, secretFile, proxies, tlsCert, tlsKey, metricsToken string
	demo, secure, quiet                                          bool
	reachThreshold, reachRounding                                int
	sessionIdle                                                  time.Duration
	notify                                                       notifySettings
}

func parseServe(args []string, env *cli) (serveFlags, error) {
	var f serveFlags
	fs := flagSet("buurtbrug", env)
	fs.StringVar(&f.addr, "addr", envOr("BUURTBRUG_ADDR", "127.0.0.1:8080"), "luisteradres (BUURTBRUG_ADDR)")
	fs.StringVar(&f.db, "db", envOr("BUURTBRUG_DB", "buurtbrug.db"), dbUsage)
	fs.StringVar(&f.secretFile, "secret-file", envOr("BUURTBRUG_SECRET_FILE", ""),
		"bestand met het geheim van de pseudoniemen (BUURTBRUG_SECRET_FILE; standaard <db>.secret; of BUURTBRUG_SECRET)")
	fs.BoolVar(&f.demo, "demo", envOr("BUURTBRUG_DEMO", "") == "true", "laad demo-accounts en verzonnen gegevens in een nieuwe database (BUURTBRUG_DEMO=true)")
	fs.BoolVar(&f.secure, "secure-cookies", envOr("BUURTBRUG_SECURE_COOKIES", "") == "true",
		"cookies Secure achter een proxy die TLS afhandelt (BUURTBRUG_SECURE_COOKIES=true)")
	fs.StringVar(&f.proxies, "trusted-proxies", envOr("BUURTBRUG_TRUSTED_PROXIES", ""),
		"adressen/CIDR's van proxies wier X-Forwarded-For wordt geloofd, met komma's (BUURTBRUG_TRUSTED_PROXIES)")
	fs.StringVar(&f.tlsCert, "tls-cert", envOr("BUURTBRUG_TLS_CERT", ""), "certificaat (PEM) om zelf HTTPS te serveren (BUURTBRUG_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", envOr("BUURTBRUG_TLS_KEY", ""), "sleutel (PEM) bij --tls-cert (BUURTBRUG_TLS_KEY)")
	fs.StringVar(&f.metricsToken, "metrics-token", envOr("BUURTBRUG_METRICS_TOKEN", ""),
		"token voor /metrics van buiten deze machine (BUURTBRUG_METRICS_TOKEN; zonder: alleen van loopback)")
	fs.DurationVar(&f.sessionIdle, "session-idle", envDuration("BUURTBRUG_SESSION_IDLE", 30*time.Minute),
		"een ongebruikte sessie eindigt na zo lang (BUURTBRUG_SESSION_IDLE)")
	fs.BoolVar(&f.quiet, "quiet", false, "log niet elk verzoek")
	fs.IntVar(&f.reachThreshold, "reach-threshold", envInt("BUURTBRUG_REACH_THRESHOLD", 10),
		"kleinste gepubliceerde aantal in bereikcijfers, minstens 5 (BUURTBRUG_REACH_THRESHOLD)")
	fs.IntVar(&f.reachRounding, "reach-rounding", envInt("BUURTBRUG_REACH_ROUNDING", 5),
		"bereikcijfers worden afgerond op een veelvoud hiervan (BUURTBRUG_REACH_ROUNDING)")
	f.notify = notifyFlags(fs)
	if err := parse(fs, args); err != nil {
		return f, err
	}
	switch {
	case (f.tlsCert == "") != (f.tlsKey == ""):
		return f, usageError{"--tls-cert en --tls-key gaan samen"}
	case f.sessionIdle < time.Minute || f.sessionIdle > 12*time.Hour:
		return f, usageError{"--session-idle moet tussen 1m en 12h liggen"}
	}
	return f, nil
}

// softMemoryLimit asks the garbage collector to keep the heap near 96 MiB
// (unless GOMEMLIMIT says otherwise): every password check allocates 19 MiB
// that is garbage a moment later, and without a limit a burst of logins
// leaves the process twice its live size.
func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(96 << 20)
	}
}

// envDuration reads a duration from the environment; a bad one is passed on
// as 0, which the flag's check refuses.
func envDuration(key string, fallback time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return fallback
	}
	d, _ := time.ParseDuration(v)
	return d
}

// runServe starts the server. It takes the address before it opens the
// database, so a port in use leaves no new files behind, and it stops with
// a clear message on every start failure.
func runServe(args []string, env *cli) error {
	f, err := parseServe(args, env)
	if err != nil {
		return err
	}
	privateFiles()
	softMemoryLimit()
	var tlsConfig *tls.Config
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return fmt.Errorf("het certificaat of de sleutel kan niet worden gelezen: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("het adres %s is al in gebruik (draait Buurtbrug al?)", f.addr)
		}
		return fmt.Errorf("kan niet luisteren op %s: %w", f.addr, err)
	}
	defer ln.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Open(ctx, app.Config{DBPath: f.db, Secret: os.Getenv("BUURTBRUG_SECRET"), SecretFile: f.secretFile,
		SecureCookies: f.secure || tlsConfig != nil, TrustedProxies: splitList(f.proxies), LogRequests: !f.quiet, Log: env.log,
		ReachThreshold: f.reachThreshold, ReachRounding: f.reachRounding, SessionIdle: f.sessionIdle,
		MetricsToken: f.metricsToken, Notify: f.notify.config(f.demo, f.addr)})
	if err != nil {
		return err
	}
	defer a.Close()
	if f.demo {
		seeded, err := demo.Seed(ctx, demo.Services{Store: a.DB, Users: a.Users, Residents: a.Residents, Handovers: a.Handovers})
		if err != nil {
			return fmt.Errorf("demogegevens: %w", err)
		}
		if seeded {
			env.log.Info("demo data loaded")
		}
	}
	a.Start() // escalations, digests and the mail worker, once the demo's clock is back
	return serve(ctx, a, ln, tlsConfig, f, env)
}

func serve(ctx context.Context, a *app.App, ln net.Listener, tlsConfig *tls.Config, f serveFlags, env *cli) error {
	srv := &http.Server{
		Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10, TLSConfig: tlsConfig,
	}
	stopJobs := a.StartJobs(ctx)
	defer stopJobs()
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	fmt.Fprintf(env.stdout, "Buurtbrug is running at %s://%s/ (database %s)\n", scheme, ln.Addr(), storage.Describe(f.db))
	if f.demo {
		fmt.Fprintf(env.stdout, "Demo logins (password %q):\n", demo.Password)
		for _, u := range demo.Users {
			fmt.Fprintf(env.stdout, "  %-17s %-12s %s\n", u.Username, u.Role, u.Organisation)
		}
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	env.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

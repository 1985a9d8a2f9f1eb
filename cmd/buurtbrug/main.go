// Command buurtbrug serves Buurtbrug on its embedded SQLite database.
//
//	buurtbrug [--addr A] [--db PATH] [--demo]        serve (the default)
//	buurtbrug user add --username U --org O --roles worker [--programme P] [--name N]
//	buurtbrug user password --username U
//	buurtbrug gen --db city.db [--contacts N --persons N]   made-up city-scale reach data
//	buurtbrug partners import FILE | export             the partner directory as HSDS 3.0 JSON
//
// Passwords for the user commands are read from BUURTBRUG_PASSWORD or from
// standard input, never from a flag (flags show up in process lists).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "buurtbrug:", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	if len(args) > 0 && args[0] == "user" {
		return runUser(args[1:], log)
	}
	if len(args) > 0 && args[0] == "gen" {
		return runGen(args[1:], log)
	}
	if len(args) > 0 && args[0] == "partners" {
		return runPartners(args[1:], log)
	}
	fs := flag.NewFlagSet("buurtbrug", flag.ContinueOnError)
	addr := fs.String("addr", envOr("BUURTBRUG_ADDR", "127.0.0.1:8080"), "listen address (BUURTBRUG_ADDR)")
	dbPath := dbFlag(fs)
	demoData := fs.Bool("demo", envOr("BUURTBRUG_DEMO", "") == "true", "load demo logins and made-up data on first start (BUURTBRUG_DEMO=true)")
	secure := fs.Bool("secure-cookies", envOr("BUURTBRUG_SECURE_COOKIES", "") == "true",
		"mark cookies Secure behind a TLS-terminating proxy (BUURTBRUG_SECURE_COOKIES=true)")
	proxies := fs.String("trusted-proxies", envOr("BUURTBRUG_TRUSTED_PROXIES", ""),
		"comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is trusted (BUURTBRUG_TRUSTED_PROXIES)")
	quiet := fs.Bool("quiet", false, "do not log each request")
	reachThreshold := fs.Int("reach-threshold", envInt("BUURTBRUG_REACH_THRESHOLD", 10),
		"smallest count published in reach figures, at least 5 (BUURTBRUG_REACH_THRESHOLD)")
	reachRounding := fs.Int("reach-rounding", envInt("BUURTBRUG_REACH_ROUNDING", 5),
		"reach figures are rounded to a multiple of this (BUURTBRUG_REACH_ROUNDING)")
	notify := notifyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"),
		SecureCookies: *secure, TrustedProxies: splitList(*proxies), LogRequests: !*quiet, Log: log,
		ReachThreshold: *reachThreshold, ReachRounding: *reachRounding, Notify: notify.config(*demoData, *addr)})
	if err != nil {
		return err
	}
	defer a.Close()
	if *demoData {
		seeded, err := demo.Seed(ctx, demo.Services{Store: a.DB, Users: a.Users, Residents: a.Residents, Handovers: a.Handovers})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if seeded {
			log.Info("demo data loaded")
		}
	}
	a.Start() // escalations, digests and the mail worker, once the demo's clock is back
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10,
	}
	go sweepSessions(ctx, a, log)
	fmt.Printf("Buurtbrug is running at http://%s/ (database %s)\n", ln.Addr(), *dbPath)
	if *demoData {
		fmt.Printf("Demo logins (password %q):\n", demo.Password)
		for _, u := range demo.Users {
			fmt.Printf("  %-17s %-12s %s\n", u.Username, u.Role, u.Organisation)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepSessions removes expired sessions every few minutes.
func sweepSessions(ctx context.Context, a *app.App, log *slog.Logger) {
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := a.Auth.Sweep(ctx); err != nil && ctx.Err() == nil {
				log.Error("sweeping sessions", "err", err)
			}
		}
	}
}

func runUser(args []string, log *slog.Logger) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "password") {
		return errors.New("usage: buurtbrug user add|password --username U [...]")
	}
	fs := flag.NewFlagSet("buurtbrug user "+args[0], flag.ContinueOnError)
	dbPath := dbFlag(fs)
	username := fs.String("username", "", "login name")
	org := fs.String("org", "", "organisation slug (add)")
	roles := fs.String("roles", cases.RoleWorker, "comma-separated roles: worker, coordinator, programme, admin (add)")
	programme := fs.String("programme", "", "default programme slug (add)")
	name := fs.String("name", "", "display name (add; default the username)")
	email := fs.String("email", "", "work e-mail address, where notifications go (add; optional)")
	phone := fs.String("phone", "", "work phone (add; optional)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password, err := readPassword()
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), Log: log})
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "password" {
		if err := a.ResetPassword(ctx, *username, password); err != nil {
			return err
		}
		fmt.Printf("password of %s changed; their sessions have ended\n", *username)
		return nil
	}
	if *name == "" {
		*name = *username
	}
	u, err := a.CreateUser(ctx, cases.UserInput{Username: *username, DisplayName: *name, Organisation: *org,
		Programme: *programme, Roles: strings.Split(*roles, ","), Password: password, Email: *email, Phone: *phone})
	if err != nil {
		return err
	}
	fmt.Printf("user %s created in %s with roles %s\n", u.Username, u.OrganisationSlug, strings.Join(u.Roles, ","))
	return nil
}

func readPassword() (string, error) {
	if p := os.Getenv("BUURTBRUG_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprint(os.Stderr, "password (at least 12 characters): ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password given on standard input or in BUURTBRUG_PASSWORD")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("BUURTBRUG_DB", "buurtbrug.db"), "SQLite database file (BUURTBRUG_DB)")
}

// envInt reads an integer from the environment; a value that is not one is
// passed on as 0, which the flag's check refuses.
func envInt(key string, fallback int) int {
	v := os.Getenv(key)
	if v == "" {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

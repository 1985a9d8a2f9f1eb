// Package app wires Buurtbrug together: storage, auth, use cases and the
// HTTP handlers. The binaries and the end-to-end tests share it, so tests
// drive exactly what runs. It decides nothing.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cases/disclosure"
	"github.com/buurtbrug/buurtbrug/handlers"
	"github.com/buurtbrug/buurtbrug/storage"
)

// Config is what an instance needs.
type Config struct {
	// DBPath is the database: a SQLite file path or a postgres:// URL
	// (storage.Open tells them apart).
	DBPath string
	// Secret keys the person pseudonyms. Empty: read SecretFile, or, for a
	// database in a file, the file DBPath + ".secret", which a new database
	// creates (a deployment secret, never a constant in code). A database
	// on a server has no file beside it: its secret is given.
	Secret         string
	SecretFile     string
	SecureCookies  bool
	TrustedProxies []string
	LogRequests    bool
	Log            *slog.Logger
	// Now replaces the clock (tests).
	Now func() time.Time
	// Passwords replaces the password hashing (tests that make many
	// accounts); nil is argon2id, as many at once as there are processors.
	Passwords cases.Passwords
	// SessionIdle is how long an unused session lasts (0: 30 minutes).
	SessionIdle time.Duration
	// MetricsToken lets a scraper from elsewhere than loopback read /metrics.
	MetricsToken string
	// ReachThreshold and ReachRounding are the disclosure rules of reach
	// figures (0 and 0: the defaults, 10 and 5; the threshold is never
	// below 5).
	ReachThreshold, ReachRounding int
	// Notifications: see NotifyConfig (background.go).
	Notify NotifyConfig
}

// App is a wired instance.
type App struct {
	DB        *storage.DB
	Policy    *auth.Policy
	Auth      *auth.Service
	Reference *cases.ReferenceService
	Residents *cases.ResidentService
	Contacts  *cases.ContactService
	Users     *cases.UserService
	Handovers *cases.HandoverService
	Timeline  *cases.TimelineService
	Reach     *cases.ReachService
	Tokens    *cases.TokenService
	Privacy   *cases.PrivacyService
	Audit     *cases.AuditService
	Notify    *cases.NotifyService
	Directory *cases.DirectoryService
	Mail      *cases.MailDelivery
	Handler   http.Handler
	log       *slog.Logger

	background background
}

// Open opens the database (migrating it), checks that it can be written
// and that the secret is the one it was written with, and wires everything.
// When it fails on a database it created, it removes what it created.
func Open(ctx context.Context, cfg Config) (*App, error) {
	cleanup := func() {}
	if path, ok := storage.FilePath(cfg.DBPath); ok {
		_, statErr := os.Stat(path)
		if dir := filepath.Dir(path); errors.Is(statErr, fs.ErrNotExist) {
			if info, err := os.Stat(dir); err != nil || !info.IsDir() {
				return nil, fmt.Errorf("de map %s van de database bestaat niet", dir)
			}
		}
		cleanup = newFiles(path, path+"-wal", path+"-shm", secretPath(cfg))
	} else if cfg.Secret == "" && cfg.SecretFile == "" {
		return nil, fmt.Errorf("een database op een server (%s) heeft geen bestand naast zich voor het geheim: "+
			"geef het geheim met BUURTBRUG_SECRET of --secret-file", storage.Describe(cfg.DBPath))
	}
	db, err := storage.Open(ctx, cfg.DBPath)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("de database %s kan niet worden geopend: %w", storage.Describe(cfg.DBPath), err)
	}
	if cfg.Now != nil {
		db.Clock = cfg.Now
	}
	a := &App{DB: db, log: cfg.Log}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if err := a.start(ctx, cfg); err != nil {
		db.Close()
		cleanup()
		return nil, err
	}
	return a, nil
}

// newFiles notes which of paths do not exist yet and returns the function
// that removes those again: a start that fails leaves nothing new behind.
func newFiles(paths ...string) (remove func()) {
	var fresh []string
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			fresh = append(fresh, p)
		}
	}
	return func() {
		for _, p := range fresh {
			_ = os.Remove(p)
		}
	}
}

// start checks the database and wires the app on it.
func (a *App) start(ctx context.Context, cfg Config) error {
	if err := a.DB.CheckWritable(ctx); err != nil {
		return fmt.Errorf("de database %s kan niet worden beschreven (alleen-lezen, schijf vol of geen rechten): %w",
			storage.Describe(cfg.DBPath), err)
	}
	secret, generated, err := loadSecret(ctx, cfg, a.DB)
	if err != nil {
		return err
	}
	a.DB.SetAuditKey(cases.AuditKey(secret))
	switch err := cases.VerifySecret(ctx, a.DB, secret); cases.ErrorCode(err) {
	case "":
	case cases.ECONFLICT:
		return fmt.Errorf("het geheim past niet bij de database %s: deze database is met een ander geheim geschreven; "+
			"start met het geheim dat bij deze database hoort (%s)", storage.Describe(cfg.DBPath), secretSources(cfg))
	default:
		return err
	}
	if generated {
		if err := writeSecretFile(cfg, secret); err != nil {
			return err
		}
	}
	return a.wire(ctx, cfg, secret)
}

func (a *App) wire(ctx context.Context, cfg Config, secret []byte) error {
	var err error
	a.Reference = cases.NewReferenceService(a.DB)
	a.Residents = cases.NewResidentService(a.DB, secret)
	a.Contacts = cases.NewContactService(a.DB)
	passwords := cfg.Passwords
	if passwords == nil {
		// A login waits up to 2 s for a free slot, then hears "busy".
		passwords = auth.NewPasswords(runtime.GOMAXPROCS(0), 2*time.Second)
	}
	a.Users = cases.NewUserService(a.DB, passwords)
	if err := a.wireNotify(cfg); err != nil {
		return err
	}
	a.Handovers = cases.NewHandoverService(a.DB, a.Residents, a.Contacts, a.Notify)
	a.Timeline = cases.NewTimelineService(a.Residents, a.Contacts, a.Handovers)
	a.Reach = cases.NewReachService(a.DB)
	a.Tokens = cases.NewTokenService(a.DB)
	a.Privacy = cases.NewPrivacyService(a.DB)
	a.Audit = cases.NewAuditService(a.DB)
	if cfg.ReachThreshold != 0 || cfg.ReachRounding != 0 {
		a.Reach.Rules = disclosure.Rules{Threshold: cfg.ReachThreshold, RoundingBase: cfg.ReachRounding}
		if err := a.Reach.Rules.Validate(); err != nil {
			return err
		}
		a.Directory.Threshold = a.Reach.Rules.Threshold
	}
	// Take in contacts written before the reach counters existed or by bulk
	// loads, so the first reader does not wait for them.
	if err := a.Reach.Refresh(ctx); err != nil {
		return err
	}
	if a.Policy, err = auth.NewPolicy(ctx, a.DB); err != nil {
		return err
	}
	if a.Auth, err = auth.NewService(a.DB, passwords); err != nil {
		return err
	}
	if cfg.SessionIdle > 0 {
		a.Auth.Limits.IdleTimeout = cfg.SessionIdle
	}
	metrics := handlers.NewMetrics()
	metrics.Token = cfg.MetricsToken
	a.metrics(metrics)
	srv := &handlers.Server{
		Services: handlers.Services{Auth: a.Auth, Policy: a.Policy, Reference: a.Reference, Residents: a.Residents,
			Contacts: a.Contacts, Handovers: a.Handovers, Timeline: a.Timeline, Users: a.Users, Reach: a.Reach,
			Tokens: a.Tokens, Privacy: a.Privacy, Audit: a.Audit, Notify: a.Notify, Directory: a.Directory, Mail: a.Mail},
		SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies, Log: a.log, LogRequests: cfg.LogRequests,
		Metrics: metrics, Health: a.DB.CheckWritable, MailServer: cfg.Notify.SMTP != nil,
	}
	a.Handler, err = srv.Handler()
	return err
}

// Close stops the background work and closes the database.
func (a *App) Close() error {
	a.stopBackground()
	return a.DB.Close()
}

// CreateUser creates an account, as the operator.
func (a *App) CreateUser(ctx context.Context, in cases.UserInput) (*cases.User, error) {
	return a.Users.Create(ctx, cases.System, in)
}

// ResetPassword sets a new password for username, as the operator.
func (a *App) ResetPassword(ctx context.Context, username, password string) error {
	u, err := a.Users.ByUsername(ctx, username)
	if err != nil {
		return err
	}
	return a.Users.SetPassword(ctx, cases.System, u.ID, cases.PasswordInput{Password: password})
}

// secretPath is where the secret is read from when it is not given: the
// --secret-file, else beside a database in a file.
func secretPath(cfg Config) string {
	if cfg.SecretFile != "" {
		return cfg.SecretFile
	}
	return cfg.DBPath + ".secret"
}

// secretSources names where the secret of cfg's database may come from.
func secretSources(cfg Config) string {
	if _, ok := storage.FilePath(cfg.DBPath); ok {
		return "BUURTBRUG_SECRET, --secret-file of " + cfg.DBPath + ".secret"
	}
	return "BUURTBRUG_SECRET of --secret-file"
}

// loadSecret returns the configured secret, or the one in the secret file.
// A database that was never written with a secret gets a new random one
// (generated); for any other database a missing secret is an error, never
// a new secret.
func loadSecret(ctx context.Context, cfg Config, db *storage.DB) (secret []byte, generated bool, err error) {
	if cfg.Secret != "" {
		secret, err = checkedSecret(cfg.Secret, "BUURTBRUG_SECRET")
		return secret, false, err
	}
	path := secretPath(cfg)
	data, err := os.ReadFile(path)
	if err == nil {
		secret, err = checkedSecret(strings.TrimSpace(string(data)), path)
		return secret, false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("het geheim kan niet worden gelezen: %w", err)
	}
	inUse, err := cases.SecretInUse(ctx, db)
	if err != nil {
		return nil, false, err
	}
	if inUse || cfg.SecretFile != "" {
		return nil, false, fmt.Errorf("het geheim ontbreekt: %s bestaat niet, en de database %s is met een geheim geschreven; "+
			"zet het geheim uit de back-up terug (of geef BUURTBRUG_SECRET of --secret-file)", path, storage.Describe(cfg.DBPath))
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, false, err
	}
	return []byte(hex.EncodeToString(b)), true, nil
}

func checkedSecret(secret, from string) ([]byte, error) {
	if len(secret) < cases.MinSecretLength {
		return nil, fmt.Errorf("het geheim in %s moet minstens %d tekens hebben", from, cases.MinSecretLength)
	}
	return []byte(secret), nil
}

// writeSecretFile keeps a new database's generated secret beside it
// (mode 0600), unless the secret came from elsewhere.
func writeSecretFile(cfg Config, secret []byte) error {
	path := secretPath(cfg)
	if cfg.Secret != "" {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.WriteFile(path, append(secret, '\n'), 0o600); err != nil {
		return fmt.Errorf("het geheim kan niet worden bewaard in %s: %w", path, err)
	}
	return nil
}

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
	DBPath string
	// Secret keys the person pseudonyms. Empty: read or create the file
	// DBPath + ".secret" (a deployment secret, never a constant in code).
	Secret         string
	SecureCookies  bool
	TrustedProxies []string
	LogRequests    bool
	Log            *slog.Logger
	// Now replaces the clock (tests).
	Now func() time.Time
	// Hasher replaces the password hashing (tests that make many
	// accounts); nil is auth.HashPassword.
	Hasher cases.Hasher
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
	Reach     *cases.ReachService
	Tokens    *cases.TokenService
	Notify    *cases.NotifyService
	Directory *cases.DirectoryService
	Mail      *cases.MailDelivery
	Handler   http.Handler

	background background
}

// Open opens the database (migrating it) and wires everything.
func Open(ctx context.Context, cfg Config) (*App, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, cfg.DBPath)
	if err != nil {
		return nil, err
	}
	if cfg.Now != nil {
		db.Clock = cfg.Now
	}
	a := &App{DB: db}
	if err := a.wire(ctx, cfg, secret); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context, cfg Config, secret []byte) error {
	var err error
	a.Reference = cases.NewReferenceService(a.DB)
	a.Residents = cases.NewResidentService(a.DB, secret)
	a.Contacts = cases.NewContactService(a.DB)
	hasher := cfg.Hasher
	if hasher == nil {
		hasher = auth.HashPassword
	}
	a.Users = cases.NewUserService(a.DB, hasher)
	if err := a.wireNotify(cfg); err != nil {
		return err
	}
	a.Handovers = cases.NewHandoverService(a.DB, a.Residents, a.Contacts, a.Notify)
	a.Reach = cases.NewReachService(a.DB)
	a.Tokens = cases.NewTokenService(a.DB)
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
	if a.Auth, err = auth.NewService(a.DB); err != nil {
		return err
	}
	srv := &handlers.Server{
		Services: handlers.Services{Auth: a.Auth, Policy: a.Policy, Reference: a.Reference, Residents: a.Residents,
			Contacts: a.Contacts, Handovers: a.Handovers, Users: a.Users, Reach: a.Reach, Tokens: a.Tokens,
			Notify: a.Notify, Directory: a.Directory, Mail: a.Mail},
		SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies, Log: cfg.Log, LogRequests: cfg.LogRequests,
		MailServer: cfg.Notify.SMTP != nil,
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

// loadSecret returns the configured secret, or the one in the file beside
// the database, creating that file on first start.
func loadSecret(cfg Config) ([]byte, error) {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 32 {
			return nil, errors.New("the secret must be at least 32 characters")
		}
		return []byte(cfg.Secret), nil
	}
	path := cfg.DBPath + ".secret"
	data, err := os.ReadFile(path)
	if err == nil {
		secret := strings.TrimSpace(string(data))
		if len(secret) < 32 {
			return nil, fmt.Errorf("%s: the secret must be at least 32 characters", path)
		}
		return []byte(secret), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing the secret: %w", err)
	}
	return []byte(secret), nil
}

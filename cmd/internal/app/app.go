// Package app wires Buurtbrug together: storage, auth, use cases and the
// HTTP handlers. The binaries and the end-to-end tests share it, so tests
// drive exactly what runs.
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
	// ReachThreshold and ReachRounding are the disclosure rules of reach
	// figures (0 and 0: the defaults, 10 and 5; the threshold is never
	// below 5).
	ReachThreshold, ReachRounding int
}

// App is a wired instance.
type App struct {
	DB        *storage.DB
	Policy    *auth.Policy
	Auth      *auth.Service
	Reference *storage.ReferenceService
	Residents *storage.ResidentService
	Contacts  *storage.ContactService
	Users     *storage.UserService
	Handovers *storage.HandoverService
	Reach     *storage.ReachService
	Audit     *storage.AuditLog
	Handler   http.Handler
}

// Open opens the database (migrating it) and wires everything.
func Open(ctx context.Context, cfg Config) (*App, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, cfg.DBPath, secret)
	if err != nil {
		return nil, err
	}
	if cfg.Now != nil {
		db.Now = cfg.Now
	}
	a := &App{DB: db}
	if err := a.wire(ctx, cfg); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context, cfg Config) error {
	var err error
	if a.Policy, err = auth.NewPolicy(a.DB.Write); err != nil {
		return err
	}
	if a.Reference, err = storage.NewReferenceService(ctx, a.DB); err != nil {
		return err
	}
	a.Residents = storage.NewResidentService(a.DB, a.Reference)
	a.Contacts = storage.NewContactService(a.DB, a.Reference)
	a.Users = storage.NewUserService(a.DB, a.Reference, a.Policy)
	a.Handovers = storage.NewHandoverService(a.DB, a.Reference, a.Residents, a.Policy)
	a.Reach = storage.NewReachService(a.DB, a.Reference)
	// Take in contacts written before the reach facts existed (migration
	// 00004) or by bulk loads, so the first reader does not wait for them.
	if err := a.Reach.Refresh(ctx); err != nil {
		return err
	}
	if cfg.ReachThreshold != 0 || cfg.ReachRounding != 0 {
		a.Reach.Rules = disclosure.Rules{Threshold: cfg.ReachThreshold, RoundingBase: cfg.ReachRounding}
		if err := a.Reach.Rules.Validate(); err != nil {
			return err
		}
	}
	a.Audit = storage.NewAuditLog(a.DB)
	if a.Auth, err = auth.NewService(a.Users, storage.NewSessionStore(a.DB), a.Audit); err != nil {
		return err
	}
	a.Auth.Now = a.DB.Now
	srv := &handlers.Server{
		Auth: a.Auth, Policy: a.Policy, Reference: a.Reference, Residents: a.Residents,
		Contacts: a.Contacts, Users: a.Users, Handovers: a.Handovers, Reach: a.Reach, ReferenceAdmin: a.Reference, HandoverLimits: a.Handovers, SecureCookies: cfg.SecureCookies,
		TrustedProxies: cfg.TrustedProxies,
		Log:            cfg.Log, LogRequests: cfg.LogRequests,
	}
	a.Handler, err = srv.Handler()
	return err
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }

// System is the actor of set-up work done by the operator, not a user.
var System = cases.Actor{Username: "system", Roles: []string{cases.RoleAdmin}}

// CreateUser creates an account with a hashed password, as the operator.
func (a *App) CreateUser(ctx context.Context, in cases.UserInput) (*cases.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	return a.Users.CreateUser(ctx, System, in, hash)
}

// ResetPassword sets a new password for username, as the operator.
func (a *App) ResetPassword(ctx context.Context, username, password string) error {
	if len(password) < 12 {
		return errors.New("the password must be at least 12 characters")
	}
	u, err := a.Users.FindUserByUsername(ctx, username)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return a.Users.SetPassword(ctx, System, u.ID, hash)
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

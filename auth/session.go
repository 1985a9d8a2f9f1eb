package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
)

// Limits of sessions and of login attempts.
type Limits struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after login, used or not
	MaxFailures     int           // failed logins per username or address ...
	FailureWindow   time.Duration // ... within this window before answering 429
}

// DefaultLimits suit a working day on a tablet.
var DefaultLimits = Limits{
	IdleTimeout:     2 * time.Hour,
	AbsoluteTimeout: 12 * time.Hour,
	MaxFailures:     5,
	FailureWindow:   15 * time.Minute,
}

// touchEvery limits how often a session's last use is written, so reads do
// not each cost a write.
const touchEvery = time.Minute

// Service logs users in and out and recognises their sessions.
type Service struct {
	Users    cases.UserService
	Sessions *storage.SessionStore
	Audit    *storage.AuditLog
	Limits   Limits
	Now      func() time.Time

	dummyHash string // checked for unknown users so timing does not tell
}

// NewService returns the service.
func NewService(users cases.UserService, sessions *storage.SessionStore, audit *storage.AuditLog) (*Service, error) {
	dummy, err := HashPassword(randomToken(16))
	if err != nil {
		return nil, err
	}
	return &Service{Users: users, Sessions: sessions, Audit: audit, Limits: DefaultLimits, Now: time.Now, dummyHash: dummy}, nil
}

// Session is a logged-in user's session. Token goes in the cookie only.
type Session struct {
	Token     string
	CSRFToken string
	User      *cases.User
	ExpiresAt time.Time
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Login checks the credentials and starts a session. Unknown users and
// wrong passwords get the same error; too many failures get ETOOMANY.
func (s *Service) Login(ctx context.Context, username, password, address string) (*Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	now := s.Now().UTC()
	byUser, byAddress, err := s.Sessions.CountFailures(ctx, username, address, now.Add(-s.Limits.FailureWindow))
	if err != nil {
		return nil, err
	}
	if byUser >= s.Limits.MaxFailures || byAddress >= s.Limits.MaxFailures {
		return nil, cases.Errorf(cases.ETOOMANY, "login_throttled", int(s.Limits.FailureWindow.Minutes()))
	}
	user, err := s.Users.FindUserByUsername(ctx, username)
	if err != nil && cases.ErrorCode(err) != cases.ENOTFOUND {
		return nil, err
	}
	hash := s.dummyHash
	if user != nil {
		hash = user.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if user == nil || !ok || !user.Active {
		if err := s.Sessions.RecordFailure(ctx, username, address, now); err != nil {
			return nil, err
		}
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_failed")
	}
	if err := s.Sessions.ClearFailures(ctx, username); err != nil {
		return nil, err
	}
	sess := &Session{Token: randomToken(32), CSRFToken: randomToken(32), User: user, ExpiresAt: now.Add(s.Limits.AbsoluteTimeout)}
	err = s.Sessions.Create(ctx, storage.StoredSession{
		TokenHash: hashToken(sess.Token), UserID: user.ID, CSRFToken: sess.CSRFToken,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: sess.ExpiresAt,
	})
	if err != nil {
		return nil, err
	}
	return sess, s.Audit.Append(ctx, user.Actor(), "login", "session", "", address)
}

// Authenticate returns the session for a cookie token, or EUNAUTHORIZED when
// it is unknown, expired, idle too long or its user is deactivated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 128 {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	}
	now := s.Now().UTC()
	stored, err := s.Sessions.Find(ctx, hashToken(token))
	if cases.ErrorCode(err) == cases.ENOTFOUND {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	} else if err != nil {
		return nil, err
	}
	if now.After(stored.ExpiresAt) || now.Sub(stored.LastSeenAt) > s.Limits.IdleTimeout {
		_ = s.Sessions.Delete(ctx, stored.TokenHash)
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "session_expired")
	}
	user, err := s.Users.FindUserByID(ctx, stored.UserID)
	if err != nil {
		return nil, err
	}
	if !user.Active {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	}
	if now.Sub(stored.LastSeenAt) > touchEvery {
		if err := s.Sessions.Touch(ctx, stored.TokenHash, now); err != nil {
			return nil, err
		}
	}
	return &Session{Token: token, CSRFToken: stored.CSRFToken, User: user, ExpiresAt: stored.ExpiresAt}, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess *Session) error {
	if err := s.Sessions.Delete(ctx, hashToken(sess.Token)); err != nil {
		return err
	}
	return s.Audit.Append(ctx, sess.User.Actor(), "logout", "session", "", "")
}

// Sweep removes expired sessions and old failures; run it now and then.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.Now().UTC()
	return s.Sessions.DeleteExpired(ctx, now, now.Add(-s.Limits.IdleTimeout), now.Add(-s.Limits.FailureWindow))
}

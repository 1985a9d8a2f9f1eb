package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Limits of sessions and of login attempts.
type Limits struct {
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after login, used or not
	Throttle        Throttle
}

// DefaultLimits suit tablets shared in an office: an unattended tablet
// logs out after half an hour.
var DefaultLimits = Limits{
	IdleTimeout:     30 * time.Minute,
	AbsoluteTimeout: 12 * time.Hour,
	Throttle:        DefaultThrottle,
}

// touchEvery limits how often a session's last use is written, so reads do
// not each cost a write.
const touchEvery = time.Minute

// DefaultSessionCacheTTL is how long a session and its user, once read, are
// served from memory instead of two queries per request. An entry also
// ends as soon as the store's auth generation moves on (a session ended, an
// account changed, in any process), which every request reads.
const DefaultSessionCacheTTL = time.Second

// Service logs users in and out and recognises their sessions.
type Service struct {
	store     cases.Store
	passwords cases.Passwords
	Limits    Limits
	// SessionCacheTTL: see DefaultSessionCacheTTL; 0 reads every request.
	SessionCacheTTL time.Duration
	// OnLogin, when set, hears how each login ended: ok, failed, throttled
	// or busy (metrics).
	OnLogin func(outcome string)

	dummyHash string // checked for unknown users so timing does not tell
	cache     sessionCache
}

// NewService returns the service; passwords checks the passwords.
func NewService(store cases.Store, passwords cases.Passwords) (*Service, error) {
	dummy, err := HashPassword(randomToken(16))
	if err != nil {
		return nil, err
	}
	return &Service{store: store, passwords: passwords, Limits: DefaultLimits,
		SessionCacheTTL: DefaultSessionCacheTTL, dummyHash: dummy}, nil
}

// Now is the clock sessions are measured on: the store's.
func (s *Service) Now() time.Time { return s.store.Now() }

// Session is a logged-in user's session. Token goes in the cookie only.
type Session struct {
	Token     string
	CSRFToken string
	User      *cases.User
	ExpiresAt time.Time
	// Generation is the store's auth generation the session was checked
	// at; the policy answers under the roles of that generation or later.
	Generation int64
}

// TokenHash is the stored form of a session's token.
func (s *Service) TokenHash(sess *Session) string { return hashToken(sess.Token) }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func audit(actor cases.Actor, action, detail string) cases.AuditRecord {
	return cases.AuditRecord{Actor: actor, Action: action, Entity: "session", Detail: detail}
}

// Login checks the credentials and starts a session. Unknown users and
// wrong passwords get the same error; a throttled attempt gets ETOOMANY
// (see Throttle). The attempt is counted as failed before the password is
// checked, in the one writer's order, so parallel attempts cannot pass the
// limit together; a good password then forgets the pair's failures. Every
// failure and refusal is audited.
func (s *Service) Login(ctx context.Context, username, password, address string) (*Session, error) {
	sess, err := s.login(ctx, username, password, address)
	if s.OnLogin != nil {
		s.OnLogin(loginOutcome(err))
	}
	return sess, err
}

func loginOutcome(err error) string {
	switch cases.ErrorCode(err) {
	case "":
		return "ok"
	case cases.ETOOMANY:
		return "throttled"
	case cases.EUNAVAILABLE:
		return "busy"
	case cases.EUNAUTHORIZED:
		return "failed"
	}
	return "error"
}

func (s *Service) login(ctx context.Context, username, password, address string) (*Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	v := s.store.View(ctx)
	user, err := v.Users().UserByUsername(ctx, username)
	if err != nil && cases.ErrorCode(err) != cases.ENOTFOUND {
		return nil, err
	}
	attempt, slow, err := s.reserve(ctx, user, username, address)
	if err != nil {
		return nil, err
	}
	if slow {
		select {
		case <-time.After(s.Limits.Throttle.UserDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	hash := s.dummyHash
	if user != nil {
		hash = user.PasswordHash
	}
	ok, err := s.passwords.Check(hash, password)
	if err != nil {
		// Not checked (the server is busy): not a failure of the user's.
		_ = s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
			return tx.Sessions().ForgetFailure(ctx, attempt)
		})
		return nil, err
	}
	if user == nil || !ok || !user.Active {
		if err := s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
			return tx.Audit(loginAudit(user, "login_failed", address))
		}); err != nil {
			return nil, err
		}
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_failed")
	}
	return s.start(ctx, user, address)
}

// reserve counts an attempt as failed before its password is checked, or
// refuses it when the throttle says so. slow asks for the delay of a much
// guessed username.
func (s *Service) reserve(ctx context.Context, user *cases.User, username, address string) (attempt int64, slow bool, err error) {
	t := s.Limits.Throttle
	var wait time.Duration
	err = s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		now := tx.Now()
		f, err := tx.Sessions().CountFailures(ctx, username, address, now.Add(-t.PairMemory), now.Add(-t.Window))
		if err != nil {
			return err
		}
		if wait = t.wait(f, now); wait > 0 {
			return tx.Audit(loginAudit(user, "login_throttled", address))
		}
		slow = t.slow(f)
		attempt, err = tx.Sessions().RecordFailure(ctx, username, address, now)
		return err
	})
	if err == nil && wait > 0 {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		err = &cases.Error{Code: cases.ETOOMANY, Message: "login_throttled", Args: []any{minutes}, RetryAfter: wait}
	}
	return attempt, slow, err
}

// loginAudit is the audit line of a refused login. A username that names no
// account is not kept: it may be a password typed in the wrong field.
func loginAudit(user *cases.User, action, address string) cases.AuditRecord {
	actor, detail := cases.Actor{Username: "-"}, ""
	if user != nil {
		actor = user.Actor()
	} else {
		detail = "unknown_user"
	}
	actor.Address = address
	return cases.AuditRecord{Actor: actor, Action: action, Entity: "session", Detail: detail}
}

// start forgets the pair's failures and opens a session.
func (s *Service) start(ctx context.Context, user *cases.User, address string) (*Session, error) {
	sess := &Session{Token: randomToken(32), CSRFToken: randomToken(32), User: user}
	err := s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		if err := tx.Sessions().ClearFailures(ctx, user.Username, address); err != nil {
			return err
		}
		sess.ExpiresAt = tx.Now().Add(s.Limits.AbsoluteTimeout)
		if err := tx.Sessions().InsertSession(ctx, cases.StoredSession{TokenHash: hashToken(sess.Token), UserID: user.ID,
			CSRFToken: sess.CSRFToken, CreatedAt: tx.Now(), LastSeenAt: tx.Now(), ExpiresAt: sess.ExpiresAt}); err != nil {
			return err
		}
		a := user.Actor()
		a.Address = address
		return tx.Audit(audit(a, "login", ""))
	})
	if err != nil {
		return nil, err
	}
	user.PasswordHash = ""
	return sess, nil
}

// Authenticate returns the session for a cookie token, or EUNAUTHORIZED when
// it is unknown, expired, idle too long or its user is deactivated.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 128 {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	}
	now := s.store.Now()
	e, err := s.lookup(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	stored := &e.stored
	if now.After(stored.ExpiresAt) || now.Sub(stored.LastSeenAt) > s.Limits.IdleTimeout {
		s.cache.drop(stored.TokenHash)
		_ = s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
			return tx.Sessions().DeleteSession(ctx, stored.TokenHash)
		})
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "session_expired")
	}
	if !e.user.Active {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	}
	if now.Sub(stored.LastSeenAt) > touchEvery {
		if err := s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
			return tx.Sessions().TouchSession(ctx, stored.TokenHash, now)
		}); err != nil {
			return nil, err
		}
		s.cache.touched(stored.TokenHash, now)
	}
	user := e.user // a copy per request: handlers may not change the cached one
	user.Roles = slices.Clone(user.Roles)
	return &Session{Token: token, CSRFToken: stored.CSRFToken, User: &user, ExpiresAt: stored.ExpiresAt,
		Generation: e.gen}, nil
}

// lookup returns the stored session and its user, from the cache when it
// holds them from the current generation and within the TTL.
func (s *Service) lookup(ctx context.Context, tokenHash string) (cachedSession, error) {
	v := s.store.View(ctx)
	// Before reading: a change during the read makes the entry stale.
	gen, err := v.Sessions().AuthGeneration(ctx)
	if err != nil {
		return cachedSession{}, err
	}
	if e, ok := s.cache.get(tokenHash, gen); ok {
		return e, nil
	}
	stored, err := v.Sessions().Session(ctx, tokenHash)
	if cases.ErrorCode(err) == cases.ENOTFOUND {
		return cachedSession{}, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
	} else if err != nil {
		return cachedSession{}, err
	}
	user, err := v.Users().UserByID(ctx, stored.UserID)
	if err != nil {
		return cachedSession{}, err
	}
	e := cachedSession{stored: *stored, user: *user, gen: gen, until: time.Now().Add(s.SessionCacheTTL)}
	e.user.PasswordHash = "" // no request needs it; the cache does not keep it
	if s.SessionCacheTTL > 0 {
		s.cache.put(tokenHash, e)
	}
	return e, nil
}

// cachedSession is a session row and its user as read at generation gen.
type cachedSession struct {
	stored cases.StoredSession
	user   cases.User
	gen    int64
	until  time.Time // on the process's own clock, not the store's
}

// sessionCache maps token hashes to recently read sessions. It never holds
// a token that did not name a session.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

// maxCachedSessions bounds the cache; expired entries go first.
const maxCachedSessions = 10000

func (c *sessionCache) get(tokenHash string, gen int64) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[tokenHash]
	if !ok || e.gen != gen || !time.Now().Before(e.until) {
		return cachedSession{}, false
	}
	return e, true
}

func (c *sessionCache) put(tokenHash string, e cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedSession{}
	}
	if len(c.m) >= maxCachedSessions {
		now := time.Now()
		for k, old := range c.m {
			if old.gen != e.gen || !now.Before(old.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedSessions {
			clear(c.m)
		}
	}
	c.m[tokenHash] = e
}

func (c *sessionCache) touched(tokenHash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[tokenHash]; ok {
		e.stored.LastSeenAt = at
		c.m[tokenHash] = e
	}
}

func (c *sessionCache) drop(tokenHash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, tokenHash)
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sess *Session) error {
	s.cache.drop(hashToken(sess.Token))
	return s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		if err := tx.Sessions().DeleteSession(ctx, hashToken(sess.Token)); err != nil {
			return err
		}
		return tx.Audit(audit(sess.User.Actor(), "logout", ""))
	})
}

// Sweep removes expired sessions and old failures; run it now and then.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.store.Now()
	return s.store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		return tx.Sessions().DeleteExpired(ctx, now, now.Add(-s.Limits.IdleTimeout), now.Add(-s.Limits.Throttle.PairMemory))
	})
}

package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// TokenService manages the read-only monitor tokens of the reach figures.
// Only a hash of a token's secret is stored; the secret is shown once.
type TokenService struct{ store Store }

// NewTokenService returns the service.
func NewTokenService(store Store) *TokenService { return &TokenService{store: store} }

// tokenPrefix marks Buurtbrug monitor tokens, so a leaked one is recognisable.
const tokenPrefix = "bbr_"

// tokenUseInterval is how often a token's last use is written down.
const tokenUseInterval = 5 * time.Minute

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create makes a token; the secret is returned only here.
func (s *TokenService) Create(ctx context.Context, actor Actor, in ReachTokenInput) (*ReachToken, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	t := &StoredToken{ReachToken: ReachToken{Name: in.Name, CreatedBy: actor.Username}, Hash: hashToken(secret)}
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		t.CreatedAt = tx.Now()
		if err := tx.Tokens().InsertToken(ctx, t, actor.UserID); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "reach_token",
			EntityID: strconv.FormatInt(t.ID, 10)})
	})
	if err != nil {
		return nil, "", err
	}
	return &t.ReachToken, secret, nil
}

// Tokens lists the tokens, newest first, without secrets.
func (s *TokenService) Tokens(ctx context.Context) ([]ReachToken, error) {
	return s.store.View(ctx).Tokens().Tokens(ctx)
}

// Revoke ends a token for good.
func (s *TokenService) Revoke(ctx context.Context, actor Actor, id int64) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		ok, err := tx.Tokens().RevokeToken(ctx, id, tx.Now())
		if err != nil {
			return err
		}
		if !ok {
			return NotFound("reach_token")
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "revoke", Entity: "reach_token", EntityID: strconv.FormatInt(id, 10)})
	})
}

// Authenticate accepts the secret of a token that is not revoked, and
// notes its use now and then.
func (s *TokenService) Authenticate(ctx context.Context, secret string) (*ReachToken, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, Errorf(EUNAUTHORIZED, "token_invalid")
	}
	t, err := s.store.View(ctx).Tokens().LiveToken(ctx, hashToken(secret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(EUNAUTHORIZED, "token_invalid")
	} else if err != nil {
		return nil, err
	}
	now := s.store.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > tokenUseInterval {
		if err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
			return tx.Tokens().TouchToken(ctx, t.ID, tx.Now())
		}); err != nil {
			return nil, err
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

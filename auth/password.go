// Package auth owns identity: password hashing, login with throttling,
// server-side sessions and the Casbin authorisation policy.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: unreadable password hash")

// CheckPassword reports whether password matches the PHC-encoded hash. The
// parameters come from the hash, so they can be raised later.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Passwords hashes and checks passwords with at most a fixed number of
// argon2id computations at once: each takes 19 MiB, so an unbounded burst of
// logins would exhaust memory, and more at once than there are processors
// only makes every one slower. A caller that finds no free slot within wait
// gets EUNAVAILABLE.
type Passwords struct {
	slots chan struct{}
	wait  time.Duration
}

// NewPasswords allows slots computations at once, each waiting at most wait
// for its turn.
func NewPasswords(slots int, wait time.Duration) *Passwords {
	return &Passwords{slots: make(chan struct{}, max(slots, 1)), wait: wait}
}

func (p *Passwords) acquire() error {
	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return cases.Errorf(cases.EUNAVAILABLE, "login_busy")
	}
}

func (p *Passwords) release() { <-p.slots }

// Hash is HashPassword in a slot.
func (p *Passwords) Hash(password string) (string, error) {
	if err := p.acquire(); err != nil {
		return "", err
	}
	defer p.release()
	return HashPassword(password)
}

// Check is CheckPassword in a slot.
func (p *Passwords) Check(hash, password string) (bool, error) {
	if err := p.acquire(); err != nil {
		return false, err
	}
	defer p.release()
	return CheckPassword(hash, password)
}

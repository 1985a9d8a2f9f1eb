package cases

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// The pseudonym secret links records of one person; another secret links
// nothing to what was stored before, so every person would be counted again.
// The database keeps a check value of the secret it was written with (an
// HMAC of a fixed text: the secret itself is never stored), and a start with
// a different or missing secret is refused.

// settingSecretCheck is the settings key of the check value.
const settingSecretCheck = "secret_check"

// MinSecretLength is the shortest pseudonym secret accepted.
const MinSecretLength = 32

func secretCheck(secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("buurtbrug/secret-check/v1"))
	return hex.EncodeToString(mac.Sum(nil))
}

// SecretInUse reports whether the database was written with a secret: it
// holds a check value, or pseudonyms made before there were check values.
func SecretInUse(ctx context.Context, store Store) (bool, error) {
	v := store.View(ctx)
	if _, ok, err := v.Settings().Setting(ctx, settingSecretCheck); err != nil || ok {
		return ok, err
	}
	return v.Residents().HasPseudonyms(ctx)
}

// VerifySecret accepts the secret the database was written with, and
// remembers the first one given to a database without a check value.
func VerifySecret(ctx context.Context, store Store, secret []byte) error {
	if len(secret) < MinSecretLength {
		return Errorf(EINVALID, "secret_too_short", MinSecretLength)
	}
	want := secretCheck(secret)
	have, ok, err := store.View(ctx).Settings().Setting(ctx, settingSecretCheck)
	switch {
	case err != nil:
		return err
	case !ok:
		return store.Update(ctx, func(ctx context.Context, tx Tx) error {
			return tx.Settings().SetSetting(ctx, settingSecretCheck, want)
		})
	case !hmac.Equal([]byte(have), []byte(want)):
		return Errorf(ECONFLICT, "secret_mismatch")
	}
	return nil
}

// AuditKey is the key of the audit log's chain, derived from the secret:
// without the secret, nobody can rewrite the chain to hide an edit.
func AuditKey(secret []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("buurtbrug/audit-chain/v1"))
	return mac.Sum(nil)
}

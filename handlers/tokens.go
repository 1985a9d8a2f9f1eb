package handlers

import (
	"crypto/rand"
	"encoding/base64"
)

// newFormToken returns 32 random bytes, URL-safe encoded.
func newFormToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

package cases

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// Password rules: at least MinPasswordLength characters, not one of the
// most common passwords, and not containing the username. Length alone lets
// "123456789012" through; the list stops the passwords guessed first.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 10_000)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
})

// CommonPassword reports whether password (in any case) is on the list of
// the most common passwords.
func CommonPassword(password string) bool { return commonPasswords()[strings.ToLower(password)] }

// CheckPassword names what is wrong with password for the account username
// in field, or returns nil.
func CheckPassword(field, password, username string) *FieldError {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return &FieldError{Field: field, Tag: "password_short", Param: itoa(MinPasswordLength)}
	case len(password) > MaxPasswordLength:
		return &FieldError{Field: field, Tag: "max", Param: itoa(MaxPasswordLength)}
	case CommonPassword(password):
		return &FieldError{Field: field, Tag: "password_common"}
	case len(username) >= 3 && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		return &FieldError{Field: field, Tag: "password_username"}
	}
	return nil
}

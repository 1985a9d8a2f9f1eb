package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", hash)
	}
	if ok, err := CheckPassword(hash, "correct horse battery"); err != nil || !ok {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, err := CheckPassword(hash, "correct horse batterY"); err != nil || ok {
		t.Fatalf("wrong password accepted: %v %v", ok, err)
	}
	again, _ := HashPassword("correct horse battery")
	if again == hash {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckPasswordRefusesUnreadableHashes(t *testing.T) {
	t.Parallel()
	for _, hash := range []string{"", "plain", "$2a$10$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5"} {
		if ok, err := CheckPassword(hash, "x"); ok || err == nil {
			t.Errorf("hash %q: ok=%v err=%v", hash, ok, err)
		}
	}
}

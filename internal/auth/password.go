package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"zeren/internal/apperr"
)

// argon2id parameters: the RFC 9106 second recommended option scaled to a
// 2-core server (64 MiB, 1 pass, 2 lanes); about 60 ms per login.
const (
	argonTime    = 1
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// MaxPasswordLen bounds the work an attacker can make us do per login.
const MaxPasswordLen = 256

// CheckPassword applies the password rules for a user with the given login.
func CheckPassword(login, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return apperr.Field("password", "err.password_short", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.Field("password", "err.too_long", MaxPasswordLen)
	case strings.Contains(strings.ToLower(password), strings.ToLower(login)):
		return apperr.Field("password", "err.password_has_login")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches the encoded hash.
func VerifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(password) > 4*MaxPasswordLen {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a login is unknown, so that timing does
// not reveal which logins exist.
var dummyHash = HashPassword("zeren-dummy-password")

// VerifyDummy spends the same time as VerifyPassword on a real hash.
func VerifyDummy(password string) { VerifyPassword(dummyHash, password) }

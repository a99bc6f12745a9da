package auth

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The stages of a session on its way to being fully logged in.
const (
	StageTOTP   = "totp"   // the password was right; the code is due
	StageEnroll = "enroll" // the role requires a second factor not yet set up
)

// SettingTOTPRoles names the setting that lists the roles required to use a
// second factor, comma-separated ("admin,supervisor" or "").
const SettingTOTPRoles = "totp_required_roles"

// TOTPRoles are the roles an admin may require a second factor for.
var TOTPRoles = []Role{Admin, Supervisor}

// NewTOTP makes a secret for a user and returns it with the otpauth:// URL
// and a QR code of it as a data: URL for an <img>.
func NewTOTP(login string) (secret, url, qr string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "zeren", AccountName: login})
	if err != nil {
		return "", "", "", fmt.Errorf("totp: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", "", "", fmt.Errorf("totp qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", "", fmt.Errorf("totp qr: %w", err)
	}
	return key.Secret(), key.URL(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// TOTPPeriod is the life of one code; codes are numbered by time step,
// Unix time / TOTPPeriod.
const TOTPPeriod = 30

// CheckTOTP reports whether code is valid for secret at now, allowing one
// 30-second step of clock drift either way. It does not say whether the
// code was used already; MatchTOTP gives the step to spend.
func CheckTOTP(secret, code string, now time.Time) bool {
	_, ok := MatchTOTP(secret, code, now)
	return ok
}

// MatchTOTP returns the time step whose code is code (now's, or one step
// of drift either way), so that the caller can accept each step only once.
func MatchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	current := now.UTC().Unix() / TOTPPeriod
	// The latest step first: spending the highest matching step leaves no
	// later step of the same code to replay.
	for s := current + 1; s >= current-1; s-- {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0).UTC(), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the current code for a secret (for tests and the demo).
func TOTPCode(secret string, now time.Time) string {
	code, _ := totp.GenerateCode(secret, now.UTC())
	return code
}

// RequiresTOTP reports whether any of the grants has a role in the
// required list (the setting's value).
func RequiresTOTP(setting string, grants []Grant) bool {
	for _, r := range strings.Split(setting, ",") {
		for _, g := range grants {
			if string(g.Role) == strings.TrimSpace(r) && r != "" {
				return true
			}
		}
	}
	return false
}

// SecondFactorDue says what a user who gave the right password must still
// do: StageTOTP when they have a second factor (enrolled), StageEnroll when
// one of their grants' roles requires one (the setting's value) that they
// have not set up, "" when nothing. An API token of a user with
// StageEnroll due is refused.
func SecondFactorDue(enrolled bool, required string, grants []Grant) string {
	switch {
	case enrolled:
		return StageTOTP
	case RequiresTOTP(required, grants):
		return StageEnroll
	}
	return ""
}

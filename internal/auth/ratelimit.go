package auth

import (
	"strconv"
	"strings"
	"time"
)

// Rate limiting of credential checks (logins, second-factor codes, the
// current password): each failure counts against several keys, and once a
// key holds its limit of failures within LoginFailureWindow further attempts
// touching that key are refused until the oldest failure leaves the window.
//
// A login counts against the account, the account at the client's address,
// and the address alone. The address alone gets a much higher limit, so that
// a few people mistyping behind one office NAT do not lock out everyone
// behind it, while one address guessing across many accounts is still
// stopped.
const (
	// MaxLoginFailures is the limit of one account from one address, and of
	// a signed-in user's current-password (or code) checks.
	MaxLoginFailures = 5
	// MaxAccountFailures is the limit of one account from all addresses.
	MaxAccountFailures = 2 * MaxLoginFailures
	// MaxAddressFailures is the limit of one address across all accounts.
	MaxAddressFailures = 10 * MaxLoginFailures
	LoginFailureWindow = 15 * time.Minute
)

const (
	accountPrefix  = "login:"
	pairPrefix     = "pair:"
	addressPrefix  = "addr:"
	passwordPrefix = "password:"
)

// AccountKey is the counter of one account (by login) from anywhere.
func AccountKey(login string) string { return accountPrefix + login }

// AccountAddressKey is the counter of one account from one address.
func AccountAddressKey(login, addr string) string { return pairPrefix + addr + " " + login }

// AddressKey is the counter of one client address.
func AddressKey(addr string) string { return addressPrefix + addr }

// PasswordKey is the counter of a signed-in user's checks of their current
// password or second-factor code (changing the password, turning the
// second factor off).
func PasswordKey(userID int64) string { return passwordPrefix + strconv.FormatInt(userID, 10) }

// LoginKeys are the counters a login attempt (password or code) touches.
func LoginKeys(login, addr string) []string {
	return []string{AccountKey(login), AccountAddressKey(login, addr), AddressKey(addr)}
}

// FailureLimit is the number of failures within the window at which a key
// blocks further attempts.
func FailureLimit(key string) int {
	switch {
	case strings.HasPrefix(key, accountPrefix):
		return MaxAccountFailures
	case strings.HasPrefix(key, addressPrefix):
		return MaxAddressFailures
	}
	return MaxLoginFailures
}

// RetryAt returns when attempts may resume given the failures of one key
// within the window (oldest first), or the zero time if they may now.
func RetryAt(key string, failures []time.Time) time.Time {
	limit := FailureLimit(key)
	if len(failures) < limit {
		return time.Time{}
	}
	// The oldest failure that still keeps the count at the limit.
	return failures[len(failures)-limit].Add(LoginFailureWindow)
}

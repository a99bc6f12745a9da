package auth

import "time"

// Login rate limiting: after MaxLoginFailures failed attempts within
// LoginFailureWindow, for one account or from one address, further
// attempts are refused until the oldest failure leaves the window.
const (
	MaxLoginFailures   = 5
	LoginFailureWindow = 15 * time.Minute
)

// AccountKey and AddressKey name the two counters a login attempt touches.
func AccountKey(login string) string { return "login:" + login }

// AddressKey is the counter of one client address.
func AddressKey(addr string) string { return "addr:" + addr }

// RetryAt returns when attempts may resume given the failures of one key
// within the window (oldest first), or the zero time if they may now.
func RetryAt(failures []time.Time) time.Time {
	if len(failures) < MaxLoginFailures {
		return time.Time{}
	}
	// The oldest failure that still keeps the count at the limit.
	return failures[len(failures)-MaxLoginFailures].Add(LoginFailureWindow)
}

package store

import (
	"context"
	"time"

	"zeren/internal/auth"
)

// PasswordLinkTTL is how long a set-password link works.
const PasswordLinkTTL = 7 * 24 * time.Hour

// PasswordLinkPrefix starts every set-password token.
const PasswordLinkPrefix = "zpl_"

// addPasswordLinks makes a one-time set-password link for each user and
// returns the tokens by user; only their hashes are stored.
func (t *Tx) addPasswordLinks(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	rows := t.bulk("password_links", "token_hash", "user_id", "created_at", "expires_at")
	now := t.s.Now()
	out := make(map[int64]string, len(userIDs))
	for _, id := range userIDs {
		secret, hash := auth.NewToken(PasswordLinkPrefix)
		if err := rows.add(ctx, hash, id, unix(now), unix(now.Add(PasswordLinkTTL))); err != nil {
			return nil, err
		}
		out[id] = secret
	}
	return out, rows.flush(ctx)
}

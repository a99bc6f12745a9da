package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"zeren/internal/audit"
	"zeren/internal/notify"
	"zeren/internal/unit"
)

const channelCols = `c.unit_id, u.path, c.dingtalk_url, c.dingtalk_secret, c.wecom_url, c.webhook_url, c.version, c.updated_at`

func scanChannels(row interface{ Scan(...any) error }) (notify.Channels, error) {
	var c notify.Channels
	var updated int64
	err := row.Scan(&c.UnitID, &c.UnitPath, &c.DingTalkURL, &c.DingTalkSecret, &c.WeComURL, &c.WebhookURL, &c.Version, &updated)
	c.UpdatedAt = fromUnix(updated)
	return c, err
}

// UnitChannels returns the robots set on the unit itself; none saved yet
// is no error but Version 0.
func (s *Store) UnitChannels(ctx context.Context, u unit.Unit) (notify.Channels, error) {
	c, err := scanChannels(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+channelCols+`
		FROM unit_channels c JOIN units u ON u.id = c.unit_id WHERE c.unit_id = ?`), u.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Channels{UnitID: u.ID, UnitPath: u.Path}, nil
	}
	if err != nil {
		return c, fmt.Errorf("unit %d channels: %w", u.ID, err)
	}
	return c, nil
}

// NearestUnitChannels returns the robots of the nearest unit at or above
// the unit at path that has any, the unit's own first; ok is false when
// none has. Its ancestors are the ids on its path: one query by primary key.
func (s *Store) NearestUnitChannels(ctx context.Context, path string) (c notify.Channels, ok bool, err error) {
	ids := unit.Ancestors(path)
	if len(ids) == 0 {
		return c, false, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	c, err = scanChannels(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+channelCols+`
		FROM unit_channels c JOIN units u ON u.id = c.unit_id
		WHERE c.unit_id IN (`+in+`) AND (c.dingtalk_url <> '' OR c.wecom_url <> '' OR c.webhook_url <> '')
		ORDER BY u.depth DESC LIMIT 1`), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Channels{}, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("nearest channels of %s: %w", path, err)
	}
	return c, true, nil
}

// SaveUnitChannels applies the draft to the unit's robots if version is
// the one the draft rests on (0: none saved yet), with its audit event,
// in which the DingTalk secret is never written.
func (s *Store) SaveUnitChannels(ctx context.Context, by audit.Actor, unitID, version int64, d notify.Draft) (notify.Channels, error) {
	var after notify.Channels
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := tx.unitForUpdate(ctx, unitID)
		if err != nil {
			return err
		}
		before, err := scanChannels(tx.queryRow(ctx, `SELECT `+channelCols+`
			FROM unit_channels c JOIN units u ON u.id = c.unit_id WHERE c.unit_id = ?`+tx.forUpdate("c"), unitID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			before = notify.Channels{UnitID: u.ID, UnitPath: u.Path}
		case err != nil:
			return fmt.Errorf("unit %d channels: %w", unitID, err)
		}
		if before.Version != version {
			return staleVersion()
		}
		if after, err = d.Apply(before); err != nil {
			return err
		}
		after.Version, after.UpdatedAt = before.Version+1, s.Now()
		if before.Version == 0 {
			_, err = tx.exec(ctx, `INSERT INTO unit_channels (unit_id, dingtalk_url, dingtalk_secret, wecom_url, webhook_url, version, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, unitID, after.DingTalkURL, after.DingTalkSecret, after.WeComURL, after.WebhookURL, after.Version, unix(after.UpdatedAt))
		} else {
			_, err = tx.exec(ctx, `UPDATE unit_channels SET dingtalk_url = ?, dingtalk_secret = ?, wecom_url = ?, webhook_url = ?,
				version = ?, updated_at = ? WHERE unit_id = ?`, after.DingTalkURL, after.DingTalkSecret, after.WeComURL, after.WebhookURL,
				after.Version, unix(after.UpdatedAt), unitID)
		}
		if err != nil {
			return fmt.Errorf("save unit %d channels: %w", unitID, err)
		}
		var was any
		if before.Version != 0 {
			was = before.Audited()
		}
		return tx.audit(ctx, by, change{action: "unit.channels", objectType: "unit", objectID: unitID, unit: &u,
			before: was, after: after.Audited()})
	})
	if err != nil {
		return notify.Channels{}, err
	}
	after.UpdatedAt = fromUnix(unix(after.UpdatedAt))
	return after, nil
}

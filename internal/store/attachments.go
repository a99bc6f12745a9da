package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
	"zeren/internal/audit"
	"zeren/internal/unit"
)

// AddAttachment stores an evidence file with a report that may still be edited.
func (s *Store) AddAttachment(ctx context.Context, by audit.Actor, reportID int64, name string, data []byte, maxSize int64) (attachment.Attachment, error) {
	kind, mime, err := attachment.Check(name, data, maxSize)
	if err != nil {
		return attachment.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	a := attachment.Attachment{ReportID: reportID, Name: name, Kind: kind, MIME: mime, Size: int64(len(data)), CreatedAt: s.Now()}
	err = s.Tx(ctx, func(tx *Tx) error {
		r, err := tx.reportForUpdate(ctx, reportID, 0)
		if err != nil {
			return err
		}
		if !r.Status.Editable() {
			return apperr.New(apperr.Conflict, "err.report_not_editable", string(r.Status))
		}
		if err := tx.queryRow(ctx, `INSERT INTO attachments (report_id, name, kind, mime, size, sha256, data, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, reportID, name, kind, mime, a.Size, hex.EncodeToString(sum[:]), data,
			by.UserID, unix(a.CreatedAt)).Scan(&a.ID); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		u := unit.Unit{ID: r.UnitID, Path: r.UnitPath}
		return tx.audit(ctx, by, change{action: "attachment.add", objectType: "attachment", objectID: a.ID, unit: &u,
			after: map[string]any{"report_id": reportID, "name": name, "kind": kind, "size": a.Size, "sha256": hex.EncodeToString(sum[:])}})
	})
	return a, err
}

// Attachments lists a report's files, without their bytes.
func (s *Store) Attachments(ctx context.Context, reportID int64) ([]attachment.Attachment, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, report_id, name, kind, mime, size, created_at FROM attachments WHERE report_id = ? ORDER BY id`), reportID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []attachment.Attachment
	for rows.Next() {
		var a attachment.Attachment
		var created int64
		if err := rows.Scan(&a.ID, &a.ReportID, &a.Name, &a.Kind, &a.MIME, &a.Size, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromUnix(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentData returns a file's description and bytes.
func (s *Store) AttachmentData(ctx context.Context, id int64) (attachment.Attachment, []byte, error) {
	var a attachment.Attachment
	var data []byte
	var created int64
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT id, report_id, name, kind, mime, size, created_at, data FROM attachments WHERE id = ?`), id).
		Scan(&a.ID, &a.ReportID, &a.Name, &a.Kind, &a.MIME, &a.Size, &created, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, apperr.New(apperr.NotFound, "err.not_found")
	}
	a.CreatedAt = fromUnix(created)
	return a, data, err
}

// RemoveAttachment deletes a file from a report that may still be edited.
func (s *Store) RemoveAttachment(ctx context.Context, by audit.Actor, id int64) error {
	a, _, err := s.AttachmentData(ctx, id)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		r, err := tx.reportForUpdate(ctx, a.ReportID, 0)
		if err != nil {
			return err
		}
		if !r.Status.Editable() {
			return apperr.New(apperr.Conflict, "err.report_not_editable", string(r.Status))
		}
		if _, err := tx.exec(ctx, `DELETE FROM attachments WHERE id = ?`, id); err != nil {
			return err
		}
		u := unit.Unit{ID: r.UnitID, Path: r.UnitPath}
		return tx.audit(ctx, by, change{action: "attachment.remove", objectType: "attachment", objectID: id, unit: &u,
			before: map[string]any{"report_id": a.ReportID, "name": a.Name, "size": a.Size}})
	})
}

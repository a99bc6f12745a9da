package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
)

// Upload is an evidence file as received.
type Upload struct {
	Name string
	Data []byte
}

type checkedUpload struct {
	Upload
	kind, mime string
}

// checkUploads applies the evidence rules (size, recognised kinds) to every
// file before anything is written.
func checkUploads(files []Upload, maxSize int64) ([]checkedUpload, error) {
	out := make([]checkedUpload, 0, len(files))
	for _, f := range files {
		kind, mime, err := attachment.Check(f.Name, f.Data, maxSize)
		if err != nil {
			return nil, err
		}
		out = append(out, checkedUpload{Upload: f, kind: kind, mime: mime})
	}
	return out, nil
}

func (t *Tx) insertFiles(ctx context.Context, eventID int64, files []checkedUpload) error {
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		if _, err := t.exec(ctx, `INSERT INTO event_files (event_id, name, kind, mime, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			eventID, f.Name, f.kind, f.mime, len(f.Data), hex.EncodeToString(sum[:]), f.Data, unix(t.s.Now())); err != nil {
			return err
		}
	}
	return nil
}

// EventFile returns an update's evidence file with its bytes and the item
// it belongs to, for the reader's check.
func (s *Store) EventFile(ctx context.Context, id int64) (attachment.Attachment, []byte, int64, error) {
	var a attachment.Attachment
	var data []byte
	var item, created int64
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT f.id, f.name, f.kind, f.mime, f.size, f.data, f.created_at, e.rectification_id
		FROM event_files f JOIN rectification_events e ON e.id = f.event_id WHERE f.id = ?`), id).
		Scan(&a.ID, &a.Name, &a.Kind, &a.MIME, &a.Size, &data, &created, &item)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	a.CreatedAt = fromUnix(created)
	return a, data, item, err
}

package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
)

// attachmentAdd stores an evidence file sent as multipart field "file";
// a file over the limit or of a kind not allowed is refused, naming either.
func (s *Server) attachmentAdd(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.readableReport(r)
	if err != nil {
		return err
	}
	if err := action.Check(principal(r), action.ReportEdit, action.ReportTarget(rp)); err != nil {
		return err
	}
	err = s.addFile(r, rp.ID)
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict || k == apperr.TooLarge {
		return s.renderReport(w, r, apperr.Status(err), rp, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, reportPath(rp.ID), "flash.attachment_added")
}

func (s *Server) addFile(r *http.Request, reportID int64) error {
	f, h, err := r.FormFile("file")
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return attachment.TooLarge(s.opt.MaxUpload)
	case err != nil:
		return apperr.Field("file", "err.required")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.opt.MaxUpload+1))
	if errors.As(err, &mb) {
		return attachment.TooLarge(s.opt.MaxUpload)
	}
	if err != nil {
		return apperr.Field("file", "err.bad_form")
	}
	_, err = s.act.AddAttachment(r.Context(), principal(r), reportID, h.Filename, data, s.opt.MaxUpload)
	return err
}

// attachmentGet downloads a file for anyone who may read its report.
func (s *Server) attachmentGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, data, _, err := s.act.Attachment(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return sendFile(w, a, data)
}

// attachmentRemove deletes a file while its report may still be edited.
func (s *Server) attachmentRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rp, err := s.act.RemoveAttachment(r.Context(), principal(r), id)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return s.renderReport(w, r, http.StatusConflict, rp, err)
		}
		return err
	}
	return s.redirect(w, r, reportPath(rp.ID), "flash.attachment_removed")
}

// sendFile answers with a stored file as a download.
func sendFile(w http.ResponseWriter, a attachment.Attachment, data []byte) error {
	w.Header().Set("Content-Type", a.MIME)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	_, err := w.Write(data)
	return err
}

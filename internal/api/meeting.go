package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
	"zeren/internal/auth"
	"zeren/internal/cycle"
)

func (a *API) meetingGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	m, err := a.st.Meeting(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// meetingPut stores the meeting; version is 0 for a new one.
func (a *API) meetingPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	if err := action.Check(p, action.CycleManage, action.CycleAt(c.UnitPath)); err != nil {
		return err
	}
	var m cycle.Meeting
	if err := decode(r, &m); err != nil {
		return err
	}
	if m, err = a.act.SaveMeeting(r.Context(), p, c.ID, m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

type attachmentIn struct {
	Name string `json:"name"`
	Data string `json:"data"` // the file, base64
}

// attachmentAdd stores an evidence file sent as {"name", "data" (base64)}.
func (a *API) attachmentAdd(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.readableReport(r, p)
	if err != nil {
		return err
	}
	var in attachmentIn
	if err := decode(r, &in); err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(in.Data)
	if err != nil {
		return apperr.Field("data", "err.bad_base64")
	}
	att, err := a.act.AddAttachment(r.Context(), p, rp.ID, in.Name, data, a.maxUpload)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/attachments/"+strconv.FormatInt(att.ID, 10))
	writeJSON(w, http.StatusCreated, att)
	return nil
}

// attachmentList describes a report's files; attachmentGet sends one.
func (a *API) attachmentList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.readableReport(r, p)
	if err != nil {
		return err
	}
	files, err := a.st.Attachments(r.Context(), rp.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[attachment.Attachment]{Items: nonNil(files)})
	return nil
}

func (a *API) attachmentGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	att, data, _, err := a.act.Attachment(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", att.MIME)
	_, err = w.Write(data)
	return err
}

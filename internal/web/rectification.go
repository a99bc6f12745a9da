package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// rectData is an item's page: the finding, the plan, what the user may do
// now, the urge notices, the extension requests and the timeline.
type rectData struct {
	X          rectification.Rectification
	Timeline   []rectification.Event
	Urges      []rectification.Urge
	Extensions []rectification.Extension
	Plan       rectification.Plan // the form: the stored plan, or what was posted
	Kinds      []rectification.Kind
	Levels     []rectification.UrgeLevel
	// Items are every item answering the same finding, this one included:
	// a finding may be split into several pieces of work.
	Items []rectification.Rectification
	// What the user may do on this item now.
	Can action.RectCan
}

func rectPath(id int64) string { return "/rectifications/" + strconv.FormatInt(id, 10) }

// readableRect loads the {id} item if the user's grants cover its unit.
func (s *Server) readableRect(r *http.Request) (rectification.Rectification, error) {
	id, err := pathID(r)
	if err != nil {
		return rectification.Rectification{}, err
	}
	return s.act.Rectification(r.Context(), principal(r), id)
}

func (s *Server) rectShow(w http.ResponseWriter, r *http.Request) error {
	x, err := s.readableRect(r)
	if err != nil {
		return err
	}
	return s.renderRect(w, r, http.StatusOK, x, nil, nil)
}

func (s *Server) renderRect(w http.ResponseWriter, r *http.Request, status int, x rectification.Rectification, posted *rectification.Plan, formErr error) error {
	d := rectData{X: x, Plan: x.Plan, Kinds: []rectification.Kind{rectification.Immediate, rectification.LongTerm}, Levels: rectification.UrgeLevels,
		Can: action.CanOnRect(principal(r), x)}
	if posted != nil {
		d.Plan = *posted
	}
	var err error
	if d.Timeline, err = s.st.Timeline(r.Context(), x.ID); err != nil {
		return err
	}
	if d.Urges, err = s.st.Urges(r.Context(), x.ID); err != nil {
		return err
	}
	if d.Extensions, err = s.st.Extensions(r.Context(), x.ID); err != nil {
		return err
	}
	if d.Items, err = s.st.FindingRectifications(r.Context(), x.Finding.ID); err != nil {
		return err
	}
	v := s.newView(w, r, "title.rectification", d).withError(formErr)
	v.Title = x.UnitName + " · " + v.T("title.rectification")
	return s.render(w, status, "rectification", v)
}

// afterRectChange redirects to the item after a change, or shows it with
// the error (bad input, a refused step, a stale version).
func (s *Server) afterRectChange(w http.ResponseWriter, r *http.Request, id int64, posted *rectification.Plan, err error, flash string) error {
	if err == nil {
		return s.redirect(w, r, rectPath(id), flash)
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.TooLarge:
		x, gerr := s.st.Rectification(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		return s.renderRect(w, r, apperr.Status(err), x, posted, err)
	}
	return err
}

// allowedRect loads the {id} item for a decision on it, and parses the
// form; the action called then decides again, in the same way.
func (s *Server) allowedRect(r *http.Request, n action.Name) (rectification.Rectification, error) {
	x, err := s.readableRect(r)
	if err != nil {
		return x, err
	}
	if err := action.Check(principal(r), n, action.RectTarget(x)); err != nil {
		return x, err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(1 << 20)
		if err != nil {
			err = formError(err)
		}
		return x, err
	}
	return x, parseForm(r)
}

func (s *Server) planSave(w http.ResponseWriter, r *http.Request) error {
	x, err := s.allowedRect(r, action.RectPlan)
	if err != nil {
		return err
	}
	f := r.PostForm
	p := rectification.Plan{Measures: f.Get("measures"), Owner: f.Get("owner"), ResponsibleLeader: f.Get("responsible_leader"),
		Deadline: f.Get("deadline"), Kind: rectification.Kind(f.Get("kind"))}
	version, err := requiredInt(r, "version")
	if err == nil {
		_, err = s.act.SavePlan(r.Context(), principal(r), x.ID, version, p)
	}
	return s.afterRectChange(w, r, x.ID, &p, err, "flash.saved")
}

var moveFlash = map[rectification.Move]string{rectification.Start: "flash.rect_start", rectification.Submit: "flash.rect_submit",
	rectification.Verify: "flash.rect_verify", rectification.Reject: "flash.rect_reject", rectification.Reopen: "flash.rect_reopen"}

// rectMove takes a step of the status machine; the action the step needs
// is the policy's.
func (s *Server) rectMove(m rectification.Move) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		x, err := s.allowedRect(r, action.StepName(m))
		if err != nil {
			return err
		}
		version, err := requiredInt(r, "version")
		if err == nil {
			_, err = s.act.MoveRectification(r.Context(), principal(r), x.ID, version, m, r.PostForm.Get("reason"))
		}
		return s.afterRectChange(w, r, x.ID, nil, err, moveFlash[m])
	}
}

// updateAdd records progress with evidence files (multipart field "files").
func (s *Server) updateAdd(w http.ResponseWriter, r *http.Request) error {
	x, err := s.allowedRect(r, action.RectPlan)
	if err != nil {
		return err
	}
	files, err := s.uploads(r, "files")
	if err == nil {
		err = s.act.AddUpdate(r.Context(), principal(r), x.ID, r.FormValue("text"), files, s.opt.MaxUpload)
	}
	return s.afterRectChange(w, r, x.ID, nil, err, "flash.update_added")
}

// uploads reads the files of a multipart field, each within the upload limit.
func (s *Server) uploads(r *http.Request, field string) ([]store.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []store.Upload
	for _, h := range r.MultipartForm.File[field] {
		if h.Size > s.opt.MaxUpload {
			return nil, attachment.TooLarge(s.opt.MaxUpload)
		}
		f, err := h.Open()
		if err != nil {
			return nil, apperr.Field(field, "err.bad_form")
		}
		data, err := io.ReadAll(io.LimitReader(f, s.opt.MaxUpload+1))
		f.Close()
		var mb *http.MaxBytesError
		switch {
		case errors.As(err, &mb):
			return nil, attachment.TooLarge(s.opt.MaxUpload)
		case err != nil:
			return nil, apperr.Field(field, "err.bad_form")
		case len(data) == 0:
			continue // an empty file input
		}
		out = append(out, store.Upload{Name: h.Filename, Data: data})
	}
	return out, nil
}

func (s *Server) extensionRequest(w http.ResponseWriter, r *http.Request) error {
	x, err := s.allowedRect(r, action.RectSubmit)
	if err != nil {
		return err
	}
	err = s.act.RequestExtension(r.Context(), principal(r), x.ID, r.PostForm.Get("deadline"), r.PostForm.Get("reason"))
	return s.afterRectChange(w, r, x.ID, nil, err, "flash.extension_requested")
}

// extensionDecide approves or refuses a pending request ({id} is the
// request's; op=approve or refuse).
func (s *Server) extensionDecide(w http.ResponseWriter, r *http.Request) error {
	extID, err := pathID(r)
	if err != nil {
		return err
	}
	id, err := s.st.ExtensionItem(r.Context(), extID)
	if err != nil {
		return err
	}
	r.SetPathValue("id", strconv.FormatInt(id, 10))
	x, err := s.allowedRect(r, action.ExtensionDecide)
	if err != nil {
		return err
	}
	op := r.PostForm.Get("op")
	if op != "approve" && op != "refuse" {
		return s.afterRectChange(w, r, x.ID, nil, apperr.Field("op", "err.unknown_op"), "")
	}
	_, err = s.act.DecideExtension(r.Context(), principal(r), extID, op == "approve")
	flash := "flash.extension_refused"
	if op == "approve" {
		flash = "flash.extension_approved"
	}
	return s.afterRectChange(w, r, x.ID, nil, err, flash)
}

func (s *Server) urgeIssue(w http.ResponseWriter, r *http.Request) error {
	x, err := s.allowedRect(r, action.UrgeIssue)
	if err != nil {
		return err
	}
	f := r.PostForm
	_, err = s.act.IssueUrge(r.Context(), principal(r), x.ID,
		rectification.Urge{Level: rectification.UrgeLevel(f.Get("level")), Text: f.Get("text"), ReplyBy: f.Get("reply_by")})
	return s.afterRectChange(w, r, x.ID, nil, err, "flash.urge_issued")
}

// urgeAct replies to ({op}=reply) or escalates (op=escalate) the {id} notice.
func (s *Server) urgeAct(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.st.Urge(r.Context(), uid)
	if err != nil {
		return err
	}
	r.SetPathValue("id", strconv.FormatInt(u.RectificationID, 10))
	escalate := strings.HasSuffix(r.URL.Path, "/escalate")
	need := action.UrgeReply
	if escalate {
		need = action.UrgeIssue
	}
	x, err := s.allowedRect(r, need)
	if err != nil {
		return err
	}
	f := r.PostForm
	if escalate {
		_, _, err = s.act.EscalateUrge(r.Context(), principal(r), uid, f.Get("text"), f.Get("reply_by"))
		return s.afterRectChange(w, r, x.ID, nil, err, "flash.urge_escalated")
	}
	_, err = s.act.ReplyUrge(r.Context(), principal(r), uid, f.Get("reply"))
	return s.afterRectChange(w, r, x.ID, nil, err, "flash.urge_replied")
}

// eventFile downloads an update's evidence for readers of the item.
func (s *Server) eventFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, data, err := s.act.EvidenceFile(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return sendFile(w, a, data)
}

// rectSplit adds another item, in planning, to the item's finding (the
// note says what it is to answer) and goes to the new item.
func (s *Server) rectSplit(w http.ResponseWriter, r *http.Request) error {
	x, err := s.allowedRect(r, action.FindingEdit)
	if err != nil {
		return err
	}
	id, err := s.act.SplitFinding(r.Context(), principal(r), x.Finding.ID, r.PostForm.Get("note"))
	if err != nil {
		return s.afterRectChange(w, r, x.ID, nil, err, "")
	}
	return s.redirect(w, r, rectPath(id), "flash.rect_split")
}

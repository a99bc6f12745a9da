package web

import (
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/unit"
)

// appraisalData is the appraisal page: its setup, voters, codes and turnout.
type appraisalData struct {
	Cycle     cycle.Cycle
	A         appraisal.Appraisal // ID 0 before it is set up
	Setup     appraisal.Appraisal // the form: the stored setup, or what was posted
	ScaleRows []appraisal.Grade   // the scale padded with empty rows
	GroupRows []appraisal.RaterGroup
	Manage    bool
	Voters    []appraisal.Voter
	Turnout   []appraisal.Turnout
	Voter     bool // the viewer is invited and has not voted yet
	Roles     []auth.Role
}

// GradeLabel is a grade's label: its own, or the catalog's for a default.
func (v *view) GradeLabel(g appraisal.Grade) string {
	if g.Label != "" || g.Key == "" {
		return g.Label
	}
	return v.T("grade." + g.Key)
}

// GroupName names a rater group of the page's appraisal.
func (d appraisalData) GroupName(id int64) string {
	g, _ := d.A.Group(id)
	return g.Name
}

func appraisalPath(id int64) string { return "/appraisals/" + strconv.FormatInt(id, 10) }

// cycleAppraisal loads the {id} cycle's appraisal page for those who may
// manage the cycle or read its results.
func (s *Server) cycleAppraisal(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	a, err := s.st.CycleAppraisal(r.Context(), c.ID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return s.renderAppraisal(w, r, http.StatusOK, c, a, nil, nil)
}

func (s *Server) renderAppraisal(w http.ResponseWriter, r *http.Request, status int, c cycle.Cycle, a appraisal.Appraisal, posted *appraisal.Appraisal, formErr error) error {
	p := principal(r)
	if err := action.Check(p, action.AppraisalResults, action.CycleAt(c.UnitPath)); err != nil {
		return err
	}
	d := appraisalData{Cycle: c, A: a, Setup: a, Manage: action.Can(p, action.AppraisalManage, action.CycleAt(c.UnitPath)), Roles: auth.Roles}
	if a.ID == 0 {
		d.Setup = appraisal.Default()
		d.Setup.Groups = []appraisal.RaterGroup{{Name: "", Weight: 100}}
	}
	if posted != nil {
		d.Setup = *posted
	}
	d.ScaleRows = append(append([]appraisal.Grade{}, d.Setup.Scale...), make([]appraisal.Grade, max(0, appraisal.MaxGrades-len(d.Setup.Scale)))...)
	d.GroupRows = append(append([]appraisal.RaterGroup{}, d.Setup.Groups...), make([]appraisal.RaterGroup, 2)...)
	if a.ID != 0 {
		var err error
		if d.Voters, err = s.st.Voters(r.Context(), a.ID); err != nil {
			return err
		}
		if d.Turnout, err = s.st.Turnout(r.Context(), a); err != nil {
			return err
		}
		if v, err := s.st.UserVoter(r.Context(), a.ID, p.UserID); err == nil {
			d.Voter = !v.Voted && a.Status == appraisal.Open
		}
	}
	v := s.newView(w, r, "title.appraisal", d).withError(formErr)
	v.Title = c.Title + " · " + v.T("title.appraisal")
	return s.render(w, status, "appraisal", v)
}

// setupFromForm reads the setup form: up to MaxGrades scale rows (a row
// without a value is left out) and the rater group rows (a row without a
// name and weight is left out).
func setupFromForm(r *http.Request) (appraisal.Appraisal, error) {
	f := r.PostForm
	a := appraisal.Appraisal{AreaGrades: f.Get("area_grades") != ""}
	for i := range appraisal.MaxGrades {
		n := strconv.Itoa(i)
		label, value := strings.TrimSpace(f.Get("grade_label_"+n)), strings.TrimSpace(f.Get("grade_value_"+n))
		if value == "" {
			continue
		}
		v, err := strconv.Atoi(value)
		if err != nil {
			return a, apperr.Field("scale", "err.grade_value", i+1)
		}
		a.Scale = append(a.Scale, appraisal.Grade{Key: f.Get("grade_key_" + n), Label: label, Value: v})
	}
	for i := 0; f.Has("group_name_" + strconv.Itoa(i)); i++ {
		n := strconv.Itoa(i)
		name, weight := strings.TrimSpace(f.Get("group_name_"+n)), strings.TrimSpace(f.Get("group_weight_"+n))
		if name == "" && weight == "" {
			continue
		}
		w, err := strconv.Atoi(weight)
		if err != nil {
			return a, apperr.Field("groups", "err.group_weight", name)
		}
		id, _ := strconv.ParseInt(f.Get("group_id_"+n), 10, 64)
		a.Groups = append(a.Groups, appraisal.RaterGroup{ID: id, Name: name, Weight: w})
	}
	min, err := strconv.Atoi(strings.TrimSpace(f.Get("min_ballots")))
	if err != nil {
		return a, apperr.Field("min_ballots", "err.not_a_number")
	}
	a.MinBallots = min
	return a, nil
}

// appraisalCreate sets up the appraisal of the {id} cycle.
func (s *Server) appraisalCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.organizedCycle(r)
	if err != nil {
		return err
	}
	setup, err := setupFromForm(r)
	if err == nil {
		var a appraisal.Appraisal
		if a, err = s.act.CreateAppraisal(r.Context(), principal(r), c.ID, setup); err == nil {
			return s.redirect(w, r, appraisalPath(a.ID), "flash.saved")
		}
	}
	current, gerr := s.st.CycleAppraisal(r.Context(), c.ID)
	if gerr != nil && !apperr.Is(gerr, apperr.NotFound) {
		return gerr
	}
	return s.afterAppraisalError(w, r, c, current, &setup, err)
}

// afterAppraisalError shows the page again with the error, or fails.
func (s *Server) afterAppraisalError(w http.ResponseWriter, r *http.Request, c cycle.Cycle, a appraisal.Appraisal, posted *appraisal.Appraisal, err error) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		return s.renderAppraisal(w, r, apperr.Status(err), c, a, posted, err)
	}
	return err
}

// managedAppraisal loads the {id} appraisal and its cycle for an
// organizer's change.
func (s *Server) managedAppraisal(r *http.Request) (cycle.Cycle, appraisal.Appraisal, error) {
	c, a, err := s.readableAppraisal(r)
	if err != nil {
		return c, a, err
	}
	if err := action.Check(principal(r), action.AppraisalManage, action.CycleAt(c.UnitPath)); err != nil {
		return c, a, err
	}
	return c, a, parseForm(r)
}

// readableAppraisal loads the {id} appraisal if its cycle is readable.
func (s *Server) readableAppraisal(r *http.Request) (cycle.Cycle, appraisal.Appraisal, error) {
	id, err := pathID(r)
	if err != nil {
		return cycle.Cycle{}, appraisal.Appraisal{}, err
	}
	a, c, err := s.act.Appraisal(r.Context(), principal(r), id)
	return c, a, err
}

// appraisalShow is the appraisal page by the appraisal's id.
func (s *Server) appraisalShow(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.readableAppraisal(r)
	if err != nil {
		return err
	}
	return s.renderAppraisal(w, r, http.StatusOK, c, a, nil, nil)
}

// afterAppraisalChange redirects to the page after a change, or shows it
// with the error.
func (s *Server) afterAppraisalChange(w http.ResponseWriter, r *http.Request, c cycle.Cycle, a appraisal.Appraisal, posted *appraisal.Appraisal, err error, flash string) error {
	if err == nil {
		return s.redirect(w, r, appraisalPath(a.ID), flash)
	}
	current, gerr := s.st.Appraisal(r.Context(), a.ID)
	if gerr != nil {
		return gerr
	}
	return s.afterAppraisalError(w, r, c, current, posted, err)
}

func (s *Server) appraisalUpdate(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.managedAppraisal(r)
	if err != nil {
		return err
	}
	version, err := requiredInt(r, "version")
	setup, ferr := setupFromForm(r)
	if err == nil {
		err = ferr
	}
	if err == nil {
		_, err = s.act.UpdateAppraisal(r.Context(), principal(r), a.ID, version, setup)
	}
	return s.afterAppraisalChange(w, r, c, a, &setup, err, "flash.saved")
}

// appraisalMove opens or closes voting.
func (s *Server) appraisalMove(to appraisal.Status) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, a, err := s.managedAppraisal(r)
		if err != nil {
			return err
		}
		version, err := requiredInt(r, "version")
		if err == nil {
			_, err = s.act.MoveAppraisal(r.Context(), principal(r), a.ID, version, to)
		}
		flash := "flash.appraisal_opened"
		if to == appraisal.Closed {
			flash = "flash.appraisal_closed"
		}
		return s.afterAppraisalChange(w, r, c, a, nil, err, flash)
	}
}

// votersAdd invites users by login and, if a role is chosen, every user
// holding it within a unit's subtree.
func (s *Server) votersAdd(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.managedAppraisal(r)
	if err != nil {
		return err
	}
	group, err := requiredInt(r, "group_id")
	logins := strings.FieldsFunc(r.PostForm.Get("logins"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' })
	role, path := r.PostForm.Get("role"), ""
	if err == nil && role != "" {
		path, err = s.unitWithin(r, c, "unit_id")
		if err == nil && !auth.Role(role).Valid() {
			err = apperr.Field("role", "err.unknown_role", role)
		}
	}
	if err == nil && len(logins) == 0 && role == "" {
		err = apperr.Field("logins", "err.required")
	}
	if err == nil {
		_, err = s.act.AddVoters(r.Context(), principal(r), a.ID, group, logins, role, path)
	}
	return s.afterAppraisalChange(w, r, c, a, nil, err, "flash.voters_added")
}

// unitWithin reads a unit id field naming a unit of the cycle's subtree and
// returns its path.
func (s *Server) unitWithin(r *http.Request, c cycle.Cycle, field string) (string, error) {
	id, err := requiredInt(r, field)
	if err != nil {
		return "", err
	}
	u, err := s.st.Unit(r.Context(), id)
	if err != nil || !unit.Contains(c.UnitPath, u.Path) {
		return "", apperr.Field(field, "err.no_such_unit", id)
	}
	return u.Path, nil
}

func (s *Server) voterRemove(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.managedAppraisal(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	err = s.act.RemoveVoter(r.Context(), principal(r), a.ID, uid)
	return s.afterAppraisalChange(w, r, c, a, nil, err, "flash.voter_removed")
}

// codeSheet is the printable sheet of new one-time codes: slips to cut, each
// with its code and a QR code of the voting address. The codes exist only
// on this page; the database keeps their hashes.
type codeSheet struct {
	Cycle   cycle.Cycle
	A       appraisal.Appraisal
	Group   string
	Unit    string
	VoteURL string
	Slips   []codeSlip
}

type codeSlip struct {
	Code string
	QR   any // template.URL of an SVG
}

func (s *Server) codesCreate(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.managedAppraisal(r)
	if err != nil {
		return err
	}
	group, err := requiredInt(r, "group_id")
	var count, unitID int64
	if err == nil {
		count, err = requiredInt(r, "count")
	}
	unitName := ""
	if err == nil && strings.TrimSpace(r.PostForm.Get("unit_id")) != "" {
		if _, err = s.unitWithin(r, c, "unit_id"); err == nil {
			unitID, _ = formInt(r, "unit_id")
			u, _ := s.st.Unit(r.Context(), unitID)
			unitName = u.Name
		}
	}
	if err == nil && count > appraisal.MaxCodesAtOnce {
		err = apperr.Field("count", "err.out_of_range", appraisal.MaxCodesAtOnce)
	}
	var codes []appraisal.Code
	if err == nil {
		codes, err = s.act.CreateCodes(r.Context(), principal(r), a.ID, group, unitID, int(count))
	}
	if err != nil {
		return s.afterAppraisalChange(w, r, c, a, nil, err, "")
	}
	d := codeSheet{Cycle: c, A: a, Group: appraisalData{A: a}.GroupName(group), Unit: unitName, VoteURL: s.baseURL(r) + "/vote"}
	for _, k := range codes {
		qr, err := qrSVG(d.VoteURL + "?code=" + k.Code)
		if err != nil {
			return err
		}
		d.Slips = append(d.Slips, codeSlip{Code: k.Code, QR: qr})
	}
	w.Header().Set("Cache-Control", "no-store")
	v := s.newView(w, r, "title.codes", d)
	return s.render(w, http.StatusOK, "codes", v)
}

// baseURL is the address the browser used to reach the server.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// linkBase is where links handed out to be opened later point: the
// configured base URL, else the address the browser used.
func (s *Server) linkBase(r *http.Request) string {
	if s.opt.BaseURL != "" {
		return strings.TrimSuffix(s.opt.BaseURL, "/")
	}
	return s.baseURL(r)
}

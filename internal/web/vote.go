package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/store"
)

// ballotData is the voting page: every report offered to the voter, in
// agenda order, with the scale, on one phone-sized form.
type ballotData struct {
	Cycle      cycle.Cycle
	A          appraisal.Appraisal
	Reports    []report.Report
	Areas      []cycle.Area
	Action     string // where the form posts
	Code       string // for a code voter
	Submission string // random per page, so that a retry counts once
	Chosen     map[string]string
	Done       bool // the voter has voted
	Closed     bool // the window is not open
}

// Checked reports whether a radio button was the voter's choice.
func (d ballotData) Checked(name string, value int) bool {
	return d.Chosen[name] == strconv.Itoa(value)
}

// Grades are the scale's grade numbers, from 1.
func (d ballotData) Grades() []int {
	out := make([]int, len(d.A.Scale))
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func newSubmission() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ballotPage prepares the voting page for a resolved voter.
func (s *Server) ballotPage(r *http.Request, v store.BallotVoter, action, code string) (ballotData, error) {
	d := ballotData{A: v.Appraisal, Action: action, Code: code, Submission: newSubmission(), Chosen: map[string]string{},
		Done: v.Voted, Closed: v.Appraisal.Status != appraisal.Open}
	var err error
	if d.Cycle, err = s.st.Cycle(r.Context(), v.Appraisal.CycleID); err != nil {
		return d, err
	}
	if d.Reports, err = s.st.Offered(r.Context(), v.Appraisal, v.OwnUnits); err != nil {
		return d, err
	}
	if v.Appraisal.AreaGrades {
		if d.Areas, err = s.st.Areas(r.Context(), d.Cycle.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

// ballotsFromForm reads the grades of the offered reports; a report left
// ungraded is left out, for the appraisal's check to name.
func ballotsFromForm(r *http.Request, d *ballotData) ([]appraisal.Ballot, error) {
	f := r.PostForm
	var bs []appraisal.Ballot
	for _, rp := range d.Reports {
		id := strconv.FormatInt(rp.ID, 10)
		g := f.Get("grade_" + id)
		d.Chosen["grade_"+id] = g
		d.Chosen["comment_"+id] = f.Get("comment_" + id)
		if g == "" {
			continue
		}
		grade, err := strconv.Atoi(g)
		if err != nil {
			return nil, apperr.Field("ballots", "err.not_a_number")
		}
		b := appraisal.Ballot{ReportID: rp.ID, Grade: grade, Comment: f.Get("comment_" + id)}
		for _, a := range d.Areas {
			name := "area_" + id + "_" + strconv.FormatInt(a.ID, 10)
			ag := f.Get(name)
			d.Chosen[name] = ag
			if ag == "" {
				continue
			}
			n, err := strconv.Atoi(ag)
			if err != nil {
				return nil, apperr.Field("ballots", "err.not_a_number")
			}
			if b.AreaGrades == nil {
				b.AreaGrades = map[int64]int{}
			}
			b.AreaGrades[a.ID] = n
		}
		bs = append(bs, b)
	}
	// A report posted that the voter is not offered: say so rather than drop it.
	for k := range f {
		if id, ok := strings.CutPrefix(k, "grade_"); ok && d.Chosen[k] == "" && f.Get(k) != "" {
			n, _ := strconv.ParseInt(id, 10, 64)
			return nil, apperr.Field("ballots", "err.report_not_offered", n)
		}
	}
	return bs, nil
}

// castVote records the posted ballots, or shows the page again with the
// voter's choices and the error.
func (s *Server) castVote(w http.ResponseWriter, r *http.Request, v store.BallotVoter, d ballotData, by audit.Actor, done string) error {
	bs, err := ballotsFromForm(r, &d)
	if err == nil {
		_, err = s.st.Vote(r.Context(), by, v, r.PostForm.Get("submission"), bs)
	}
	if err == nil {
		return s.redirect(w, r, done, "flash.voted")
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		d.Submission = r.PostForm.Get("submission")
		vw := s.newView(w, r, "title.vote", d).withError(err)
		return s.render(w, apperr.Status(err), "vote", vw)
	}
	return err
}

// userVoter resolves the signed-in user as a voter of the {id} appraisal;
// one who is neither invited nor able to see the cycle gets 404.
func (s *Server) userVoter(r *http.Request) (store.BallotVoter, error) {
	id, err := pathID(r)
	if err != nil {
		return store.BallotVoter{}, err
	}
	v, err := s.st.UserVoter(r.Context(), id, principal(r).UserID)
	if apperr.Is(err, apperr.Forbidden) {
		if _, _, rerr := s.readableAppraisal(r); rerr != nil {
			return v, rerr
		}
	}
	return v, err
}

func (s *Server) ballotForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userVoter(r)
	if err != nil {
		return err
	}
	d, err := s.ballotPage(r, v, r.URL.Path, "")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
}

func (s *Server) ballotCast(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userVoter(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := s.ballotPage(r, v, r.URL.Path, "")
	if err != nil {
		return err
	}
	return s.castVote(w, r, v, d, principal(r).Actor(), r.URL.Path)
}

// codeVoteForm asks for a one-time code, or, with ?code= (the QR code's
// address), shows that code's ballot.
func (s *Server) codeVoteForm(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("code")
	d := ballotData{Action: "/vote", Code: code}
	if r.URL.Query().Get("done") != "" {
		d.Done = true
		return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
	}
	if code == "" {
		return s.render(w, http.StatusOK, "vote_code", s.newView(w, r, "title.vote", d))
	}
	v, err := s.st.CodeVoter(r.Context(), code)
	if err == nil && v.Voted {
		err = apperr.Field("code", "err.code_spent")
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.Invalid {
			return s.render(w, http.StatusBadRequest, "vote_code", s.newView(w, r, "title.vote", d).withError(err))
		}
		return err
	}
	if d, err = s.ballotPage(r, v, "/vote", appraisal.NormalizeCode(code)); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
}

// codeVote records a code voter's ballots; the code is spent.
func (s *Server) codeVote(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	v, err := s.st.CodeVoter(r.Context(), code)
	if err != nil {
		if apperr.KindOf(err) == apperr.Invalid {
			d := ballotData{Action: "/vote", Code: code}
			return s.render(w, http.StatusBadRequest, "vote_code", s.newView(w, r, "title.vote", d).withError(err))
		}
		return err
	}
	d, err := s.ballotPage(r, v, "/vote", appraisal.NormalizeCode(code))
	if err != nil {
		return err
	}
	return s.castVote(w, r, v, d, audit.Actor{Login: "code"}, "/vote?done=1")
}

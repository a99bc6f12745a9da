package api

import (
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// The democratic appraisal of a cycle (DESIGN.md sections 4 and 7). Ballots
// are anonymous: nothing here logs, audits or answers with what a voter
// graded; a vote is answered with whether it was recorded, nothing more.

// appraisalOut is an appraisal with its groups, and for those who may see
// them the turnout per group and the invited users.
type appraisalOut struct {
	appraisal.Appraisal
	Turnout []appraisal.Turnout `json:"turnout,omitempty"`
	Voters  []appraisal.Voter   `json:"voters,omitempty"`
}

// appraisalIn sets up an appraisal; on PATCH, fields not sent are kept.
type appraisalIn struct {
	Version    *int64                 `json:"version"`
	Scale      []appraisal.Grade      `json:"scale"`
	AreaGrades *bool                  `json:"area_grades"`
	MinBallots *int                   `json:"min_ballots"`
	Groups     []appraisal.RaterGroup `json:"groups"`
}

func (in appraisalIn) apply(a *appraisal.Appraisal) {
	if in.Scale != nil {
		a.Scale = in.Scale
	}
	if in.AreaGrades != nil {
		a.AreaGrades = *in.AreaGrades
	}
	if in.MinBallots != nil {
		a.MinBallots = *in.MinBallots
	}
	if in.Groups != nil {
		a.Groups = in.Groups
	}
}

// versionIn is the body of a state change: the version the client read.
type versionIn struct {
	Version *int64 `json:"version"`
}

func decodeVersion(r *http.Request) (int64, error) {
	var in versionIn
	if err := decode(r, &in); err != nil {
		return 0, err
	}
	if in.Version == nil {
		return 0, apperr.Field("version", "err.required")
	}
	return *in.Version, nil
}

// readableAppraisal loads the {id} appraisal if p may see its cycle.
func (a *API) readableAppraisal(r *http.Request, p *auth.Principal) (appraisal.Appraisal, error) {
	id, err := pathID(r)
	if err != nil {
		return appraisal.Appraisal{}, err
	}
	ap, err := a.st.Appraisal(r.Context(), id)
	if err != nil {
		return ap, err
	}
	_, err = a.act.Cycle(r.Context(), p, ap.CycleID)
	return ap, err
}

// managedAppraisal loads the {id} appraisal for an organizer of its cycle.
func (a *API) managedAppraisal(r *http.Request, p *auth.Principal) (appraisal.Appraisal, error) {
	ap, err := a.readableAppraisal(r, p)
	if err != nil {
		return ap, err
	}
	return ap, action.Check(p, action.AppraisalManage, action.CycleAt(ap.UnitPath))
}

func (a *API) appraisalOut(r *http.Request, p *auth.Principal, ap appraisal.Appraisal) (appraisalOut, error) {
	ap.Groups = nonNil(ap.Groups)
	out := appraisalOut{Appraisal: ap}
	var err error
	if action.Can(p, action.AppraisalResults, action.CycleAt(ap.UnitPath)) {
		if out.Turnout, err = a.st.Turnout(r.Context(), ap); err != nil {
			return out, err
		}
	}
	if action.Can(p, action.AppraisalManage, action.CycleAt(ap.UnitPath)) {
		if out.Voters, err = a.st.Voters(r.Context(), ap.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (a *API) writeAppraisal(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, ap appraisal.Appraisal) error {
	out, err := a.appraisalOut(r, p, ap)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// appraisalCreate sets up the {id} cycle's appraisal; the scale and the
// minimum of ballots not sent are the defaults.
func (a *API) appraisalCreate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	if err := action.Check(p, action.AppraisalManage, action.CycleAt(c.UnitPath)); err != nil {
		return err
	}
	var in appraisalIn
	if err := decode(r, &in); err != nil {
		return err
	}
	setup := appraisal.Default()
	in.apply(&setup)
	ap, err := a.act.CreateAppraisal(r.Context(), p, c.ID, setup)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/appraisals/"+strconv.FormatInt(ap.ID, 10))
	return a.writeAppraisal(w, r, p, http.StatusCreated, ap)
}

func (a *API) appraisalGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ap, err := a.readableAppraisal(r, p)
	if err != nil {
		return err
	}
	return a.writeAppraisal(w, r, p, http.StatusOK, ap)
}

// appraisalPatch changes the setup before voting opens. Groups sent with
// their id keep it (and their voters and codes); the list replaces the old.
func (a *API) appraisalPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ap, err := a.managedAppraisal(r, p)
	if err != nil {
		return err
	}
	var in appraisalIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	in.apply(&ap)
	if ap, err = a.act.UpdateAppraisal(r.Context(), p, ap.ID, *in.Version, ap); err != nil {
		return err
	}
	return a.writeAppraisal(w, r, p, http.StatusOK, ap)
}

// appraisalMove opens or closes voting.
func (a *API) appraisalMove(to appraisal.Status) handler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		ap, err := a.managedAppraisal(r, p)
		if err != nil {
			return err
		}
		version, err := decodeVersion(r)
		if err != nil {
			return err
		}
		if ap, err = a.act.MoveAppraisal(r.Context(), p, ap.ID, version, to); err != nil {
			return err
		}
		return a.writeAppraisal(w, r, p, http.StatusOK, ap)
	}
}

type codesIn struct {
	GroupID *int64 `json:"group_id"`
	Count   *int   `json:"count"`
	UnitID  *int64 `json:"unit_id"` // the attendees' own unit, whose report they are not offered
}

// appraisalCodes makes one-time codes for attendees without an account.
// The answer is the only place the codes ever appear: only hashes are kept.
func (a *API) appraisalCodes(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ap, err := a.managedAppraisal(r, p)
	if err != nil {
		return err
	}
	var in codesIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.GroupID == nil {
		return apperr.Field("group_id", "err.required")
	}
	if in.Count == nil {
		return apperr.Field("count", "err.required")
	}
	codes, err := a.act.CreateCodes(r.Context(), p, ap.ID, *in.GroupID, deref(in.UnitID), *in.Count)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, struct {
		Codes []appraisal.Code `json:"codes"`
	}{codes})
	return nil
}

type votersIn struct {
	GroupID *int64   `json:"group_id"`
	Logins  []string `json:"logins"`
	Role    string   `json:"role"`    // also invite every user holding this role…
	UnitID  *int64   `json:"unit_id"` // …in this unit's subtree (default: the cycle's unit)
}

// appraisalVoters invites users to vote in a rater group, by login and by
// role; a user already invited moves to the group.
func (a *API) appraisalVoters(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ap, err := a.managedAppraisal(r, p)
	if err != nil {
		return err
	}
	var in votersIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.GroupID == nil {
		return apperr.Field("group_id", "err.required")
	}
	if in.Role != "" && !auth.Role(in.Role).Valid() {
		return apperr.Field("role", "err.unknown_role", in.Role)
	}
	if in.Role == "" && in.UnitID != nil {
		return apperr.Field("role", "err.required")
	}
	if in.Role == "" && len(in.Logins) == 0 {
		return apperr.Field("logins", "err.required")
	}
	var path string
	if in.Role != "" {
		path = ap.UnitPath
		if in.UnitID != nil {
			u, err := a.st.Unit(r.Context(), *in.UnitID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			if err != nil || !unit.Contains(ap.UnitPath, u.Path) {
				return apperr.Field("unit_id", "err.no_such_unit", *in.UnitID)
			}
			path = u.Path
		}
	}
	n, err := a.act.AddVoters(r.Context(), p, ap.ID, *in.GroupID, in.Logins, in.Role, path)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Added int `json:"added"`
	}{n})
	return nil
}

// userVoter resolves the caller as a voter of the {id} appraisal. The
// invitation alone lets them vote, whatever their grants; one who is not
// invited gets 403 if they may see the cycle, else 404.
func (a *API) userVoter(r *http.Request, p *auth.Principal) (store.BallotVoter, error) {
	id, err := pathID(r)
	if err != nil {
		return store.BallotVoter{}, err
	}
	return a.act.Voter(r.Context(), p, id)
}

// offeredReport is a report on a ballot.
type offeredReport struct {
	ID       int64  `json:"id"`
	UnitName string `json:"unit_name"`
}

// ballotOut is what a voter needs to fill in a ballot.
type ballotOut struct {
	AppraisalID int64             `json:"appraisal_id"`
	CycleID     int64             `json:"cycle_id"`
	CycleTitle  string            `json:"cycle_title"`
	Status      appraisal.Status  `json:"status"`
	Scale       []appraisal.Grade `json:"scale"` // grade n (from 1) is Scale[n-1]; 0 is "don't know"
	AreaGrades  bool              `json:"area_grades"`
	Areas       []cycle.Area      `json:"areas,omitempty"` // to grade, when area grades are on
	Reports     []offeredReport   `json:"reports"`         // in agenda order
	Voted       bool              `json:"voted"`
}

// ballotGet shows the caller's ballot: the reports offered to them (all
// handed-in reports but their own units'), the scale, the areas.
func (a *API) ballotGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := a.userVoter(r, p)
	if err != nil {
		return err
	}
	ctx, ap := r.Context(), v.Appraisal
	c, err := a.st.Cycle(ctx, ap.CycleID)
	if err != nil {
		return err
	}
	reports, err := a.st.Offered(ctx, ap, v.OwnUnits)
	if err != nil {
		return err
	}
	out := ballotOut{AppraisalID: ap.ID, CycleID: c.ID, CycleTitle: c.Title, Status: ap.Status, Scale: ap.Scale,
		AreaGrades: ap.AreaGrades, Reports: make([]offeredReport, len(reports)), Voted: v.Voted}
	for i, rp := range reports {
		out.Reports[i] = offeredReport{ID: rp.ID, UnitName: rp.UnitName}
	}
	if ap.AreaGrades {
		if out.Areas, err = a.st.Areas(ctx, c.ID); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ballotsIn is one voter's whole submission. Submission is a random token
// the client makes once per ballot form and sends again on a retry, so
// that a retried submission counts once.
type ballotsIn struct {
	Submission string             `json:"submission"`
	Ballots    []appraisal.Ballot `json:"ballots"`
}

type voteIn struct {
	Code       string             `json:"code"`
	Submission string             `json:"submission"`
	Ballots    []appraisal.Ballot `json:"ballots"`
}

// writeVote answers a vote: 201 when recorded, 200 for a retry of a
// submission already recorded. The ballots are never echoed.
func writeVote(w http.ResponseWriter, recorded bool) {
	status := http.StatusOK
	if recorded {
		status = http.StatusCreated
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, struct {
		Recorded bool `json:"recorded"`
	}{recorded})
}

// ballotsPost records the caller's ballots, once.
func (a *API) ballotsPost(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	v, err := a.userVoter(r, p)
	if err != nil {
		return err
	}
	var in ballotsIn
	if err := decode(r, &in); err != nil {
		return err
	}
	recorded, err := a.st.Vote(r.Context(), p.Actor(), v, in.Submission, in.Ballots)
	if err != nil {
		return err
	}
	writeVote(w, recorded)
	return nil
}

// vote records the ballots of an attendee without an account, who gives a
// one-time code instead of a token.
func (a *API) vote(w http.ResponseWriter, r *http.Request) error {
	var in voteIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return apperr.Field("code", "err.required")
	}
	v, err := a.st.CodeVoter(r.Context(), in.Code)
	if err != nil {
		return err
	}
	recorded, err := a.st.Vote(r.Context(), appraisal.CodeActor, v, in.Submission, in.Ballots)
	if err != nil {
		return err
	}
	writeVote(w, recorded)
	return nil
}

// resultOut is a report's result with its unit's name.
type resultOut struct {
	appraisal.Result
	UnitName string `json:"unit_name"`
}

// appraisalResults gives the results of a closed appraisal, in agenda order.
func (a *API) appraisalResults(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ap, err := a.readableAppraisal(r, p)
	if err != nil {
		return err
	}
	if err := action.Check(p, action.AppraisalResults, action.CycleAt(ap.UnitPath)); err != nil {
		return err
	}
	results, reports, err := a.st.Results(r.Context(), ap)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(reports))
	for _, rp := range reports {
		names[rp.ID] = rp.UnitName
	}
	out := struct {
		Appraisal appraisal.Appraisal `json:"appraisal"`
		Areas     []cycle.Area        `json:"areas,omitempty"` // naming the area ids of the results
		Results   []resultOut         `json:"results"`
	}{Appraisal: ap, Results: make([]resultOut, len(results))}
	out.Appraisal.Groups = nonNil(ap.Groups)
	for i, res := range results {
		out.Results[i] = resultOut{Result: res, UnitName: names[res.ReportID]}
	}
	if ap.AreaGrades {
		if out.Areas, err = a.st.Areas(r.Context(), ap.CycleID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

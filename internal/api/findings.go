package api

import (
	"net/http"
	"strconv"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// Findings (问题): the problems pointed out to units. Reading one is
// ReadUnit on its unit; recording one is RecordFinding there, or for a
// self-examination finding also RecordOwnFinding (a unit leader's own);
// editing one is the same right as recording it, and only while every item
// answering it is still being planned. A comment of a closed appraisal
// becomes a finding (once) with its ballot_id, for those who may record
// findings on the report's unit and read the results; a finding may be
// split into several items (RecordFinding) while it is open.

// findingOut is a finding with the items that answer it.
type findingOut struct {
	store.FindingRecord
	Rectifications []rectification.Rectification `json:"rectifications"`
}

// findingIn records a finding.
type findingIn struct {
	UnitID    *int64           `json:"unit_id"`
	CycleID   *int64           `json:"cycle_id"`
	Source    *finding.Source  `json:"source"`
	Area      string           `json:"area"`
	Severity  finding.Severity `json:"severity"`
	Text      string           `json:"text"`
	RootCause string           `json:"root_cause"`
	// BallotID promotes that ballot's comment (see the results'
	// comment_refs): unit, cycle and source may then be left out.
	BallotID string `json:"ballot_id"`
}

// itemIn adds an item to a finding.
type itemIn struct {
	Note string `json:"note"` // what the new item is to answer
}

// findingPatchIn edits one; fields not sent are kept. Its unit, cycle and
// source are fixed.
type findingPatchIn struct {
	Version   *int64            `json:"version"`
	Area      *string           `json:"area"`
	Severity  *finding.Severity `json:"severity"`
	Text      *string           `json:"text"`
	RootCause *string           `json:"root_cause"`
}

// queryID reads an optional id from the query string, naming the parameter
// when it is not a number.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Field(name, "err.not_a_number")
	}
	return n, nil
}

// queryUnitPath resolves ?unit=ID to the path of a unit p may see; an
// unknown or invisible unit is bad input.
func (a *API) queryUnitPath(r *http.Request, p *auth.Principal) (string, error) {
	id, err := queryID(r, "unit")
	if err != nil || id == 0 {
		return "", err
	}
	u, err := a.act.VisibleUnit(r.Context(), p, id, "unit")
	return u.Path, err
}

// findingList lists the findings the caller may see, oldest first:
// ?cycle=ID, ?unit=ID (its whole subtree), ?after=ID (the "next" of the
// previous page), ?limit (1–500, default 50).
func (a *API) findingList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	limit, err := queryLimit(r, 50, 500)
	if err != nil {
		return err
	}
	f := store.FindingFilter{Scopes: p.Scopes(auth.ReadUnit), Limit: limit}
	if f.CycleID, err = queryID(r, "cycle"); err != nil {
		return err
	}
	if f.After, err = queryID(r, "after"); err != nil {
		return err
	}
	if f.UnitPath, err = a.queryUnitPath(r, p); err != nil {
		return err
	}
	xs, next, err := a.st.FindingRecords(r.Context(), f)
	if err != nil {
		return err
	}
	out := list[store.FindingRecord]{Items: nonNil(xs)}
	if next != 0 {
		out.Next = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// readableFinding loads the {id} finding if p may see its unit.
func (a *API) readableFinding(r *http.Request, p *auth.Principal) (store.FindingRecord, error) {
	id, err := pathID(r)
	if err != nil {
		return store.FindingRecord{}, err
	}
	return a.act.Finding(r.Context(), p, id)
}

func (a *API) writeFinding(w http.ResponseWriter, r *http.Request, status int, x store.FindingRecord) error {
	items, err := a.st.FindingRectifications(r.Context(), x.ID)
	if err != nil {
		return err
	}
	writeJSON(w, status, findingOut{FindingRecord: x, Rectifications: nonNil(items)})
	return nil
}

// findingCreate records a finding on a unit in a cycle; its item, in
// planning, is made with it.
func (a *API) findingCreate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in findingIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.BallotID != "" {
		return a.findingPromote(w, r, p, in)
	}
	switch {
	case in.UnitID == nil:
		return apperr.Field("unit_id", "err.required")
	case in.CycleID == nil:
		return apperr.Field("cycle_id", "err.required")
	case in.Source == nil:
		return apperr.Field("source", "err.required")
	case !in.Source.Valid():
		return apperr.Field("source", "err.unknown_source")
	}
	f, err := a.act.RecordFinding(r.Context(), p, finding.Finding{UnitID: *in.UnitID, CycleID: *in.CycleID, Source: *in.Source,
		Area: in.Area, Severity: in.Severity, Text: in.Text, RootCause: in.RootCause})
	if err != nil {
		return err
	}
	return a.writeCreated(w, r, f.ID)
}

// writeCreated answers 201 with the new finding and its item.
func (a *API) writeCreated(w http.ResponseWriter, r *http.Request, id int64) error {
	x, err := a.st.FindingRecord(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/findings/"+strconv.FormatInt(x.ID, 10))
	return a.writeFinding(w, r, http.StatusCreated, x)
}

// findingPromote makes a finding of a closed appraisal's ballot comment.
func (a *API) findingPromote(w http.ResponseWriter, r *http.Request, p *auth.Principal, in findingIn) error {
	f := finding.Finding{Area: in.Area, Severity: in.Severity, Text: in.Text, RootCause: in.RootCause}
	if in.UnitID != nil {
		f.UnitID = *in.UnitID
	}
	if in.CycleID != nil {
		f.CycleID = *in.CycleID
	}
	if in.Source != nil {
		f.Source = *in.Source
	}
	f, err := a.act.PromoteComment(r.Context(), p, in.BallotID, f)
	if err != nil {
		return err
	}
	return a.writeCreated(w, r, f.ID)
}

// findingSplit adds another item, in planning, to the {id} finding while
// it is open; the body ({"note": ...}) may be left out.
func (a *API) findingSplit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in itemIn
	if err := decode(r, &in); err != nil {
		if e, ok := apperr.As(err); !ok || e.Key != "err.empty_body" {
			return err
		}
	}
	item, err := a.act.SplitFinding(r.Context(), p, id, in.Note)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/rectifications/"+strconv.FormatInt(item, 10))
	return a.writeRect(w, r, http.StatusCreated, item)
}

func (a *API) findingGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableFinding(r, p)
	if err != nil {
		return err
	}
	return a.writeFinding(w, r, http.StatusOK, x)
}

// findingPatch edits the area, severity, text and root cause (fields not
// sent are kept) while every item of the finding is still being planned.
func (a *API) findingPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableFinding(r, p)
	if err != nil {
		return err
	}
	var in findingPatchIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	f := x.Finding
	if in.Area != nil {
		f.Area = *in.Area
	}
	if in.Severity != nil {
		f.Severity = *in.Severity
	}
	if in.Text != nil {
		f.Text = *in.Text
	}
	if in.RootCause != nil {
		f.RootCause = *in.RootCause
	}
	if x, err = a.act.EditFinding(r.Context(), p, x.ID, *in.Version, f); err != nil {
		return err
	}
	return a.writeFinding(w, r, http.StatusOK, x)
}

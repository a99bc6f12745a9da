package api

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// Rectifications (整改事项), the items that answer findings, with their
// updates, steps, extensions and urge notices (DESIGN.md sections 4 and 7).
// Reading an item is ReadUnit on its unit: a caller who cannot see the unit
// gets 404, one who sees it but may not take the step 403.

// rectOut is an item with its timeline, extension requests and notices.
type rectOut struct {
	rectification.Rectification
	Timeline   []rectification.Event     `json:"timeline"`
	Extensions []rectification.Extension `json:"extensions"` // newest first
	Urges      []rectification.Urge      `json:"urges"`      // newest first
}

// rectPage is a page of the ledger: next is the cursor of the next page
// ("" at the end), count the number of items of the whole selection.
type rectPage struct {
	Items []rectification.Rectification `json:"items"`
	Next  string                        `json:"next"`
	Count int                           `json:"count"`
}

// rectList lists the items the caller may see, in the ledger's order:
// ?cycle, ?unit (its subtree), ?status, ?warning, ?kind, ?source, ?area,
// ?q (in the finding and the measures), ?sort=deadline|overdue,
// ?after=CURSOR (the "next" of the previous page), ?limit (1–500).
func (a *API) rectList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, 50, 500)
	if err != nil {
		return err
	}
	f := store.LedgerFilter{Scopes: p.Scopes(auth.ReadUnit), Status: rectification.Status(q.Get("status")),
		Kind: rectification.Kind(q.Get("kind")), Warning: rectification.Warning(q.Get("warning")),
		Source: finding.Source(q.Get("source")), Area: strings.TrimSpace(q.Get("area")), Text: q.Get("q"),
		Sort: q.Get("sort"), After: q.Get("after"), Limit: limit, Carried: ledger.Carried(q)}
	if f.CycleID, err = queryID(r, "cycle"); err != nil {
		return err
	}
	if f.UnitPath, err = a.queryUnitPath(r, p); err != nil {
		return err
	}
	ctx := r.Context()
	items, next, err := a.st.Ledger(ctx, f)
	if err != nil {
		return err
	}
	f.After = ""
	n, err := a.st.LedgerCount(ctx, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rectPage{Items: nonNil(items), Next: next, Count: n})
	return nil
}

// readableRect loads the {id} item if p may see its unit.
func (a *API) readableRect(r *http.Request, p *auth.Principal) (rectification.Rectification, error) {
	id, err := pathID(r)
	if err != nil {
		return rectification.Rectification{}, err
	}
	return a.act.Rectification(r.Context(), p, id)
}

// writeRect answers with the item as it now stands.
func (a *API) writeRect(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	ctx := r.Context()
	x, err := a.st.Rectification(ctx, id)
	if err != nil {
		return err
	}
	out := rectOut{Rectification: x}
	if out.Timeline, err = a.st.Timeline(ctx, id); err != nil {
		return err
	}
	if out.Extensions, err = a.st.Extensions(ctx, id); err != nil {
		return err
	}
	if out.Urges, err = a.st.Urges(ctx, id); err != nil {
		return err
	}
	out.Timeline, out.Extensions, out.Urges = nonNil(out.Timeline), nonNil(out.Extensions), nonNil(out.Urges)
	writeJSON(w, status, out)
	return nil
}

func (a *API) rectGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	return a.writeRect(w, r, http.StatusOK, x.ID)
}

// planIn is the plan; on PATCH, fields not sent are kept.
type planIn struct {
	Version           *int64              `json:"version"`
	Measures          *string             `json:"measures"`
	Owner             *string             `json:"owner"`
	ResponsibleLeader *string             `json:"responsible_leader"`
	Deadline          *string             `json:"deadline"`
	Kind              *rectification.Kind `json:"kind"`
}

// rectPatch saves the plan (the unit's leader or staff). While planning,
// the deadline is free (not before today); once the work has started it
// moves only by an approved extension.
func (a *API) rectPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	var in planIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	plan := x.Plan
	for _, f := range []struct {
		in  *string
		out *string
	}{{in.Measures, &plan.Measures}, {in.Owner, &plan.Owner}, {in.ResponsibleLeader, &plan.ResponsibleLeader}, {in.Deadline, &plan.Deadline}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	if in.Kind != nil {
		plan.Kind = *in.Kind
	}
	if _, err := a.act.SavePlan(r.Context(), p, x.ID, *in.Version, plan); err != nil {
		return err
	}
	return a.writeRect(w, r, http.StatusOK, x.ID)
}

type fileIn struct {
	Name string `json:"name"`
	Data string `json:"data"` // base64
}

type updateIn struct {
	Text  string   `json:"text"`
	Files []fileIn `json:"files"`
}

// rectUpdate records progress, with evidence files checked as a report's
// attachments are (kinds, and the configured largest size).
func (a *API) rectUpdate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	var in updateIn
	if err := decode(r, &in); err != nil {
		return err
	}
	files := make([]store.Upload, len(in.Files))
	for i, f := range in.Files {
		data, err := base64.StdEncoding.DecodeString(f.Data)
		if err != nil {
			return apperr.Field("data", "err.bad_base64")
		}
		files[i] = store.Upload{Name: f.Name, Data: data}
	}
	if err := a.act.AddUpdate(r.Context(), p, x.ID, in.Text, files, a.maxUpload); err != nil {
		return err
	}
	return a.writeRect(w, r, http.StatusCreated, x.ID)
}

type submitIn struct {
	Version *int64             `json:"version"`
	Move    rectification.Move `json:"move"` // optional: "start" or "submit"
}

type verifyIn struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"` // required to reject or reopen
}

// rectSubmit is the unit leader's step: without "move", it starts the work
// on a planned item (planning → in progress) and submits one in progress
// for verification (in progress → awaiting verification); "move": "start"
// or "submit" insists on one. The version makes the choice safe: the
// client read the state it was made on.
func (a *API) rectSubmit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	var in submitIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	m := in.Move
	switch m {
	case "":
		m = rectification.Submit
		if x.Status == rectification.Planning {
			m = rectification.Start
		}
	case rectification.Start, rectification.Submit:
	default:
		return apperr.Field("move", "err.unknown_move")
	}
	if _, err := a.act.MoveRectification(r.Context(), p, x.ID, *in.Version, m, ""); err != nil {
		return err
	}
	return a.writeRect(w, r, http.StatusOK, x.ID)
}

// rectMove is a supervisor's step: verify (by someone other than the
// submitter), reject or reopen (with a reason).
func (a *API) rectMove(m rectification.Move) handler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		x, err := a.readableRect(r, p)
		if err != nil {
			return err
		}
		var in verifyIn
		if err := decode(r, &in); err != nil {
			return err
		}
		if in.Version == nil {
			return apperr.Field("version", "err.required")
		}
		if _, err := a.act.MoveRectification(r.Context(), p, x.ID, *in.Version, m, in.Reason); err != nil {
			return err
		}
		return a.writeRect(w, r, http.StatusOK, x.ID)
	}
}

type extendIn struct {
	Deadline string `json:"deadline"`
	Reason   string `json:"reason"`
}

// rectExtend asks for a later deadline (the unit leader), with a reason;
// an organizer decides at /extensions/{id}/approve or /refuse.
func (a *API) rectExtend(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	var in extendIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.act.RequestExtension(r.Context(), p, x.ID, in.Deadline, in.Reason); err != nil {
		return err
	}
	return a.writeRect(w, r, http.StatusCreated, x.ID)
}

// extensionDecide approves (the deadline moves, the original is kept) or
// refuses a pending extension request; no body is needed.
func (a *API) extensionDecide(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		extID, err := pathID(r)
		if err != nil {
			return err
		}
		id, err := a.act.DecideExtension(r.Context(), p, extID, approve)
		if err != nil {
			return err
		}
		return a.writeRect(w, r, http.StatusOK, id)
	}
}

type urgeIn struct {
	Level   rectification.UrgeLevel `json:"level"`
	Text    string                  `json:"text"`
	ReplyBy string                  `json:"reply_by"`
}

// writeUrge answers with one notice.
func (a *API) writeUrge(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	u, err := a.st.Urge(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, u)
	return nil
}

// rectUrge issues an urge notice (督办) on an open item.
func (a *API) rectUrge(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	x, err := a.readableRect(r, p)
	if err != nil {
		return err
	}
	var in urgeIn
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := a.act.IssueUrge(r.Context(), p, x.ID, rectification.Urge{Level: in.Level, Text: in.Text, ReplyBy: in.ReplyBy})
	if err != nil {
		return err
	}
	return a.writeUrge(w, r, http.StatusCreated, id)
}

type replyIn struct {
	Reply string `json:"reply"`
}

// urgeReply records the unit's answer to a notice.
func (a *API) urgeReply(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in replyIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := a.act.ReplyUrge(r.Context(), p, id, in.Reply); err != nil {
		return err
	}
	return a.writeUrge(w, r, http.StatusOK, id)
}

type escalateIn struct {
	Text    string `json:"text"`
	ReplyBy string `json:"reply_by"`
}

// urgeEscalate replaces an unanswered notice with one of the next level
// (blue → yellow → red); the answer is the new notice.
func (a *API) urgeEscalate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	urgeID, err := pathID(r)
	if err != nil {
		return err
	}
	var in escalateIn
	if err := decode(r, &in); err != nil {
		return err
	}
	_, id, err := a.act.EscalateUrge(r.Context(), p, urgeID, in.Text, in.ReplyBy)
	if err != nil {
		return err
	}
	return a.writeUrge(w, r, http.StatusCreated, id)
}

// statsOut is the roll-up of a unit's whole subtree in a cycle.
type statsOut struct {
	UnitID  int64 `json:"unit_id"`
	CycleID int64 `json:"cycle_id"`
	rectification.Stats
}

// unitStats reads the {id} unit's subtree figures in ?cycle=ID from its
// counters: totals per status, overdue and due soon, the on-time rate.
func (a *API) unitStats(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := a.act.Unit(r.Context(), p, id)
	if err != nil {
		return err
	}
	cycleID, err := queryID(r, "cycle")
	if err != nil {
		return err
	}
	if cycleID == 0 {
		return apperr.Field("cycle", "err.required")
	}
	if _, err := a.st.Cycle(r.Context(), cycleID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("cycle", "err.no_such_cycle", cycleID)
		}
		return err
	}
	st, err := a.st.UnitStats(r.Context(), u.ID, cycleID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, statsOut{UnitID: u.ID, CycleID: cycleID, Stats: st})
	return nil
}

// evidenceGet sends an update's evidence file to a reader of its item.
func (a *API) evidenceGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	file, data, err := a.act.EvidenceFile(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", file.MIME)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file.Name}))
	_, err = w.Write(data)
	return err
}

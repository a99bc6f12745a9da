// Package appraisal holds the rules of the anonymous democratic appraisal of
// a cycle's reports: its grade scale, rater groups, voters, ballots and how
// the results are computed (DESIGN.md sections 4 and 7).
package appraisal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
)

// Status is where an appraisal stands: set up, then open for votes, then
// closed for good.
type Status string

// The statuses.
const (
	Setup  Status = "setup"
	Open   Status = "open"
	Closed Status = "closed"
)

// Grade is one step of the scale. Key names a default grade, whose label
// comes from the catalog unless Label overrides it.
type Grade struct {
	Key   string `json:"key,omitempty"`
	Label string `json:"label,omitempty"`
	Value int    `json:"value"`
}

// DontKnow is the grade a voter gives when they cannot judge: recorded, but
// never a valid vote. Valid grades are numbered from 1 in scale order.
const DontKnow = 0

// DefaultScale is Good 100 / Fairly good 80 / Average 60 / Poor 0.
func DefaultScale() []Grade {
	return []Grade{{Key: "good", Value: 100}, {Key: "fairly_good", Value: 80}, {Key: "average", Value: 60}, {Key: "poor", Value: 0}}
}

// DefaultMinBallots is the number of valid ballots below which a report's
// result is not shown.
const DefaultMinBallots = 8

// Limits of a setup.
const (
	MaxGrades      = 6
	MaxGroups      = 10
	MaxLabelLen    = 40
	MaxCommentLen  = 1000
	MaxCodesAtOnce = 1000
)

// RaterGroup is a group of voters whose ballots weigh together.
type RaterGroup struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Weight int    `json:"weight"` // percent; the weights of an appraisal sum to 100
}

// Appraisal is the democratic appraisal of one cycle.
type Appraisal struct {
	ID         int64        `json:"id"`
	CycleID    int64        `json:"cycle_id"`
	UnitID     int64        `json:"-"` // the cycle's unit
	UnitPath   string       `json:"-"`
	Status     Status       `json:"status"`
	Scale      []Grade      `json:"scale"`
	AreaGrades bool         `json:"area_grades"` // voters also grade each area
	MinBallots int          `json:"min_ballots"`
	Groups     []RaterGroup `json:"groups"`
	OpenedAt   *time.Time   `json:"opened_at,omitempty"`
	ClosedAt   *time.Time   `json:"closed_at,omitempty"`
	Version    int64        `json:"version"`
}

// Default is the setup of a new appraisal.
func Default() Appraisal {
	return Appraisal{Status: Setup, Scale: DefaultScale(), MinBallots: DefaultMinBallots}
}

// Normalize checks a setup: the scale, the minimum and the rater groups,
// whose weights must sum to 100.
func (a *Appraisal) Normalize() error {
	if len(a.Scale) < 2 || len(a.Scale) > MaxGrades {
		return apperr.Field("scale", "err.scale_size", 2, MaxGrades)
	}
	for i := range a.Scale {
		g := &a.Scale[i]
		g.Label = strings.TrimSpace(g.Label)
		if g.Label == "" && !defaultKey(g.Key) {
			return apperr.Field("scale", "err.grade_label", i+1)
		}
		if utf8.RuneCountInString(g.Label) > MaxLabelLen {
			return apperr.Field("scale", "err.too_long", MaxLabelLen)
		}
		if g.Value < 0 || g.Value > 100 {
			return apperr.Field("scale", "err.grade_value", i+1)
		}
	}
	if a.MinBallots < 1 || a.MinBallots > 10000 {
		return apperr.Field("min_ballots", "err.out_of_range", 10000)
	}
	if len(a.Groups) == 0 || len(a.Groups) > MaxGroups {
		return apperr.Field("groups", "err.groups_size", MaxGroups)
	}
	sum := 0
	seen := map[string]bool{}
	for i := range a.Groups {
		g := &a.Groups[i]
		g.Name = strings.TrimSpace(g.Name)
		switch n := utf8.RuneCountInString(g.Name); {
		case n == 0:
			return apperr.Field("groups", "err.group_name", i+1)
		case n > MaxLabelLen:
			return apperr.Field("groups", "err.too_long", MaxLabelLen)
		case seen[g.Name]:
			return apperr.Field("groups", "err.group_twice", g.Name)
		}
		seen[g.Name] = true
		if g.Weight < 0 || g.Weight > 100 {
			return apperr.Field("groups", "err.group_weight", g.Name)
		}
		sum += g.Weight
	}
	if sum != 100 {
		return apperr.Field("groups", "err.weights_sum", sum)
	}
	return nil
}

func defaultKey(k string) bool {
	for _, g := range DefaultScale() {
		if g.Key == k {
			return true
		}
	}
	return false
}

// Group returns the rater group with the id, if the appraisal has it.
func (a Appraisal) Group(id int64) (RaterGroup, bool) {
	for _, g := range a.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return RaterGroup{}, false
}

// CheckEdit refuses changes to the setup once voting has opened: a ballot's
// grade numbers mean the scale they were cast on.
func (a Appraisal) CheckEdit() error {
	if a.Status != Setup {
		return apperr.New(apperr.Conflict, "err.appraisal_not_setup")
	}
	return nil
}

// CheckMove allows setup → open → closed only.
func (a Appraisal) CheckMove(to Status) error {
	switch {
	case a.Status == Setup && to == Open, a.Status == Open && to == Closed:
		return nil
	case a.Status == Closed:
		return apperr.New(apperr.Conflict, "err.appraisal_closed")
	}
	return apperr.New(apperr.Conflict, "err.appraisal_move", string(a.Status))
}

// CheckVoting refuses ballots outside the voting window.
func (a Appraisal) CheckVoting() error {
	switch a.Status {
	case Open:
		return nil
	case Closed:
		return apperr.New(apperr.Conflict, "err.voting_closed")
	}
	return apperr.New(apperr.Conflict, "err.voting_not_open")
}

// Ballot is one voter's grade of one report. It carries no voter and no time.
type Ballot struct {
	ReportID   int64         `json:"report_id"`
	Grade      int           `json:"grade"` // 1… in scale order, or DontKnow
	AreaGrades map[int64]int `json:"area_grades,omitempty"`
	Comment    string        `json:"comment,omitempty"`
}

// CheckBallots checks one voter's submission against the scale and the
// reports offered to that voter: every offered report graded once, nothing
// else. areas are the cycle's area ids, used when area grades are on.
func (a Appraisal) CheckBallots(bs []Ballot, offered map[int64]bool, areas []int64) error {
	if len(bs) == 0 {
		return apperr.Field("ballots", "err.required")
	}
	seen := map[int64]bool{}
	for i := range bs {
		b := &bs[i]
		if !offered[b.ReportID] {
			return apperr.Field("ballots", "err.report_not_offered", b.ReportID)
		}
		if seen[b.ReportID] {
			return apperr.Field("ballots", "err.report_twice", b.ReportID)
		}
		seen[b.ReportID] = true
		if !a.validGrade(b.Grade) {
			return apperr.Field("ballots", "err.grade_outside_scale", b.Grade, len(a.Scale))
		}
		if !a.AreaGrades && len(b.AreaGrades) > 0 {
			return apperr.Field("ballots", "err.no_area_grades")
		}
		for area, g := range b.AreaGrades {
			if !slices.Contains(areas, area) {
				return apperr.Field("ballots", "err.no_such_area", area)
			}
			if !a.validGrade(g) {
				return apperr.Field("ballots", "err.grade_outside_scale", g, len(a.Scale))
			}
		}
		b.Comment = strings.TrimSpace(b.Comment)
		if utf8.RuneCountInString(b.Comment) > MaxCommentLen {
			return apperr.Field("ballots", "err.too_long", MaxCommentLen)
		}
	}
	if len(seen) != len(offered) {
		return apperr.Field("ballots", "err.ballots_missing", len(offered)-len(seen))
	}
	return nil
}

func (a Appraisal) validGrade(g int) bool { return g >= DontKnow && g <= len(a.Scale) }

// Voter is a user invited to vote, in a rater group.
type Voter struct {
	UserID  int64  `json:"user_id"`
	Login   string `json:"login"`
	Name    string `json:"name"`
	GroupID int64  `json:"group_id"`
}

// Code is a one-time voting code for an attendee without an account, as
// generated; only its hash is stored.
type Code struct {
	Code    string `json:"code"`
	GroupID int64  `json:"group_id"`
	UnitID  int64  `json:"unit_id,omitempty"` // the attendee's own unit, whose report they are not offered
}

// codeEncoding leaves out letters easily misread on paper.
var codeEncoding = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// NewCode returns a random code of 12 characters (60 bits), grouped in
// threes for reading aloud.
func NewCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	s := codeEncoding.EncodeToString(b)[:12]
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}

// NormalizeCode accepts a code as typed: any case, with or without dashes
// and spaces. It returns "" for something that cannot be a code.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != 12 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", r) {
			return ""
		}
	}
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}

// HashCode is what is stored of a normalized code.
func HashCode(code string) string {
	h := sha256.Sum256([]byte("zeren-code:" + code))
	return hex.EncodeToString(h[:])
}

// CodeActor is who the audit trail says voted with a one-time code: no
// one in particular.
var CodeActor = audit.Actor{Login: "code"}

// VoterKey names a voter in the voter marks: a user or a code hash.
func VoterKey(userID int64, codeHash string) string {
	if codeHash != "" {
		return "c:" + codeHash
	}
	return "u:" + strconv.FormatInt(userID, 10)
}

// NewBallotID returns a random ballot id, so that ids reveal no order.
func NewBallotID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// HashSubmission is what is stored of a submission token, the random value
// a voting page carries so that a retried submission counts once.
func HashSubmission(token string) string {
	if token == "" {
		return ""
	}
	h := sha256.Sum256([]byte("zeren-submission:" + token))
	return hex.EncodeToString(h[:])
}

// Turnout is how many of a group's voters have voted.
type Turnout struct {
	Group    RaterGroup `json:"group"`
	Voted    int        `json:"voted"`
	Eligible int        `json:"eligible"`
}

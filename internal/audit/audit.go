// Package audit defines the tamper-evident audit trail: every state change
// is an event, and each event's hash covers its content and the hash of
// the event before it, so that altering, removing or inserting an event
// breaks the chain at that point.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one state change.
type Event struct {
	Seq        int64           `json:"seq"` // position in the chain, from 1, no gaps
	At         time.Time       `json:"at"`
	UserID     int64           `json:"user_id"` // 0: the system or the command line
	Login      string          `json:"login,omitempty"`
	Action     string          `json:"action"` // e.g. "unit.move"
	ObjectType string          `json:"object_type"`
	ObjectID   int64           `json:"object_id"`
	UnitID     int64           `json:"unit_id,omitempty"`
	UnitPath   string          `json:"unit_path,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Actor is who causes a change: a user, or the system (UserID 0) such as the
// command line or housekeeping, named by Login.
type Actor struct {
	UserID int64
	Login  string
}

// System is the actor of housekeeping; CLI commands use their own name.
var System = Actor{Login: "system"}

// Genesis is the "previous hash" of the first event.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hash of the event's content and its PrevHash. The
// content is encoded as a JSON array in a fixed order, which encoding/json
// writes the same way every time.
func (e *Event) ComputeHash() string {
	b, err := json.Marshal([]any{
		e.Seq, e.At.UTC().UnixMicro(), e.UserID, e.Login, e.Action, e.ObjectType, e.ObjectID,
		e.UnitID, e.UnitPath, string(e.Before), string(e.After), e.PrevHash,
	})
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Seal sets the event's place in the chain after the given head and its hash.
func (e *Event) Seal(headSeq int64, headHash string) {
	e.Seq = headSeq + 1
	e.PrevHash = headHash
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ComputeHash()
}

// Snapshot encodes an object for Before or After; nil stays empty.
func Snapshot(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("audit snapshot: %v", err))
	}
	return b
}

// Problem is the first break found in the chain.
type Problem struct {
	Seq    int64  // the event at fault, or the first one missing
	Kind   string // "altered", "missing", "inserted"
	Detail string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("event %d %s: %s", p.Seq, p.Kind, p.Detail)
}

// Verifier checks a chain one event at a time, in seq order, against the
// head recorded apart, which catches events removed from the end and events
// appended without going through zeren.
type Verifier struct {
	seq      int64
	hash     string
	n        int64
	headSeq  int64
	headHash string
}

// NewVerifier starts at the genesis.
func NewVerifier(headSeq int64, headHash string) *Verifier {
	return &Verifier{hash: Genesis, headSeq: headSeq, headHash: headHash}
}

// Next checks the next stored event.
func (v *Verifier) Next(e Event) *Problem {
	switch {
	case e.Seq > v.headSeq:
		return &Problem{Seq: e.Seq, Kind: "inserted", Detail: fmt.Sprintf("it lies past the recorded head %d", v.headSeq)}
	case e.Seq > v.seq+1:
		return &Problem{Seq: v.seq + 1, Kind: "missing", Detail: fmt.Sprintf("events %d to %d are absent", v.seq+1, e.Seq-1)}
	case e.Seq <= v.seq:
		return &Problem{Seq: e.Seq, Kind: "inserted", Detail: "its position repeats an earlier event's"}
	case e.Hash != e.ComputeHash():
		return &Problem{Seq: e.Seq, Kind: "altered", Detail: "its content does not match its hash"}
	case e.PrevHash != v.hash:
		return &Problem{Seq: e.Seq, Kind: "inserted", Detail: "it does not follow from the event before it"}
	}
	v.seq, v.hash = e.Seq, e.Hash
	v.n++
	return nil
}

// End checks that the chain reached the recorded head.
func (v *Verifier) End() *Problem {
	switch {
	case v.seq < v.headSeq:
		return &Problem{Seq: v.seq + 1, Kind: "missing", Detail: fmt.Sprintf("the chain ends at %d but the recorded head is %d", v.seq, v.headSeq)}
	case v.hash != v.headHash:
		return &Problem{Seq: v.seq, Kind: "altered", Detail: "the last event does not match the recorded head"}
	}
	return nil
}

// Count is the number of events checked so far.
func (v *Verifier) Count() int64 { return v.n }

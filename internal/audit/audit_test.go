package audit

import (
	"testing"
	"time"
)

func chain(n int) []Event {
	var out []Event
	seq, hash := int64(0), Genesis
	for i := 0; i < n; i++ {
		e := Event{At: time.Date(2021, 1, 12, 9, 0, i, 0, time.UTC), UserID: 1, Action: "unit.update",
			ObjectType: "unit", ObjectID: 7, Before: Snapshot(map[string]any{"name": "a"}), After: Snapshot(map[string]any{"name": "b"})}
		e.Seal(seq, hash)
		seq, hash = e.Seq, e.Hash
		out = append(out, e)
	}
	return out
}

func verify(events []Event, headSeq int64, headHash string) *Problem {
	v := NewVerifier(headSeq, headHash)
	for _, e := range events {
		if p := v.Next(e); p != nil {
			return p
		}
	}
	return v.End()
}

func TestVerify(t *testing.T) {
	good := chain(5)
	head := good[4]
	if p := verify(good, head.Seq, head.Hash); p != nil {
		t.Fatalf("intact chain: %v", p)
	}
	for _, tc := range []struct {
		name   string
		mutate func([]Event) []Event
		seq    int64
		kind   string
	}{
		{"altered payload", func(es []Event) []Event { es[2].After = []byte(`{"name":"c"}`); return es }, 3, "altered"},
		{"altered actor", func(es []Event) []Event { es[1].UserID = 2; return es }, 2, "altered"},
		{"removed in the middle", func(es []Event) []Event { return append(es[:2], es[3:]...) }, 3, "missing"},
		{"removed at the end", func(es []Event) []Event { return es[:4] }, 5, "missing"},
		{"inserted duplicate position", func(es []Event) []Event {
			x := es[1]
			x.Action = "forged"
			x.Hash = x.ComputeHash()
			return append(es[:2], append([]Event{x}, es[2:]...)...)
		}, 2, "inserted"},
		{"rehashed after edit", func(es []Event) []Event { es[2].Action = "forged"; es[2].Hash = es[2].ComputeHash(); return es }, 4, "inserted"},
		{"appended past the head", func(es []Event) []Event {
			x := Event{At: time.Now(), Action: "forged", ObjectType: "unit"}
			x.Seal(es[4].Seq, es[4].Hash)
			return append(es, x)
		}, 6, "inserted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := verify(tc.mutate(chain(5)), head.Seq, head.Hash)
			if p == nil || p.Seq != tc.seq || p.Kind != tc.kind {
				t.Fatalf("got %v, want event %d %s", p, tc.seq, tc.kind)
			}
		})
	}
}

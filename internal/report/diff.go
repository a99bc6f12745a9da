package report

import (
	"github.com/sergi/go-diff/diffmatchpatch"
)

// Piece is a run of text that is the same in both versions, or only in the
// older one (deleted), or only in the newer one (inserted).
type Piece struct {
	Text string
	Op   int // -1 deleted, 0 same, 1 inserted
}

// FieldDiff is the difference of one text of one area.
type FieldDiff struct {
	Field   string // achievements, problems, next_steps
	Pieces  []Piece
	Changed bool
}

// AreaDiff gathers the differences of one area.
type AreaDiff struct {
	AreaName string
	Fields   []FieldDiff
}

// Diff compares two versions of a report area by area, character by
// character (Chinese has no spaces to cut words at), cleaned up so that the
// changes read as phrases.
func Diff(older, newer []Section) []AreaDiff {
	dmp := diffmatchpatch.New()
	byArea := map[int64]Section{}
	for _, s := range older {
		byArea[s.AreaID] = s
	}
	var out []AreaDiff
	for _, n := range newer {
		o := byArea[n.AreaID]
		ad := AreaDiff{AreaName: n.AreaName}
		for _, f := range []struct{ name, a, b string }{
			{"achievements", o.Achievements, n.Achievements},
			{"problems", o.Problems, n.Problems},
			{"next_steps", o.NextSteps, n.NextSteps},
		} {
			ds := dmp.DiffCleanupSemantic(dmp.DiffMain(f.a, f.b, false))
			fd := FieldDiff{Field: f.name}
			for _, d := range ds {
				op := 0
				switch d.Type {
				case diffmatchpatch.DiffDelete:
					op = -1
				case diffmatchpatch.DiffInsert:
					op = 1
				}
				fd.Changed = fd.Changed || op != 0
				fd.Pieces = append(fd.Pieces, Piece{Text: d.Text, Op: op})
			}
			ad.Fields = append(ad.Fields, fd)
		}
		out = append(out, ad)
	}
	return out
}

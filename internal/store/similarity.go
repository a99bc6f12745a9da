package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"zeren/internal/report"
	"zeren/internal/similarity"
)

// reportText is what the similarity check reads of a report: every text of
// every section.
func reportText(sections []report.Section) string {
	var b strings.Builder
	for _, s := range sections {
		b.WriteString(s.Achievements + "\n" + s.Problems + "\n" + s.NextSteps + "\n")
	}
	return b.String()
}

// checkSimilarity signs a report just submitted and compares it with the
// other submitted reports of its cycle and with its unit's earlier reports.
// The best match is stored on both sides when it beats what they had, so a
// report that others copy is flagged too.
func (t *Tx) checkSimilarity(ctx context.Context, r report.Report, sections []report.Section) error {
	sig := similarity.Sign(similarity.Shingles(reportText(sections)))
	rows, err := t.tx.QueryContext(ctx, t.s.q(`SELECT s.report_id, s.signature, s.score FROM report_similarity s
		JOIN reports o ON o.id = s.report_id
		WHERE s.report_id <> ? AND (o.cycle_id = ? OR o.unit_id = ?)`), r.ID, r.CycleID, r.UnitID)
	if err != nil {
		return fmt.Errorf("signatures: %w", err)
	}
	var ids []int64
	var scores []float64
	var sigs []similarity.Signature
	for rows.Next() {
		var id int64
		var b []byte
		var score float64
		if err := rows.Scan(&id, &b, &score); err != nil {
			rows.Close()
			return err
		}
		if s, ok := similarity.Decode(b); ok {
			ids, scores, sigs = append(ids, id), append(scores, score), append(sigs, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	best := similarity.Best(&sig, sigs)
	var match any
	if best.Index >= 0 {
		match = ids[best.Index]
		if best.Score > scores[best.Index] {
			if _, err := t.exec(ctx, `UPDATE report_similarity SET score = ?, match_report_id = ? WHERE report_id = ?`,
				best.Score, r.ID, ids[best.Index]); err != nil {
				return err
			}
		}
	}
	now := unix(t.s.Now())
	if _, err := t.exec(ctx, `DELETE FROM report_similarity WHERE report_id = ?`, r.ID); err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO report_similarity (report_id, signature, score, match_report_id, computed_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, sig.Encode(), best.Score, match, now)
	return err
}

// Similarity is a report's most similar other report.
type Similarity struct {
	Score     float64 `json:"score"`
	MatchID   int64   `json:"match_report_id,omitempty"`
	MatchUnit string  `json:"match_unit,omitempty"`
	MatchYear int     `json:"match_year,omitempty"`
}

// Similarities returns the figures of a cycle's submitted reports, by report id.
func (s *Store) Similarities(ctx context.Context, cycleID int64) (map[int64]Similarity, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.id, s.score, COALESCE(m.id, 0), COALESCE(mu.name, ''), COALESCE(mc.year, 0)
		FROM reports r JOIN report_similarity s ON s.report_id = r.id
		LEFT JOIN reports m ON m.id = s.match_report_id LEFT JOIN units mu ON mu.id = m.unit_id
		LEFT JOIN cycles mc ON mc.id = m.cycle_id
		WHERE r.cycle_id = ?`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("similarities: %w", err)
	}
	defer rows.Close()
	out := map[int64]Similarity{}
	for rows.Next() {
		var id int64
		var sm Similarity
		if err := rows.Scan(&id, &sm.Score, &sm.MatchID, &sm.MatchUnit, &sm.MatchYear); err != nil {
			return nil, err
		}
		out[id] = sm
	}
	return out, rows.Err()
}

// ReportSimilarity returns one report's figure, or a zero one.
func (s *Store) ReportSimilarity(ctx context.Context, reportID int64) (Similarity, error) {
	var sm Similarity
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT s.score, COALESCE(m.id, 0), COALESCE(mu.name, ''), COALESCE(mc.year, 0)
		FROM report_similarity s LEFT JOIN reports m ON m.id = s.match_report_id LEFT JOIN units mu ON mu.id = m.unit_id
		LEFT JOIN cycles mc ON mc.id = m.cycle_id WHERE s.report_id = ?`), reportID).Scan(&sm.Score, &sm.MatchID, &sm.MatchUnit, &sm.MatchYear)
	if err == sql.ErrNoRows {
		return Similarity{}, nil
	}
	return sm, err
}

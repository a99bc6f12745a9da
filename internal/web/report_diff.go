package web

import (
	"net/http"
	"strconv"

	"zeren/internal/apperr"
	"zeren/internal/report"
	"zeren/internal/store"
)

type diffData struct {
	Report   report.Report
	Versions []store.ReportVersion
	A, B     int // the versions compared; 0 is the text as it stands now
	Areas    []report.AreaDiff
}

// reportDiff shows the differences between two submissions of a report
// (?a=1&b=2), or between one and the current text (0).
func (s *Server) reportDiff(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.readableReport(r)
	if err != nil {
		return err
	}
	d := diffData{Report: rp}
	if d.Versions, err = s.st.ReportVersions(r.Context(), rp.ID); err != nil {
		return err
	}
	n := len(d.Versions)
	d.A, d.B = max(n-1, 1), n
	if n < 2 {
		d.B = 0
	}
	pick := func(field string, def int) (int, error) {
		v := r.URL.Query().Get(field)
		if v == "" {
			return def, nil
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i > n {
			return 0, apperr.Field(field, "err.no_such_version", n)
		}
		return i, nil
	}
	if d.A, err = pick("a", d.A); err != nil {
		return err
	}
	if d.B, err = pick("b", d.B); err != nil {
		return err
	}
	text := func(i int) []report.Section {
		if i == 0 || n == 0 {
			return rp.Sections
		}
		return d.Versions[i-1].Sections
	}
	d.Areas = report.Diff(text(d.A), text(d.B))
	v := s.newView(w, r, "title.diff", d)
	v.Title = rp.UnitName + " · " + v.T("title.diff")
	return s.render(w, http.StatusOK, "report_diff", v)
}

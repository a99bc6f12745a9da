package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/riverqueue/river/rivertype"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/jobs"
	"zeren/internal/remind"
)

// jobsPage is how many failed deliveries the page lists.
const jobsPage = 100

// jobRow is one failed or retrying delivery as the jobs page shows it.
type jobRow struct {
	ID        int64
	Recipient string // the person's name, or their id if removed
	Channel   remind.Channel
	Attempts  int
	Max       int
	LastError string
	State     string
	Next      time.Time // the next attempt of a retrying one; zero otherwise
}

type jobsData struct {
	Running bool // the job runner is part of this process
	Rows    []jobRow
}

// jobList shows admins of the whole tree the deliveries that failed for
// good or wait to be retried: they name people and addresses everywhere.
func (s *Server) jobList(w http.ResponseWriter, r *http.Request) error {
	if !action.CanManageJobs(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	d := jobsData{Running: s.opt.Jobs != nil}
	if d.Running {
		failed, err := s.opt.Jobs.Failed(r.Context(), jobsPage)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, j := range failed {
			d.Rows = append(d.Rows, s.jobRow(r, j, names))
		}
	}
	return s.render(w, http.StatusOK, "jobs", s.newView(w, r, "jobs.title", d))
}

func (s *Server) jobRow(r *http.Request, j *rivertype.JobRow, names map[int64]string) jobRow {
	row := jobRow{ID: j.ID, Attempts: j.Attempt, Max: j.MaxAttempts, State: string(j.State)}
	var a jobs.DeliverArgs
	if err := json.Unmarshal(j.EncodedArgs, &a); err == nil {
		row.Channel = a.Channel
		if j.Kind == (jobs.PasswordLinkArgs{}).Kind() {
			row.Channel = remind.Email // a set-password mail
		}
		name, ok := names[a.UserID]
		if !ok {
			if u, err := s.st.User(r.Context(), a.UserID); err == nil {
				name = u.Name
			} else {
				name = "#" + strconv.FormatInt(a.UserID, 10)
			}
			names[a.UserID] = name
		}
		row.Recipient = name
	}
	if n := len(j.Errors); n > 0 {
		row.LastError = clip(j.Errors[n-1].Error, 300)
	}
	if j.State == rivertype.JobStateRetryable {
		row.Next = j.ScheduledAt
	}
	return row
}

// jobRetry runs a failed delivery again now.
func (s *Server) jobRetry(w http.ResponseWriter, r *http.Request) error {
	if !action.CanManageJobs(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if s.opt.Jobs == nil {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	if err := s.opt.Jobs.Retry(r.Context(), id); err != nil {
		return err
	}
	return s.redirect(w, r, "/jobs", "jobs.retried")
}

// clip shortens a text to n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

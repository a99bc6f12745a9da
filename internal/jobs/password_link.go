package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/i18n"
	"zeren/internal/remind"
	"zeren/internal/store"
	"zeren/internal/user"
)

// PasswordLinkArgs mails a person a set-password link. The link is made
// when the job runs, so that its token is never stored in the job table;
// unique per person and day, so that a repeated import mails once.
type PasswordLinkArgs struct {
	UserID int64 `json:"user_id"`
}

func (PasswordLinkArgs) Kind() string { return "password_link" }

func (PasswordLinkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 24 * time.Hour}}
}

// CanMail reports whether mail can be sent at all: a mail server is
// configured (--smtp-url).
func (j *Jobs) CanMail() bool {
	return j.opt.Sender != nil && j.opt.Sender.Ready(remind.Email, store.Recipient{Email: "probe@example.invalid"})
}

// MailPasswordLinks queues a mail with a fresh set-password link for each
// user who can get one: mail is configured, and the user is enabled and has
// an e-mail address. It returns the others, in the order given, so that
// the caller shows their links instead. Inside the store's InTx, the jobs
// are queued in its transaction (and run once it commits).
func (j *Jobs) MailPasswordLinks(ctx context.Context, userIDs []int64) (unmailed []int64, err error) {
	if !j.CanMail() {
		return append([]int64(nil), userIDs...), nil
	}
	for start := 0; start < len(userIDs); start += 500 {
		part := userIDs[start:min(start+500, len(userIDs))]
		rs, err := j.st.Recipients(ctx, part)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]store.Recipient, len(rs))
		for _, r := range rs {
			byID[r.ID] = r
		}
		var params []river.InsertManyParams
		for _, id := range part {
			if r, ok := byID[id]; !ok || r.Disabled || !j.opt.Sender.Ready(remind.Email, r) {
				unmailed = append(unmailed, id)
				continue
			}
			params = append(params, river.InsertManyParams{Args: PasswordLinkArgs{UserID: id}})
		}
		if len(params) == 0 {
			continue
		}
		if tx := j.st.SQLTx(ctx); tx != nil {
			_, err = j.client.InsertManyTx(ctx, tx, params)
		} else {
			_, err = j.client.InsertMany(ctx, params)
		}
		if err != nil {
			return nil, err
		}
	}
	return unmailed, nil
}

func (j *Jobs) workPasswordLink(ctx context.Context, job *river.Job[PasswordLinkArgs]) error {
	r, err := j.st.Recipient(ctx, job.Args.UserID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && r.Disabled) {
		return nil // removed or disabled since: their link would not work
	}
	if err != nil {
		return err
	}
	if j.opt.Sender == nil || !j.opt.Sender.Ready(remind.Email, r) {
		return river.JobCancel(errors.New("no mail server is configured, or the person has no e-mail address"))
	}
	u, err := j.st.User(ctx, r.ID)
	if err != nil {
		return err
	}
	token, expires, err := j.st.CreatePasswordLink(ctx, audit.System, u.ID)
	if err != nil {
		return err
	}
	err = j.opt.Sender.Send(ctx, remind.Email, r, j.passwordLinkMessage(r.Locale, u, token, expires))
	var perm PermanentError
	if errors.As(err, &perm) {
		return river.JobCancel(err)
	}
	return err
}

// passwordLinkMessage is the mail of a set-password link, in the locale.
func (j *Jobs) passwordLinkMessage(locale string, u user.User, token string, expires time.Time) Message {
	if locale == "" {
		locale = i18n.Default
	}
	link := user.PasswordLinkURL(j.opt.BaseURL, token)
	return Message{Subject: j.cat.T(locale, "mail.password_link_subject"),
		Text: j.cat.T(locale, "mail.password_link_body", u.Name, u.Login, expires.In(j.opt.Location).Format("2006-01-02 15:04"), link)}
}

package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"zeren/internal/apperr"
	"zeren/internal/i18n"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// Message is one outside message, already in the reader's language.
type Message struct {
	Subject string
	Text    string // plain text, one line per notification, each with its link
	Link    string // the object of an urgent message, or the to-do page of a digest
}

// Sender sends a message to a person on one outside channel; a
// PermanentError is not retried. Ready says whether a channel can reach
// the person at all (an address, a mail server), so that no job is queued
// only to fail.
type Sender interface {
	Send(ctx context.Context, ch remind.Channel, to store.Recipient, m Message) error
	Ready(ch remind.Channel, to store.Recipient) bool
}

// PermanentError marks a delivery that retrying cannot help (no address,
// no robot set, a refusal of the message itself).
type PermanentError struct{ Err error }

func (e PermanentError) Error() string { return e.Err.Error() }
func (e PermanentError) Unwrap() error { return e.Err }

var errNotFound = apperr.New(apperr.NotFound, "err.not_found")

func (j *Jobs) workDeliver(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	r, err := j.st.Recipient(ctx, a.UserID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && r.Disabled) {
		return nil // disabled or removed since: they get nothing
	}
	if err != nil {
		return err
	}
	var notes []remind.Notification
	if a.Notification != 0 {
		n, err := j.st.Notification(ctx, a.Notification)
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		notes = []remind.Notification{n}
	} else if notes, err = j.st.Digest(ctx, a.UserID, a.Batch); err != nil {
		return err
	}
	if len(notes) == 0 {
		return nil
	}
	if j.opt.Sender == nil {
		return river.JobCancel(errors.New("no outside channel is configured"))
	}
	err = j.opt.Sender.Send(ctx, a.Channel, r, j.Render(r.Locale, notes, a.Notification != 0))
	var perm PermanentError
	if errors.As(err, &perm) {
		return river.JobCancel(err)
	}
	return err
}

// Render writes notifications as one message in the locale: an urgent one
// on its own, or a digest grouped by kind.
func (j *Jobs) Render(locale string, notes []remind.Notification, urgent bool) Message {
	if locale == "" {
		locale = i18n.Default
	}
	if urgent && len(notes) == 1 {
		line := Line(j.cat, locale, notes[0])
		return Message{Subject: line, Text: line + "\n" + j.url(notes[0].Link) + "\n", Link: j.url(notes[0].Link)}
	}
	var b strings.Builder
	groups := map[remind.Kind][]remind.Notification{}
	for _, n := range notes {
		groups[n.Kind] = append(groups[n.Kind], n)
	}
	for _, k := range remind.Kinds {
		if len(groups[k]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d)\n", j.cat.T(locale, "remind.group."+string(k)), len(groups[k]))
		for _, n := range groups[k] {
			fmt.Fprintf(&b, "- %s\n  %s\n", Line(j.cat, locale, n), j.url(n.Link))
		}
		b.WriteString("\n")
	}
	b.WriteString(j.cat.T(locale, "remind.digest_footer", j.url("/todo")))
	return Message{Subject: j.cat.T(locale, "remind.digest_subject", len(notes)), Text: b.String(), Link: j.url("/todo")}
}

// Line is a notification's one-line text in the locale, for the inbox too.
func Line(cat *i18n.Catalog, locale string, n remind.Notification) string {
	key, args := n.Message()
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	switch n.Kind {
	case remind.UrgeIssued, remind.ItemStalled, remind.UrgeDue:
		if len(vals) > 0 { // the notice's level, a word of the catalog
			vals[0] = cat.T(locale, "urge."+args[0])
		}
	}
	return cat.T(locale, key, vals...)
}

func (j *Jobs) url(link string) string { return strings.TrimSuffix(j.opt.BaseURL, "/") + link }

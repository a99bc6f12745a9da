package jobs

import (
	"context"
	"errors"
	"net/http"

	"zeren/internal/notify"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// Senders returns the outside channels: e-mail through the mail server
// (nil: none configured), and the group robots and webhook of the nearest
// unit, at or above the person's first grant, that has them set.
func Senders(st *store.Store, email *notify.EmailConfig, client *http.Client) Sender {
	return channels{st: st, email: email, client: client}
}

type channels struct {
	st     *store.Store
	email  *notify.EmailConfig
	client *http.Client
}

// Ready: e-mail needs a mail server and an address; the robots are looked
// up when sending (a unit's admin may set them after the job is queued).
func (c channels) Ready(ch remind.Channel, to store.Recipient) bool {
	return ch != remind.Email || (c.email != nil && to.Email != "")
}

func (c channels) Send(ctx context.Context, ch remind.Channel, to store.Recipient, m Message) error {
	msg := notify.Message{To: notify.Recipient{Name: to.Name, Email: to.Email, Phone: to.Phone},
		Subject: m.Subject, Text: m.Text, Link: m.Link}
	var s notify.Sender
	switch ch {
	case remind.Email:
		switch {
		case c.email == nil:
			return PermanentError{errors.New("no mail server is configured (--smtp-url)")}
		case to.Email == "":
			return PermanentError{errors.New("the person has no e-mail address")}
		}
		s = notify.Email{Config: *c.email}
	case remind.DingTalk, remind.WeCom, remind.Webhook:
		robots, ok, err := c.st.NearestUnitChannels(ctx, to.UnitPath)
		if err != nil {
			return err
		}
		if ok {
			for _, n := range robots.Senders(c.client) {
				if n.Channel == string(ch) {
					s = n.Sender
				}
			}
		}
		if s == nil {
			return PermanentError{errors.New("no " + string(ch) + " robot is set on the person's unit or above")}
		}
	default:
		return PermanentError{errors.New("unknown channel " + string(ch))}
	}
	err := s.Send(ctx, msg)
	if err != nil && notify.Permanent(err) {
		return PermanentError{err}
	}
	return err
}

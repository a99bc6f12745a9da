package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/notify"
	"zeren/internal/unit"
)

// channelsView is the unit page's section on group robots, for admins of
// the unit or above. It never holds the secret, only its mask.
type channelsView struct {
	Own       notify.Channels // the secret blanked
	Secret    string          // the mask of the saved secret, "" for none
	Inherited string          // the unit whose robots apply while none is set here
	Results   []string        // the outcome of a test message, one line per robot
}

// channelsFor prepares the section for p, nil when p may not see it.
func (s *Server) channelsFor(r *http.Request, u unit.Unit) (*channelsView, error) {
	if !action.CanUnitChannels(principal(r), u.Path) {
		return nil, nil
	}
	_, c, err := s.act.UnitChannels(r.Context(), principal(r), u.ID)
	if err != nil {
		return nil, err
	}
	v := &channelsView{Own: c, Secret: notify.MaskSecret(c.DingTalkSecret)}
	v.Own.DingTalkSecret = ""
	if c.Empty() {
		near, ok, err := s.st.NearestUnitChannels(r.Context(), u.Path)
		if err != nil {
			return nil, err
		}
		if ok {
			from, err := s.st.Unit(r.Context(), near.UnitID)
			if err != nil {
				return nil, err
			}
			v.Inherited = from.Name
		}
	}
	return v, nil
}

// channelsSave sets the unit's robots. An empty secret field keeps the
// saved secret; the clear_secret box removes it.
func (s *Server) channelsSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	version, err := formInt(r, "version")
	if err != nil {
		return err
	}
	f := r.PostForm
	d := notify.Draft{DingTalkURL: f.Get("dingtalk_url"), WeComURL: f.Get("wecom_url"), WebhookURL: f.Get("webhook_url")}
	if secret := f.Get("dingtalk_secret"); secret != "" {
		d.DingTalkSecret = &secret
	} else if f.Get("clear_secret") != "" {
		d.DingTalkSecret = new(string)
	}
	_, err = s.act.SaveUnitChannels(r.Context(), principal(r), id, version, d)
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		return s.renderChannels(w, r, id, apperr.Status(err), &d, err, nil)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/units/"+strconv.FormatInt(id, 10)+"#channels", "channels.saved")
}

// channelsTest sends a test message to each robot saved on the unit and
// shows how each went.
func (s *Server) channelsTest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, c, err := s.act.UnitChannels(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	loc := s.locale(r)
	senders := c.Senders(s.opt.HTTPClient)
	if len(senders) == 0 {
		return s.renderChannels(w, r, id, http.StatusOK, nil, nil, []string{s.cat.T(loc, "channels.test_none")})
	}
	m := notify.Message{Subject: s.cat.T(loc, "channels.test_subject"), Text: s.cat.T(loc, "channels.test_text", u.Name)}
	results := make([]string, len(senders))
	ctx, cancel := context.WithTimeout(r.Context(), notify.Timeout)
	defer cancel()
	var wg sync.WaitGroup
	for i, snd := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kind := s.cat.T(loc, "channels.kind_"+snd.Channel)
			err := snd.Sender.Send(ctx, m)
			if err == nil {
				results[i] = s.cat.T(loc, "channels.test_ok", kind)
				return
			}
			s.log.Warn("test message failed", "unit", u.ID, "channel", snd.Channel, "error", err)
			how := "channels.temporary"
			if notify.Permanent(err) {
				how = "channels.permanent"
			}
			results[i] = s.cat.T(loc, "channels.test_failed", kind, s.cat.T(loc, how), err.Error())
		}()
	}
	wg.Wait()
	return s.renderChannels(w, r, id, http.StatusOK, nil, nil, results)
}

// renderChannels renders the unit page after a channels form: with the
// values the user typed (never a secret) and the error, or the results of
// a test message.
func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, id int64, status int, typed *notify.Draft, formErr error, results []string) error {
	u, err := s.act.Unit(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	ch, err := s.channelsFor(r, u)
	if err != nil || ch == nil {
		return err
	}
	if typed != nil && !apperr.Is(formErr, apperr.Conflict) {
		ch.Own.DingTalkURL, ch.Own.WeComURL, ch.Own.WebhookURL = typed.DingTalkURL, typed.WeComURL, typed.WebhookURL
	}
	ch.Results = results
	return s.renderUnitPage(w, r, status, u, nil, formErr, ch)
}

package api

import (
	"net/http"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/notify"
)

// channelsOut is a unit's robots as the API shows them: never the
// DingTalk secret, only whether one is set; absent values are null.
type channelsOut struct {
	UnitID            int64      `json:"unit_id"`
	DingTalkURL       *string    `json:"dingtalk_url"`
	DingTalkSecretSet bool       `json:"dingtalk_secret_set"`
	WeComURL          *string    `json:"wecom_url"`
	WebhookURL        *string    `json:"webhook_url"`
	Version           int64      `json:"version"`
	UpdatedAt         *time.Time `json:"updated_at"`
	// InheritedFrom is the unit whose robots apply while none is set here.
	InheritedFrom *int64 `json:"inherited_from"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *API) channelsOut(r *http.Request, c notify.Channels, path string) (channelsOut, error) {
	out := channelsOut{UnitID: c.UnitID, DingTalkURL: orNull(c.DingTalkURL), DingTalkSecretSet: c.DingTalkSecret != "",
		WeComURL: orNull(c.WeComURL), WebhookURL: orNull(c.WebhookURL), Version: c.Version}
	if c.Version != 0 {
		out.UpdatedAt = &c.UpdatedAt
	}
	if c.Empty() {
		near, ok, err := a.st.NearestUnitChannels(r.Context(), path)
		if err != nil {
			return out, err
		}
		if ok {
			out.InheritedFrom = &near.UnitID
		}
	}
	return out, nil
}

// unitChannelsGet returns the unit's robots, to an admin of the unit or above.
func (a *API) unitChannelsGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, c, err := a.act.UnitChannels(r.Context(), p, id)
	if err != nil {
		return err
	}
	out, err := a.channelsOut(r, c, u.Path)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// channelsIn is a PUT of a unit's robots: a URL absent or null removes
// that robot; the secret absent or null keeps the saved one, "" removes it.
type channelsIn struct {
	Version        *int64  `json:"version"`
	DingTalkURL    *string `json:"dingtalk_url"`
	DingTalkSecret *string `json:"dingtalk_secret"`
	WeComURL       *string `json:"wecom_url"`
	WebhookURL     *string `json:"webhook_url"`
}

// unitChannelsPut sets the unit's robots; version is the one read (0 when
// none was saved), else 409.
func (a *API) unitChannelsPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, _, err := a.act.UnitChannels(r.Context(), p, id)
	if err != nil {
		return err
	}
	var in channelsIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	d := notify.Draft{DingTalkURL: deref(in.DingTalkURL), DingTalkSecret: in.DingTalkSecret, WeComURL: deref(in.WeComURL), WebhookURL: deref(in.WebhookURL)}
	c, err := a.act.SaveUnitChannels(r.Context(), p, id, *in.Version, d)
	if err != nil {
		return err
	}
	out, err := a.channelsOut(r, c, u.Path)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

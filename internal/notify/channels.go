package notify

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"zeren/internal/apperr"
)

// Channels are the group robots a unit's admin sets for the unit and its
// subtree. The DingTalk secret is as sensitive as a password: it is shown
// masked, never returned by the API and never written to the audit trail.
type Channels struct {
	UnitID         int64
	UnitPath       string // of the unit that holds them (NearestUnitChannels may find an ancestor's)
	DingTalkURL    string
	DingTalkSecret string
	WeComURL       string
	WebhookURL     string
	Version        int64 // 0: none saved yet
	UpdatedAt      time.Time
}

// Empty reports whether no robot is set.
func (c Channels) Empty() bool {
	return c.DingTalkURL == "" && c.WeComURL == "" && c.WebhookURL == ""
}

// Draft is a change of a unit's channels. A nil secret keeps the one
// saved (a form's empty secret field, an absent JSON member); an empty
// one removes it.
type Draft struct {
	DingTalkURL    string
	DingTalkSecret *string
	WeComURL       string
	WebhookURL     string
}

// Apply checks the draft and returns the channels it makes of before.
// Removing the DingTalk URL removes its secret too.
func (d Draft) Apply(before Channels) (Channels, error) {
	after := before
	after.DingTalkURL = strings.TrimSpace(d.DingTalkURL)
	after.WeComURL = strings.TrimSpace(d.WeComURL)
	after.WebhookURL = strings.TrimSpace(d.WebhookURL)
	for _, c := range [][2]string{{ChannelDingTalk, after.DingTalkURL}, {ChannelWeCom, after.WeComURL}, {ChannelWebhook, after.WebhookURL}} {
		if err := CheckRobotURL(c[0], c[1]); err != nil {
			return before, err
		}
	}
	if d.DingTalkSecret != nil {
		after.DingTalkSecret = strings.TrimSpace(*d.DingTalkSecret)
		if err := CheckSecret(after.DingTalkSecret); err != nil {
			return before, err
		}
	}
	if after.DingTalkURL == "" {
		if d.DingTalkSecret != nil && after.DingTalkSecret != "" {
			return before, apperr.Field(Field(ChannelDingTalk), "channels.err_secret_needs_url")
		}
		after.DingTalkSecret = ""
	}
	return after, nil
}

// MaskSecret shows a secret as its first three and last two characters,
// enough to tell two apart, "" for none.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	if len(s) < 12 {
		return "••••••"
	}
	return s[:3] + "••••••" + s[len(s)-2:]
}

// maskURL hides the values of a robot URL's query (the access token, the
// key) but their last four characters, for the audit trail.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	for k, vs := range q {
		for i, v := range vs {
			if len(v) > 4 {
				vs[i] = "..." + v[len(v)-4:]
			}
		}
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Audited is what the audit trail records of the channels: the URLs with
// their tokens masked, and whether a secret is set, never the secret.
func (c Channels) Audited() map[string]any {
	return map[string]any{
		"dingtalk_url":        maskURL(c.DingTalkURL),
		"dingtalk_secret_set": c.DingTalkSecret != "",
		"wecom_url":           maskURL(c.WeComURL),
		"webhook_url":         maskURL(c.WebhookURL),
		"version":             c.Version,
	}
}

// Named is a sender with the channel it sends on.
type Named struct {
	Channel string
	Sender  Sender
}

// Senders are the robots set, in a fixed order, posting through client
// (nil: a client with Timeout).
func (c Channels) Senders(client *http.Client) []Named {
	var out []Named
	if c.DingTalkURL != "" {
		out = append(out, Named{ChannelDingTalk, DingTalk{URL: c.DingTalkURL, Secret: c.DingTalkSecret, Client: client}})
	}
	if c.WeComURL != "" {
		out = append(out, Named{ChannelWeCom, WeCom{URL: c.WeComURL, Client: client}})
	}
	if c.WebhookURL != "" {
		out = append(out, Named{ChannelWebhook, Webhook{URL: c.WebhookURL, Client: client}})
	}
	return out
}

// Package notify delivers a notification outside the application: by email
// over SMTP, to the group robots of DingTalk and WeCom, and to a plain JSON
// webhook. It holds no SQL and no handlers: the caller (a job, a page's
// "send a test message" button) picks the senders, applies the locale and
// decides what to do with an error; Permanent tells it whether a retry can
// help.
package notify

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Recipient is the person a message is for. A robot posts to a group, so
// it uses the phone only to mention the person (DingTalk's atMobiles).
type Recipient struct {
	Name  string
	Email string
	Phone string
}

// Message is one notification, already in the recipient's language.
type Message struct {
	To       Recipient
	Subject  string
	Text     string // plain text body
	Markdown string // optional markdown body for the robots; Text when empty
	Link     string // optional absolute URL of the page it is about
}

// markdown is the robots' body: the markdown, else the text, with the link.
func (m Message) markdown() string {
	body := m.Markdown
	if body == "" {
		body = m.Text
	}
	if m.Link != "" {
		body += "\n\n[" + m.Link + "](" + m.Link + ")"
	}
	return body
}

// plain is the email's body: the text and the link on a line of its own.
func (m Message) plain() string {
	if m.Link == "" {
		return m.Text
	}
	return m.Text + "\n\n" + m.Link
}

// Sender delivers a message through one channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// The channels, as named in errors and in the settings.
const (
	ChannelEmail    = "email"
	ChannelDingTalk = "dingtalk"
	ChannelWeCom    = "wecom"
	ChannelWebhook  = "webhook"
)

// Error is a failed delivery: the channel, whether a retry may succeed, and
// the cause. It never holds a password or a robot's secret.
type Error struct {
	Channel   string
	Permanent bool // bad configuration or a refusal that a retry will not change
	Err       error
}

func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("%s: %s failure: %v", e.Channel, kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether err is a failure that a retry will not cure (a
// refused recipient, a robot that answers 4xx or a non-zero errcode other
// than a rate limit, a bad configuration). Any other error, including one
// this package did not classify, is temporary: the job runner retries it.
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

func permanent(channel string, err error) error {
	return &Error{Channel: channel, Permanent: true, Err: err}
}

func temporary(channel string, err error) error {
	return &Error{Channel: channel, Err: err}
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Package api serves the JSON API under /api/v1 (DESIGN.md section 5a):
// bearer tokens, the same policy as the pages, errors as
// {"error": {"code", "message", "field"}}.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/route"
	"zeren/internal/store"
)

// API holds the handlers' dependencies.
type API struct {
	st        *store.Store
	act       *action.Actions
	cat       *i18n.Catalog
	log       *slog.Logger
	maxUpload int64
	baseURL   string
	mailLinks MailLinks
}

// MailLinks mails new users their set-password links
// (jobs.MailPasswordLinks) and hands back those it cannot mail.
type MailLinks func(ctx context.Context, userIDs []int64) (unmailed []int64, err error)

// WithMail makes imports mail the set-password links of new users with an
// address, when a mail server is set; without it every link is shown.
func (a *API) WithMail(fn MailLinks) *API {
	a.mailLinks = fn
	return a
}

// New returns the API; maxUpload bounds evidence files, and baseURL is
// where people open zeren (--base-url), for the set-password links it
// hands out ("": the address of the request).
func New(st *store.Store, cat *i18n.Catalog, log *slog.Logger, maxUpload int64, baseURL string) *API {
	return &API{st: st, act: action.New(st), cat: cat, log: log, maxUpload: maxUpload, baseURL: baseURL}
}

// Route is one entry of the API's route table.
type Route struct {
	Pattern string
	h       http.Handler
}

// Routes lists every API route; the route test needs a row for each.
func (a *API) Routes() []Route {
	return []Route{
		{"GET /api/v1/openapi.json", http.HandlerFunc(a.openAPI)},
		{"GET /api/v1/me/todo", a.h(a.meTodo)},
		{"GET /api/v1/units", a.h(a.unitList)},
		{"POST /api/v1/units", a.h(a.unitCreate)},
		{"POST /api/v1/units/import", a.h(a.unitsImport)},
		{"GET /api/v1/units/export", a.h(a.unitsExport)},
		{"GET /api/v1/units/{id}", a.h(a.unitGet)},
		{"PATCH /api/v1/units/{id}", a.h(a.unitPatch)},
		{"GET /api/v1/units/{id}/channels", a.h(a.unitChannelsGet)},
		{"PUT /api/v1/units/{id}/channels", a.h(a.unitChannelsPut)},
		{"GET /api/v1/cycles", a.h(a.cycleList)},
		{"POST /api/v1/cycles", a.h(a.cycleCreate)},
		{"GET /api/v1/cycles/{id}", a.h(a.cycleGet)},
		{"PATCH /api/v1/cycles/{id}", a.h(a.cyclePatch)},
		{"POST /api/v1/cycles/{id}/advance", a.h(a.cycleAdvance)},
		{"GET /api/v1/cycles/{id}/reports", a.h(a.cycleReports)},
		{"GET /api/v1/cycles/{id}/ledger.xlsx", a.h(a.ledgerExcel)},
		{"POST /api/v1/cycles/{id}/findings/import", a.h(a.findingsImport)},
		{"GET /api/v1/cycles/{id}/meeting", a.h(a.meetingGet)},
		{"PUT /api/v1/cycles/{id}/meeting", a.h(a.meetingPut)},
		{"GET /api/v1/cycles/{id}/assessment", a.h(a.assessmentGet)},
		{"PUT /api/v1/cycles/{id}/assessment/scheme", a.h(a.assessmentScheme)},
		{"PUT /api/v1/cycles/{id}/assessment/manual", a.h(a.assessmentManual)},
		{"POST /api/v1/cycles/{id}/assessment/compute", a.h(a.assessmentCompute)},
		{"POST /api/v1/cycles/{id}/assessment/adjust", a.h(a.assessmentAdjust)},
		{"POST /api/v1/cycles/{id}/assessment/publish", a.h(a.assessmentPublish)},
		{"POST /api/v1/cycles/{id}/assessment/reopen", a.h(a.assessmentReopen)},
		{"GET /api/v1/reports/{id}/attachments", a.h(a.attachmentList)},
		{"POST /api/v1/reports/{id}/attachments", a.h(a.attachmentAdd)},
		{"GET /api/v1/attachments/{id}", a.h(a.attachmentGet)},
		{"GET /api/v1/reports/{id}", a.h(a.reportGet)},
		{"PATCH /api/v1/reports/{id}", a.h(a.reportPatch)},
		{"POST /api/v1/reports/{id}/submit", a.h(a.reportMove(report.Submit))},
		{"POST /api/v1/reports/{id}/return", a.h(a.reportMove(report.Return))},
		{"POST /api/v1/reports/{id}/accept", a.h(a.reportMove(report.Accept))},
		{"POST /api/v1/cycles/{id}/appraisal", a.h(a.appraisalCreate)},
		{"GET /api/v1/appraisals/{id}", a.h(a.appraisalGet)},
		{"PATCH /api/v1/appraisals/{id}", a.h(a.appraisalPatch)},
		{"POST /api/v1/appraisals/{id}/open", a.h(a.appraisalMove(appraisal.Open))},
		{"POST /api/v1/appraisals/{id}/close", a.h(a.appraisalMove(appraisal.Closed))},
		{"POST /api/v1/appraisals/{id}/codes", a.h(a.appraisalCodes)},
		{"POST /api/v1/appraisals/{id}/voters", a.h(a.appraisalVoters)},
		{"GET /api/v1/appraisals/{id}/ballot", a.h(a.ballotGet)},
		{"POST /api/v1/appraisals/{id}/ballots", a.h(a.ballotsPost)},
		{"POST /api/v1/vote", a.public(a.vote)}, // one-time code, no account
		{"GET /api/v1/appraisals/{id}/results", a.h(a.appraisalResults)},
		{"GET /api/v1/reports/{id}/comment", a.h(a.commentGet)},
		{"PUT /api/v1/reports/{id}/comment", a.h(a.commentPut)},
		{"POST /api/v1/reports/{id}/comment/publish", a.h(a.commentPublish)},
		{"GET /api/v1/findings", a.h(a.findingList)},
		{"POST /api/v1/findings", a.h(a.findingCreate)},
		{"GET /api/v1/findings/{id}", a.h(a.findingGet)},
		{"PATCH /api/v1/findings/{id}", a.h(a.findingPatch)},
		{"POST /api/v1/findings/{id}/items", a.h(a.findingSplit)},
		{"GET /api/v1/rectifications", a.h(a.rectList)},
		{"GET /api/v1/rectifications/{id}", a.h(a.rectGet)},
		{"PATCH /api/v1/rectifications/{id}", a.h(a.rectPatch)},
		{"POST /api/v1/rectifications/{id}/updates", a.h(a.rectUpdate)},
		{"POST /api/v1/rectifications/{id}/submit", a.h(a.rectSubmit)},
		{"POST /api/v1/rectifications/{id}/verify", a.h(a.rectMove(rectification.Verify))},
		{"POST /api/v1/rectifications/{id}/reject", a.h(a.rectMove(rectification.Reject))},
		{"POST /api/v1/rectifications/{id}/reopen", a.h(a.rectMove(rectification.Reopen))},
		{"POST /api/v1/rectifications/{id}/extend", a.h(a.rectExtend)},
		{"POST /api/v1/extensions/{id}/approve", a.h(a.extensionDecide(true))},
		{"POST /api/v1/extensions/{id}/refuse", a.h(a.extensionDecide(false))},
		{"POST /api/v1/rectifications/{id}/urges", a.h(a.rectUrge)},
		{"GET /api/v1/evidence/{id}", a.h(a.evidenceGet)},
		{"POST /api/v1/urges/{id}/reply", a.h(a.urgeReply)},
		{"POST /api/v1/urges/{id}/escalate", a.h(a.urgeEscalate)},
		{"GET /api/v1/units/{id}/stats", a.h(a.unitStats)},
		{"GET /api/v1/users", a.h(a.userList)},
		{"POST /api/v1/users", a.h(a.userCreate)},
		{"POST /api/v1/users/import", a.h(a.usersImport)},
		{"GET /api/v1/users/export", a.h(a.usersExport)},
		{"GET /api/v1/users/{id}", a.h(a.userGet)},
		{"PATCH /api/v1/users/{id}", a.h(a.userPatch)},
		{"POST /api/v1/users/{id}/password-link", a.h(a.userPasswordLink)},
		{"GET /api/v1/me/notifications", a.h(a.myNotifications)},
		{"POST /api/v1/me/notifications/read", a.h(a.myNotificationsRead)},
		{"POST /api/v1/me/notifications/{id}/read", a.h(a.myNotificationRead)},
		{"GET /api/v1/me/contact", a.h(a.myContact)},
		{"PUT /api/v1/me/contact", a.h(a.myContactPut)},
	}
}

// Handler returns the API's handler, to mount at /api/v1/.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		mux.Handle(rt.Pattern, rt.h)
	}
	// Anything else under /api/v1/ answers a JSON 404, not the HTML one.
	mux.Handle("/api/v1/", a.h(func(http.ResponseWriter, *http.Request, *auth.Principal) error {
		return apperr.New(apperr.NotFound, "err.not_found")
	}))
	return route.Recorder(mux)
}

type handler func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error

// h authenticates the bearer token and maps the handler's error to JSON.
func (a *API) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.principal(r)
		if err == nil {
			err = fn(w, r, p)
		}
		if err != nil {
			a.fail(w, r, err)
		}
	})
}

// public serves a route that needs no token (voting by one-time code): a
// token sent is ignored, and errors are mapped to JSON as for the others.
func (a *API) public(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

func (a *API) principal(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return nil, apperr.New(apperr.Unauthorized, "err.no_token")
	}
	return a.st.TokenPrincipal(r.Context(), strings.TrimSpace(token))
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// Fail writes err as the API's JSON error body, for requests under /api/v1/
// that the web middleware refuses before they reach the API.
func (a *API) Fail(w http.ResponseWriter, r *http.Request, err error) { a.fail(w, r, err) }

// fail writes the error body; the message is in the language the client asks for.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := apperr.Status(err)
	var body errorBody
	body.Error.Code = apperr.Code(err)
	loc := a.cat.Match(r.Header.Get("Accept-Language"))
	if e, ok := apperr.As(err); ok && status < 500 {
		body.Error.Message = a.cat.Error(loc, e)
		body.Error.Field = e.Field
	} else {
		a.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		body.Error.Message = a.cat.T(loc, "err.internal")
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="zeren"`)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body into v, naming the field at fault on bad input.
// Every string in it, at any depth, must be storable text (StorableText).
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = checkJSONText(body)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && dec.More() {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return nil
	}
	var mb *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mb):
		return apperr.New(apperr.TooLarge, "err.too_large")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.Field(field, "err.json_type", jsonKind(te.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Field(f, "err.unknown_field")
	case errors.Is(err, io.EOF):
		return apperr.Field("body", "err.empty_body")
	}
	return apperr.Field("body", "err.bad_json")
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, nil
}

// list is the envelope of every list response.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next,omitempty"` // keyset cursor: pass as ?after=
}

func queryLimit(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, apperr.Field("limit", "err.limit_range", max)
	}
	return n, nil
}

// jsonKind names the JSON type a Go type is decoded from, for messages
// that must not show Go's own type names.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "number"
}

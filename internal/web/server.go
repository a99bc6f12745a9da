// Package web serves the HTML interface, the operational endpoints and the
// static assets, and mounts the JSON API.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"zeren/internal/action"
	"zeren/internal/api"
	"zeren/internal/appraisal"
	"zeren/internal/attachment"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/roster"
	"zeren/internal/route"
	"zeren/internal/store"
)

// Options configure the web server.
type Options struct {
	Sessions   store.SessionTimeouts
	TrustProxy bool           // believe X-Forwarded-Proto and X-Forwarded-For
	Location   *time.Location // zone in which times are shown
	Version    string
	// BaseURL is where people open zeren (--base-url), for the
	// set-password links handed out; "" is the address of the request.
	BaseURL   string
	MaxBody   int64 // bytes accepted in a request body
	MaxUpload int64 // bytes accepted in an evidence file
	// HTTPClient posts to the group robots (a unit's test message); nil
	// is a client with notify.Timeout. Tests put an httptest client here.
	HTTPClient *http.Client
	// Jobs is the job queue, for the admins' page of failed deliveries;
	// nil when this process does not run it.
	Jobs *jobs.Jobs
}

// Server holds the handlers' dependencies.
type Server struct {
	st      *store.Store
	act     *action.Actions
	cat     *i18n.Catalog
	log     *slog.Logger
	opt     Options
	pages   *pages
	assets  *assets
	metrics *metrics
}

// New prepares the server: templates are parsed and assets hashed here, so
// that a broken template fails at start rather than on a request.
func New(st *store.Store, cat *i18n.Catalog, log *slog.Logger, opt Options) (*Server, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 1 << 20
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = attachment.DefaultMaxSize
	}
	s := &Server{st: st, act: action.New(st), cat: cat, log: log, opt: opt}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	if s.pages, err = loadPages(s.assets, cat); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s.metrics = newMetrics(st)
	return s, nil
}

// Handler returns the whole HTTP interface with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	match := http.NewServeMux() // every route of the pages and the API, to name path values
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.h)
		match.Handle(rt.pattern, http.NotFoundHandler())
	}
	a := api.New(s.st, s.cat, s.log, s.opt.MaxUpload, s.opt.BaseURL).WithMail(s.mailLinks())
	mux.Handle("/api/v1/", a.Handler())
	for _, rt := range a.Routes() {
		match.Handle(rt.Pattern, http.NotFoundHandler())
	}

	// The middleware, innermost first: each line wraps the ones above it.
	h := route.Recorder(mux)
	h = s.checkText(match, a.Fail)(h) // after the size limit, before any handler reads
	h = s.withPrincipal(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.limitBody(h)
	h = securityHeaders(h)
	h = s.observe(h) // logs and metrics, by route pattern
	h = s.recoverPanics(h)
	return h
}

// routeDef is one entry of the route table.
type routeDef struct {
	pattern string
	h       http.Handler
}

// routeTable lists every page. A new route needs a row in the route test.
func (s *Server) routeTable() []routeDef {
	p := func(h handler) http.Handler { return s.page(h) }
	in := func(h handler) http.Handler { return s.page(s.signedIn(h)) }
	half := func(h handler) http.Handler { return s.page(s.halfSignedIn(h)) }
	return []routeDef{
		{"GET /healthz", http.HandlerFunc(s.healthz)},
		{"GET /readyz", http.HandlerFunc(s.readyz)},
		{"GET /metrics", s.metrics.handler()},
		{"GET /static/{hash}/{file...}", http.HandlerFunc(s.assets.serve)},

		{"GET /{$}", p(s.home)},
		{"GET /login", p(s.loginForm)},
		{"POST /login", p(s.login)},
		{"POST /logout", p(s.logout)},
		{"POST /locale", p(s.setLocale)},
		{"GET /password/{token}", p(s.passwordLinkForm)},
		{"POST /password/{token}", p(s.passwordLinkUse)},
		{"GET /login/totp", half(s.loginTOTPForm)},
		{"POST /login/totp", half(s.loginTOTP)},
		{"GET /profile/totp", half(s.totpSetup)},
		{"POST /profile/totp", half(s.totpEnable)},

		{"GET /todo", in(s.todoList)},
		{"GET /profile", in(s.profile)},
		{"POST /profile/password", in(s.passwordChange)},
		{"POST /profile/tokens", in(s.tokenCreate)},
		{"POST /profile/tokens/{id}/revoke", in(s.tokenRevoke)},
		{"POST /profile/totp/disable", in(s.totpDisable)},
		{"POST /profile/contact", in(s.contactSave)},
		{"GET /inbox", in(s.inbox)},
		{"GET /inbox/{id}", in(s.inboxOpen)},
		{"POST /inbox/read", in(s.inboxReadAll)},
		{"GET /jobs", in(s.jobList)},
		{"POST /jobs/{id}/retry", in(s.jobRetry)},
		{"GET /audit", in(s.auditList)},
		{"GET /settings", in(s.settings)},
		{"POST /settings", in(s.settingsUpdate)},

		{"GET /units", in(s.unitList)},
		{"GET /units/pick", in(s.unitPick)},
		{"GET /units/new", in(s.unitNew)},
		{"GET /units/import", in(s.rosterImportForm(roster.Units))},
		{"POST /units/import", in(s.rosterImport(roster.Units))},
		{"GET /units/export", in(s.rosterExport(roster.Units))},
		{"POST /units", in(s.unitCreate)},
		{"GET /units/{id}", in(s.unitShow)},
		{"GET /units/{id}/children", in(s.unitChildren)},
		{"POST /units/{id}", in(s.unitUpdate)},
		{"POST /units/{id}/move", in(s.unitMove)},
		{"POST /units/{id}/archive", in(s.unitArchive)},
		{"POST /units/{id}/channels", in(s.channelsSave)},
		{"POST /units/{id}/channels/test", in(s.channelsTest)},

		{"GET /cycles", in(s.cycleList)},
		{"POST /cycles", in(s.cycleCreate)},
		{"GET /cycles/{id}", in(s.cycleShow)},
		{"POST /cycles/{id}", in(s.cycleUpdate)},
		{"POST /cycles/{id}/areas", in(s.cycleAreas)},
		{"POST /cycles/{id}/severities", in(s.cycleSeverities)},
		{"POST /cycles/{id}/advance", in(s.cycleAdvance)},
		{"POST /cycles/{id}/stall-days", in(s.cycleStallDays)},
		{"POST /cycles/{id}/participants", in(s.participantsAdd)},
		{"POST /cycles/{id}/participants/{unit}", in(s.participantEdit)},
		{"POST /cycles/{id}/meeting", in(s.meetingSave)},
		{"GET /cycles/{id}/agenda", in(s.agenda)},
		{"GET /cycles/{id}/present", in(s.present)},
		{"GET /cycles/{id}/booklet", in(s.booklet)},
		{"GET /cycles/{id}/summary", in(s.summary)},
		{"GET /cycles/{id}/summary.xlsx", in(s.summaryExcel)},
		{"GET /cycles/{id}/appraisal", in(s.cycleAppraisal)},
		{"POST /cycles/{id}/appraisal", in(s.appraisalCreate)},
		{"GET /appraisals/{id}", in(s.appraisalShow)},
		{"POST /appraisals/{id}", in(s.appraisalUpdate)},
		{"POST /appraisals/{id}/open", in(s.appraisalMove(appraisal.Open))},
		{"POST /appraisals/{id}/close", in(s.appraisalMove(appraisal.Closed))},
		{"POST /appraisals/{id}/voters", in(s.votersAdd)},
		{"POST /appraisals/{id}/voters/{user}/delete", in(s.voterRemove)},
		{"POST /appraisals/{id}/codes", in(s.codesCreate)},
		{"GET /appraisals/{id}/results", in(s.results)},
		{"GET /appraisals/{id}/results.xlsx", in(s.resultsExcel)},
		{"GET /appraisals/{id}/ballot", in(s.ballotForm)},
		{"POST /appraisals/{id}/ballot", in(s.ballotCast)},
		{"GET /vote", p(s.codeVoteForm)},
		{"POST /vote", p(s.codeVote)},
		{"GET /cycles/{id}/assessment", in(s.cycleAssessment)},
		{"POST /cycles/{id}/assessment/scheme", in(s.assessmentScheme)},
		{"POST /cycles/{id}/assessment/manual", in(s.assessmentManual)},
		{"POST /cycles/{id}/assessment/compute", in(s.assessmentCompute)},
		{"POST /cycles/{id}/assessment/adjust", in(s.assessmentAdjust)},
		{"POST /cycles/{id}/assessment/publish", in(s.assessmentPublish)},
		{"POST /cycles/{id}/assessment/reopen", in(s.assessmentReopen)},
		{"GET /cycles/{id}/comments", in(s.cycleComments)},
		{"GET /reports/{id}/comment", in(s.commentForm)},
		{"POST /reports/{id}/comment", in(s.commentSave)},
		{"POST /reports/{id}/comment/publish", in(s.commentPublish)},
		{"POST /reports/{id}/attachments", in(s.attachmentAdd)},
		{"GET /attachments/{id}", in(s.attachmentGet)},
		{"POST /attachments/{id}/delete", in(s.attachmentRemove)},
		{"GET /reports/{id}", in(s.reportShow)},
		{"GET /reports/{id}/diff", in(s.reportDiff)},
		{"POST /reports/{id}", in(s.reportSave)},
		{"POST /reports/{id}/submit", in(s.reportMove(report.Submit))},
		{"POST /reports/{id}/return", in(s.reportMove(report.Return))},
		{"POST /reports/{id}/accept", in(s.reportMove(report.Accept))},
		{"POST /reports/preview", in(s.reportPreview)},

		{"GET /ledger", in(s.ledger)},
		{"GET /findings/new", in(s.findingNew)},
		{"POST /findings", in(s.findingCreate)},
		{"GET /rectifications/{id}", in(s.rectShow)},
		{"POST /rectifications/{id}/plan", in(s.planSave)},
		{"POST /rectifications/{id}/start", in(s.rectMove(rectification.Start))},
		{"POST /rectifications/{id}/submit", in(s.rectMove(rectification.Submit))},
		{"POST /rectifications/{id}/verify", in(s.rectMove(rectification.Verify))},
		{"POST /rectifications/{id}/reject", in(s.rectMove(rectification.Reject))},
		{"POST /rectifications/{id}/reopen", in(s.rectMove(rectification.Reopen))},
		{"POST /rectifications/{id}/updates", in(s.updateAdd)},
		{"POST /rectifications/{id}/extend", in(s.extensionRequest)},
		{"POST /extensions/{id}/decide", in(s.extensionDecide)},
		{"POST /rectifications/{id}/urges", in(s.urgeIssue)},
		{"POST /rectifications/{id}/split", in(s.rectSplit)},
		{"POST /urges/{id}/reply", in(s.urgeAct)},
		{"POST /urges/{id}/escalate", in(s.urgeAct)},
		{"GET /evidence/{id}", in(s.eventFile)},
		// Ledger export and import.
		{"GET /cycles/{id}/ledger.xlsx", in(s.ledgerExcel)},
		{"GET /cycles/{id}/ledger/import", in(s.ledgerImportForm)},
		{"POST /cycles/{id}/ledger/import", in(s.ledgerImport)},
		{"GET /cycles/{id}/findings/template.xlsx", in(s.findingsTemplate)},
		{"GET /cycles/{id}/findings/import", in(s.findingsImportForm)},
		{"POST /cycles/{id}/findings/import", in(s.findingsImport)},
		// Dashboards.
		{"GET /dashboard", in(s.dashboardHome)},
		{"GET /dashboard/compare", in(s.dashCompare)},
		{"GET /cycles/{id}/dashboard", in(s.cycleDashboard)},
		{"GET /units/{id}/dashboard", in(s.unitDashboard)},

		{"GET /users", in(s.userList)},
		{"GET /users/new", in(s.userNew)},
		{"GET /users/import", in(s.rosterImportForm(roster.Users))},
		{"POST /users/import", in(s.rosterImport(roster.Users))},
		{"GET /users/export", in(s.rosterExport(roster.Users))},
		{"POST /users", in(s.userCreate)},
		{"GET /users/{id}", in(s.userShow)},
		{"POST /users/{id}", in(s.userUpdate)},
		{"POST /users/{id}/grants", in(s.grantAdd)},
		{"POST /users/{id}/password-link", in(s.userPasswordLink)},
		{"POST /grants/{id}/delete", in(s.grantRemove)},
	}
}

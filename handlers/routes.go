package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

// routes lists every route of the application in one place.
func (s *Server) routes(r *gin.Engine) {
	r.GET("/healthz", s.healthz)
	r.GET("/metrics", s.metrics)
	// Static files, versioned and compressed; the service worker and the
	// web manifest at the root (handlers/assets.go).
	r.GET("/static/*path", s.static)
	r.HEAD("/static/*path", s.static)
	r.GET("/sw.js", s.serviceWorker)
	r.GET("/manifest.webmanifest", s.webManifest)

	api := r.Group("/api/v1")
	api.Use(s.loadSession)
	api.GET("/openapi.json", s.openAPI)
	api.POST("/login", s.apiLogin)

	authed := api.Group("", s.apiAuth)
	authed.POST("/logout", s.apiLogout)
	authed.GET("/me", s.apiMe)
	authed.POST("/me/password", s.apiChangeOwnPassword)
	authed.GET("/reference", s.allow("reference", auth.ActRead), s.apiReference)

	authed.POST("/residents", s.allow("residents", auth.ActWrite), s.apiCreateResident)
	authed.GET("/residents", s.allow("residents", auth.ActRead), s.apiFindResidents)
	authed.GET("/residents/:id", s.allow("residents", auth.ActRead), s.apiGetResident)
	authed.PATCH("/residents/:id", s.allow("residents", auth.ActWrite), s.apiUpdateResident)
	authed.GET("/residents/:id/export", s.allow("privacy", auth.ActManage), s.apiExportResident)
	authed.POST("/residents/:id/erase", s.allow("privacy", auth.ActManage), s.apiEraseResident)
	authed.POST("/residents/:id/own-ground", s.allow("residents", auth.ActManage), s.apiOwnGround)
	authed.GET("/audit", s.allow("audit", auth.ActRead), s.apiAudit)

	authed.POST("/contacts", s.allow("contacts", auth.ActWrite), s.apiCreateContact)
	authed.GET("/contacts", s.allow("contacts", auth.ActRead), s.apiFindContacts)
	authed.GET("/contacts/:id", s.allow("contacts", auth.ActRead), s.apiGetContact)
	authed.PATCH("/contacts/:id", s.allow("contacts", auth.ActWrite), s.apiCorrectContact)
	authed.POST("/contacts/:id/void", s.allow("contacts", auth.ActManage), s.apiVoidContact)

	authed.POST("/handovers", s.allow("handovers", auth.ActWrite), s.apiCreateHandover)
	authed.GET("/handovers", s.allow("handovers", auth.ActRead), s.apiFindHandovers)
	authed.GET("/handovers/:id", s.allow("handovers", auth.ActRead), s.apiGetHandover)
	authed.POST("/handovers/:id/accept", s.allow("handovers", auth.ActWrite), s.apiAcceptHandover())
	authed.POST("/handovers/:id/contacted", s.allow("handovers", auth.ActWrite), s.apiHandoverContacted())
	authed.POST("/handovers/:id/complete", s.allow("handovers", auth.ActWrite), s.apiCompleteHandover())
	authed.POST("/handovers/:id/decline", s.allow("handovers", auth.ActWrite), s.apiDeclineHandover())
	authed.POST("/handovers/:id/withdraw", s.allow("handovers", auth.ActWrite), s.apiWithdrawHandover())
	authed.POST("/handovers/:id/consent/withdraw", s.allow("handovers", auth.ActWrite), s.apiWithdrawHandoverConsent())
	authed.POST("/handovers/:id/consent/renew", s.allow("handovers", auth.ActWrite), s.apiRenewHandoverConsent())
	authed.POST("/handovers/:id/redirect", s.allow("handovers", auth.ActWrite), s.apiRedirectHandover)

	authed.GET("/users", s.allow("users", auth.ActManage), s.apiUsers)
	authed.POST("/users", s.allow("users", auth.ActManage), s.apiCreateUser)
	authed.POST("/users/:id/password", s.allow("users", auth.ActManage), s.apiSetUserPassword)
	authed.POST("/users/:id/active", s.allow("users", auth.ActManage), s.apiSetUserActive)
	authed.POST("/users/:id/unlock", s.allow("users", auth.ActManage), s.apiUnlockUser)
	// Duplicates and merging records (issue 13).
	authed.GET("/residents/matches", s.allow("residents", auth.ActRead), s.apiResidentMatches)
	authed.POST("/residents/:id/merge", s.allow("residents", auth.ActManage), s.apiMergeResident)

	// Reach figures: a session, or a read-only monitor token (Bearer) that
	// works on these routes only.
	reach := api.Group("/reach", s.reachAuth)
	reach.GET("", s.reachAllow(auth.ActRead), s.apiReach)
	reach.GET("/published", s.reachAllow(auth.ActRead), s.apiReachPublished)
	reach.POST("/publish", s.reachAllow(auth.ActManage), s.apiReachPublish)
	// Drafts of releases (issue 11): programme staff make, review, discard.
	reach.POST("/drafts", s.reachAllow(auth.ActManage), s.apiReachDraft)
	reach.POST("/drafts/:version/discard", s.reachAllow(auth.ActManage), s.apiReachDiscard)
	authed.POST("/reach/tokens", s.allow("tokens", auth.ActManage), s.apiCreateReachToken)
	authed.GET("/reach/tokens", s.allow("tokens", auth.ActManage), s.apiReachTokens)
	authed.DELETE("/reach/tokens/:id", s.allow("tokens", auth.ActManage), s.apiRevokeReachToken)

	// The directory of partners (issue 12).
	authed.GET("/partners", s.allow("partners", auth.ActRead), s.apiPartners)

	pages := r.Group("", s.loadSession)
	pages.GET("/", s.pageHome)
	pages.GET("/login", s.pageLogin)
	pages.POST("/login", s.pageLoginPost)
	pages.GET("/lang/:lang", s.pageLanguage)

	app := pages.Group("", s.pageAuth)
	app.POST("/logout", s.pageLogout)
	app.GET("/me/password", s.pagePassword)
	app.POST("/me/password", s.pagePasswordPost)
	app.GET("/handovers", s.allow("handovers", auth.ActRead), s.pageHandovers)
	app.GET("/handovers/new", s.allow("handovers", auth.ActWrite), s.pageNewHandover)
	app.POST("/handovers/new", s.allow("handovers", auth.ActWrite), s.pageNewHandoverPost)
	app.GET("/handovers/review", s.allow("handovers", auth.ActManage), s.pageHandoverReview)
	app.GET("/handovers/:id", s.allow("handovers", auth.ActRead), s.pageHandover)
	for _, move := range []string{"accept", "contacted", "complete", "decline", "withdraw", "consent-withdraw", "consent-renew"} {
		app.POST("/handovers/:id/"+move, s.allow("handovers", auth.ActWrite), s.pageHandoverMove(move))
	}
	app.POST("/handovers/:id/reassign", s.allow("handovers", auth.ActManage), s.pageReassignHandover)
	app.GET("/reach", s.allow("reach", auth.ActRead), s.pageReach)
	app.POST("/reach/publish", s.allow("reach", auth.ActManage), s.pageReachPublish)
	app.POST("/reach/drafts", s.allow("reach", auth.ActManage), s.pageReachDraft)
	app.POST("/reach/discard", s.allow("reach", auth.ActManage), s.pageReachDiscard)
	app.GET("/reach/method", s.allow("reach", auth.ActRead), s.pageReachMethod)
	app.GET("/contacts/new", s.allow("contacts", auth.ActWrite), s.pageNewContact)
	app.GET("/contacts/new/shell", s.allow("contacts", auth.ActWrite), s.pageContactShell)
	app.GET("/contacts", s.allow("contacts", auth.ActRead), s.pageContacts)
	app.GET("/residents", s.allow("residents", auth.ActRead), s.pageResidents)
	app.GET("/residents/:id", s.allow("residents", auth.ActRead), s.pageResident)
	app.POST("/residents/:id", s.allow("residents", auth.ActWrite), s.pageResidentPost)
	app.GET("/residents/:id/export", s.allow("privacy", auth.ActManage), s.pageResidentExport)
	app.POST("/residents/:id/erase", s.allow("privacy", auth.ActManage), s.pageEraseResident)
	app.POST("/residents/:id/own-ground", s.allow("residents", auth.ActManage), s.pageOwnGround)
	app.GET("/privacy", s.allow("privacy", auth.ActManage), s.pagePrivacy)
	app.GET("/privacy/audit", s.allow("audit", auth.ActRead), s.pagePrivacyAudit)
	app.GET("/admin/users", s.allow("users", auth.ActManage), s.pageUsers)
	app.POST("/admin/users", s.allow("users", auth.ActManage), s.pageUsersCreate)
	app.POST("/admin/users/:id/active", s.allow("users", auth.ActManage), s.pageUserActive)
	app.POST("/admin/users/:id/password", s.allow("users", auth.ActManage), s.pageUserPassword)
	app.POST("/admin/users/:id/unlock", s.allow("users", auth.ActManage), s.pageUserUnlock)
	app.GET("/admin/reference", s.allow("reference", auth.ActManage), s.pageAdminReference)
	app.POST("/admin/reference/:list", s.allow("reference", auth.ActManage), s.pageAddTerm)
	app.POST("/admin/reference/:list/:slug", s.allow("reference", auth.ActManage), s.pageRenameTerm)
	app.POST("/admin/organisations", s.allow("reference", auth.ActManage), s.pageAddOrganisation)
	app.POST("/admin/programmes", s.allow("reference", auth.ActManage), s.pageAddProgramme)
	app.POST("/admin/organisations/:slug/limits", s.allow("reference", auth.ActManage), s.pageSetLimits)
	app.POST("/admin/organisations/:slug/privacy", s.allow("reference", auth.ActManage), s.pageSetPrivacy)

	// One contact with its history, corrections and voiding; merging a
	// duplicate record (issue 13).
	app.GET("/contacts/:id", s.allow("contacts", auth.ActRead), s.pageContact)
	app.POST("/contacts/:id/correct", s.allow("contacts", auth.ActWrite), s.pageCorrectContact)
	app.POST("/contacts/:id/void", s.allow("contacts", auth.ActManage), s.pageVoidContact)
	app.POST("/residents/:id/merge", s.allow("residents", auth.ActManage), s.pageMergeResident)

	// Notifications, own account, the directory of partners and the
	// outbox of mails (issue 12).
	app.GET("/notifications", s.pageNotifications)
	app.POST("/notifications/read", s.pageNotificationsRead)
	app.GET("/account", s.pageAccount)
	app.POST("/account", s.pageAccountPost)
	app.GET("/partners", s.allow("partners", auth.ActRead), s.pagePartners)
	app.GET("/partners/:slug", s.allow("partners", auth.ActManage), s.pagePartnerEdit)
	app.POST("/partners/:slug/services", s.allow("partners", auth.ActManage), s.pagePartnerSave)
	app.POST("/partners/:slug/services/:id", s.allow("partners", auth.ActManage), s.pagePartnerSave)
	app.POST("/partners/:slug/services/:id/delete", s.allow("partners", auth.ActManage), s.pagePartnerDelete)
	app.GET("/admin/mail", s.allow("mail", auth.ActManage), s.pageMail)

	// A logged-in user's error page keeps the menu: the session is read there too.
	r.NoRoute(s.loadSession, s.noRoute)
	r.NoMethod(s.loadSession, s.noMethod)
}

// healthz answers whether the server can do its work: the database must
// take a write (a read-only file or a full disk answers 503).
func (s *Server) healthz(c *gin.Context) {
	if s.Health != nil {
		if err := s.Health(c.Request.Context()); err != nil {
			s.Log.Error("health check", "request_id", c.GetString(ctxRequestID), "err", err)
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) noRoute(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		s.fail(c, cases.Errorf(cases.ENOTFOUND, "route_not_found"))
		return
	}
	s.renderError(c, http.StatusNotFound, "route_not_found")
}

func (s *Server) noMethod(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		_, body := s.errorBody(c, cases.Errorf(cases.EBADREQUEST, "method_not_allowed"))
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, body)
		return
	}
	s.renderError(c, http.StatusMethodNotAllowed, "method_not_allowed")
}

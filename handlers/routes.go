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
	r.StaticFS("/static", staticFS())

	api := r.Group("/api/v1")
	api.Use(s.loadSession)
	api.GET("/openapi.json", s.openAPI)
	api.POST("/login", s.apiLogin)

	authed := api.Group("", s.apiAuth)
	authed.POST("/logout", s.apiLogout)
	authed.GET("/me", s.apiMe)
	authed.GET("/reference", s.allow("reference", auth.ActRead), s.apiReference)

	authed.POST("/residents", s.allow("residents", auth.ActWrite), s.apiCreateResident)
	authed.GET("/residents", s.allow("residents", auth.ActRead), s.apiFindResidents)
	authed.GET("/residents/:id", s.allow("residents", auth.ActRead), s.apiGetResident)
	authed.PATCH("/residents/:id", s.allow("residents", auth.ActWrite), s.apiUpdateResident)

	authed.POST("/contacts", s.allow("contacts", auth.ActWrite), s.apiCreateContact)
	authed.GET("/contacts", s.allow("contacts", auth.ActRead), s.apiFindContacts)
	authed.GET("/contacts/:id", s.allow("contacts", auth.ActRead), s.apiGetContact)
	authed.PATCH("/contacts/:id", s.allow("contacts", auth.ActWrite), s.apiCorrectContact)
	authed.POST("/contacts/:id/void", s.allow("contacts", auth.ActManage), s.apiVoidContact)

	pages := r.Group("", s.loadSession)
	pages.GET("/", s.pageHome)
	pages.GET("/login", s.pageLogin)
	pages.POST("/login", s.pageLoginPost)
	pages.GET("/lang/:lang", s.pageLanguage)

	app := pages.Group("", s.pageAuth)
	app.POST("/logout", s.pageLogout)

	r.NoRoute(s.noRoute)
	r.NoMethod(s.noMethod)
}

func (s *Server) healthz(c *gin.Context) {
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

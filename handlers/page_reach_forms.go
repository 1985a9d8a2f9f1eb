package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The reach page's forms: programme staff prepare a draft, publish it or
// discard it. A refusal (too few persons changed, a draft gone meanwhile)
// shows the page again with the reason.

// reachForm reads the period and table of a form; a bad period is a bad
// request, not a page to show.
func reachForm(c *gin.Context) (cases.Period, string, error) {
	p, err := cases.ParsePeriod(c.PostForm("period"))
	table := c.PostForm("table")
	if !cases.IsReachTable(table) {
		table = cases.TableProgrammePeriod
	}
	return p, table, err
}

// reachRefused shows the page of period and table again with err's message.
func (s *Server) reachRefused(c *gin.Context, p cases.Period, table, version string, err error) {
	status, body := s.errorBody(c, err)
	if status >= 500 {
		s.pageFail(c, err)
		return
	}
	q := url.Values{"period": {p.String()}, "table": {table}}
	if version != "" {
		q.Set("version", version)
	}
	c.Request.URL.RawQuery = q.Encode()
	backTo(c, "/reach?"+c.Request.URL.RawQuery)
	s.showReach(c, status, body.Error.Message)
}

func reachRedirect(c *gin.Context, p cases.Period, table string, version int, notice string) {
	q := url.Values{"period": {p.String()}, "table": {table}, notice: {"1"}}
	if version > 0 {
		q.Set("version", strconv.Itoa(version))
	}
	c.Redirect(http.StatusSeeOther, "/reach?"+q.Encode())
}

// pageReachDraft prepares a draft: POST /reach/drafts {period, table}.
func (s *Server) pageReachDraft(c *gin.Context) {
	p, table, err := reachForm(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	rel, err := s.Reach.Draft(c.Request.Context(), actor(c), p)
	if err != nil {
		s.reachRefused(c, p, table, "", err)
		return
	}
	reachRedirect(c, p, table, rel.Version, "drafted")
}

// pageReachPublish publishes the newest draft of a period from the page:
// POST /reach/publish {period, table, confirm}. Publishing cannot be
// undone, so the form asks to confirm; without it the page comes back
// saying so.
func (s *Server) pageReachPublish(c *gin.Context) {
	p, table, err := reachForm(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if c.PostForm("confirm") != "yes" {
		s.reachRefused(c, p, table, c.PostForm("version"), cases.Errorf(cases.EINVALID, "reach.publish_confirm_missing"))
		return
	}
	pub, err := s.Reach.Publish(c.Request.Context(), actor(c), p)
	if err != nil {
		s.reachRefused(c, p, table, c.PostForm("version"), err)
		return
	}
	reachRedirect(c, p, table, pub.Version, "published")
}

// pageReachDiscard discards a draft: POST /reach/discard {period, version,
// table}.
func (s *Server) pageReachDiscard(c *gin.Context) {
	p, table, err := reachForm(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.pageFail(c, cases.NotFound("reach_version"))
		return
	}
	if _, err := s.Reach.Discard(c.Request.Context(), actor(c), p, version); err != nil {
		s.reachRefused(c, p, table, c.PostForm("version"), err)
		return
	}
	reachRedirect(c, p, table, version, "discarded")
}

// pageReachMethod explains the symbols, protection and the kinds of
// figures: GET /reach/method.
func (s *Server) pageReachMethod(c *gin.Context) {
	s.render(c, http.StatusOK, "reach_method", "reach.method.title", nil)
}

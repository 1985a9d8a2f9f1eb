package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

// ctxReachToken holds the monitor token of a request authenticated by
// "Authorization: Bearer".
const ctxReachToken = "reach_token"

// reachAuth authenticates the reach routes: a read-only monitor token in
// "Authorization: Bearer <token>", or else a session as on every API route.
// Tokens are accepted here only; elsewhere the header is ignored and the
// request is unauthenticated (401).
func (s *Server) reachAuth(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		s.apiAuth(c)
		return
	}
	scheme, secret, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		s.fail(c, cases.Errorf(cases.EUNAUTHORIZED, "token_invalid"))
		return
	}
	tok, err := s.Tokens.Authenticate(c.Request.Context(), strings.TrimSpace(secret))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(ctxReachToken, tok)
	c.Next()
}

// reachAllow is allow("reach", act) for sessions; a monitor token may only
// read.
func (s *Server) reachAllow(act string) gin.HandlerFunc {
	allow := s.allow("reach", act)
	return func(c *gin.Context) {
		if _, ok := c.Get(ctxReachToken); !ok {
			allow(c)
			return
		}
		if act != auth.ActRead {
			s.fail(c, cases.Errorf(cases.EFORBIDDEN, "forbidden"))
			return
		}
		c.Next()
	}
}

// reachViewer is whose figures the request may see: programme staff and
// monitor tokens all organisations', a coordinator their own.
func reachViewer(c *gin.Context) cases.ReachViewer {
	if _, ok := c.Get(ctxReachToken); ok {
		return cases.MonitorViewer
	}
	return cases.ViewerOf(actor(c))
}

// reachParams are the query parameters of GET /api/v1/reach.
var reachParams = map[string]bool{"period": true, "table": true, "format": true, "dialect": true, "version": true}

// reachRequest is a parsed GET /api/v1/reach.
type reachRequest struct {
	query   cases.ReachQuery
	format  string // json, csv, xlsx
	dialect string // csv: "intl" (, and .) or "nl" (; and , — Dutch Excel)
}

// parseReachRequest reads and checks the query: period (required), table
// (T1–T5, default T1), format (json|csv|xlsx, default json), dialect (csv
// only: intl|nl, default intl), version (a release's number, or "live" for
// a coordinator's current figures; default the newest published version,
// see ReachService.Table). Unknown parameters are refused: the catalogue
// has no free filters.
func parseReachRequest(c *gin.Context) (reachRequest, error) {
	var r reachRequest
	var problems []cases.FieldError
	for name := range c.Request.URL.Query() {
		if !reachParams[name] {
			problems = append(problems, cases.FieldError{Field: name, Tag: "unknown_field"})
		}
	}
	if v := c.Query("period"); v == "" {
		problems = append(problems, cases.FieldError{Field: "period", Tag: "required"})
	} else if p, err := cases.ParsePeriod(v); err != nil {
		problems = append(problems, cases.FieldError{Field: "period", Tag: "period", Param: v})
	} else {
		r.query.Period = p
	}
	r.query.Table = c.DefaultQuery("table", cases.TableProgrammePeriod)
	if !cases.IsReachTable(r.query.Table) {
		problems = append(problems, cases.FieldError{Field: "table", Tag: "reach_table", Param: r.query.Table})
	}
	r.format = c.DefaultQuery("format", "json")
	if r.format != "json" && r.format != "csv" && r.format != "xlsx" {
		problems = append(problems, cases.FieldError{Field: "format", Tag: "reach_format", Param: r.format})
	}
	r.dialect = c.DefaultQuery("dialect", dialectIntl)
	if r.dialect != dialectIntl && r.dialect != dialectNL {
		problems = append(problems, cases.FieldError{Field: "dialect", Tag: "reach_dialect", Param: r.dialect})
	}
	switch v := c.Query("version"); v {
	case "":
	case "live":
		r.query.Live = true
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			problems = append(problems, cases.FieldError{Field: "version", Tag: "reach_version"})
		}
		r.query.Version = n
	}
	if len(problems) > 0 {
		return r, cases.Invalid(problems...)
	}
	return r, nil
}

// reachJSON is a table as the API answers it: the table, its title and the
// legend of the symbols it may hold.
type reachJSON struct {
	*cases.ReachTable
	Title  string            `json:"title"`
	Legend map[string]string `json:"legend"`
}

// apiReach answers one table of the catalogue: GET /api/v1/reach.
func (s *Server) apiReach(c *gin.Context) {
	r, err := parseReachRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.Reach.Table(c.Request.Context(), reachViewer(c), r.query)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	switch r.format {
	case "csv":
		data, err := s.reachCSV(t, lang, r.dialect)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+reachFileName(t, r.dialect, "csv")+`"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", data)
	case "xlsx":
		data, err := s.reachXLSX(t, lang)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+reachFileName(t, "", "xlsx")+`"`)
		c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
	default:
		c.JSON(http.StatusOK, reachJSON{ReachTable: t, Title: cases.TableTitles[t.Table].Name(lang),
			Legend: s.reachLegend(t, lang)})
	}
}

// reachFileName names a download; the two CSV dialects differ, so both
// can sit side by side in one folder.
func reachFileName(t *cases.ReachTable, dialect, ext string) string {
	name := "buurtbrug-bereik-" + t.Period + "-" + t.Table
	switch t.Status {
	case cases.ReachPublished:
		name += "-v" + strconv.Itoa(t.Version)
	case cases.ReleaseDraft, cases.ReleaseDiscarded:
		name += "-concept-v" + strconv.Itoa(t.Version)
	default:
		name += "-voorlopig"
	}
	if dialect == dialectNL {
		name += "-nl"
	}
	return name + "." + ext
}

// reachLegendSymbols are the symbols a legend explains, in order; the
// last entry explains rounding.
func reachLegendSymbols(t *cases.ReachTable) []string {
	return []string{"<" + strconv.Itoa(t.Rules.Threshold), "x", cases.Approximate, "–", "rounding"}
}

// reachLegend explains the symbols of a table.
func (s *Server) reachLegend(t *cases.ReachTable, lang string) map[string]string {
	threshold := strconv.Itoa(t.Rules.Threshold)
	return map[string]string{
		"<" + threshold:   s.i18n.T(lang, "reach.legend.primary", t.Rules.Threshold-1),
		"x":               s.i18n.T(lang, "reach.legend.secondary", t.Rules.Threshold),
		cases.Approximate: cases.LegendApproximate.Name(lang),
		"–":               s.i18n.T(lang, "reach.legend.not_applicable"),
		"rounding":        s.i18n.T(lang, "reach.legend.rounding", strconv.Itoa(t.Rules.RoundingBase)),
	}
}

// periodOf reads the body {period} of the release routes.
func periodOf(c *gin.Context) (cases.Period, error) {
	var in cases.PublishInput
	if err := decodeJSON(c, &in); err != nil {
		return cases.Period{}, err
	}
	return cases.ParsePeriod(in.Period)
}

// apiReachPublish publishes the newest draft of a period, making one first
// when there is none: POST /api/v1/reach/publish {period}.
func (s *Server) apiReachPublish(c *gin.Context) {
	p, err := periodOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	pub, err := s.Reach.Publish(c.Request.Context(), actor(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, pub)
}

// apiReachDraft makes a draft of a period: POST /api/v1/reach/drafts
// {period}.
func (s *Server) apiReachDraft(c *gin.Context) {
	p, err := periodOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rel, err := s.Reach.Draft(c.Request.Context(), actor(c), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, rel)
}

// apiReachDiscard discards a draft: POST
// /api/v1/reach/drafts/{version}/discard {period}.
func (s *Server) apiReachDiscard(c *gin.Context) {
	version, err := strconv.Atoi(c.Param("version"))
	if err != nil || version < 1 || version > 1_000_000 {
		s.fail(c, cases.NotFound("reach_version"))
		return
	}
	p, err := periodOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rel, err := s.Reach.Discard(c.Request.Context(), actor(c), p, version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rel)
}

// apiReachPublished lists published versions: GET /api/v1/reach/published.
func (s *Server) apiReachPublished(c *gin.Context) {
	list, err := s.Reach.Published(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"published": list})
}

// apiCreateReachToken makes a monitor token: POST /api/v1/reach/tokens
// {name}. The secret is in this answer only.
func (s *Server) apiCreateReachToken(c *gin.Context) {
	var in cases.ReachTokenInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	tok, secret, err := s.Tokens.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": tok, "secret": secret})
}

// apiReachTokens lists monitor tokens: GET /api/v1/reach/tokens.
func (s *Server) apiReachTokens(c *gin.Context) {
	list, err := s.Tokens.Tokens(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tokens": list})
}

// apiRevokeReachToken ends a token: DELETE /api/v1/reach/tokens/{id}.
func (s *Server) apiRevokeReachToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(c, cases.NotFound("reach_token"))
		return
	}
	if err := s.Tokens.Revoke(c.Request.Context(), actor(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// partnerParams are the query parameters of GET /api/v1/partners; an
// HSDS export is the whole directory, so it takes no cursor or limit.
var partnerParams = []string{"topic", "q", "format", "cursor", "limit"}

// partnerQuery reads topic=, q=, format=json|hsds, cursor= and limit=;
// unknown or repeated parameters are refused, and a page of an export.
func partnerQuery(c *gin.Context) (f cases.PartnerFilter, format, cursor string, limit int, err error) {
	q := listQuery(c, partnerParams...)
	f = cases.PartnerFilter{Topic: q.text("topic", 64), Query: c.Query("q")}
	format = c.DefaultQuery("format", "json")
	if format != "json" && format != "hsds" {
		q.fail("format", "one_of", "json, hsds")
	}
	cursor, limit = q.text("cursor", 400), q.limit()
	if format == "hsds" {
		for _, name := range []string{"cursor", "limit"} {
			if _, ok := c.GetQuery(name); ok {
				q.fail(name, "export_whole", "")
			}
		}
	}
	return f, format, cursor, limit, q.err()
}

// apiPartners lists a page of the directory of partners: GET
// /api/v1/partners?topic=&q=&cursor=&limit=, or the whole directory as
// Open Referral HSDS 3.0 JSON with format=hsds.
func (s *Server) apiPartners(c *gin.Context) {
	f, format, cursor, limit, err := partnerQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "hsds" {
		page, err := s.Directory.ExportHSDS(c.Request.Context(), f)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, page)
		return
	}
	list, err := s.Directory.Find(c.Request.Context(), f, cursor, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

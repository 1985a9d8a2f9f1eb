package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// partnerParams are the query parameters of GET /api/v1/partners.
var partnerParams = map[string]bool{"topic": true, "q": true, "format": true}

// partnerQuery reads topic=, q= and format=json|hsds; unknown parameters
// are refused.
func partnerQuery(c *gin.Context) (cases.PartnerFilter, string, error) {
	f := cases.PartnerFilter{Topic: c.Query("topic"), Query: c.Query("q")}
	var problems []cases.FieldError
	for name := range c.Request.URL.Query() {
		if !partnerParams[name] {
			problems = append(problems, cases.FieldError{Field: name, Tag: "unknown_field"})
		}
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "hsds" {
		problems = append(problems, cases.FieldError{Field: "format", Tag: "one_of", Param: "json, hsds"})
	}
	if len(f.Topic) > 64 {
		problems = append(problems, cases.FieldError{Field: "topic", Tag: "max_length", Param: "64"})
	}
	return f, format, cases.InvalidOrNil(problems)
}

type partnersResponse struct {
	Partners []cases.Partner `json:"partners"`
}

// apiPartners lists the directory of partners: GET /api/v1/partners, or
// the same as Open Referral HSDS 3.0 JSON with format=hsds.
func (s *Server) apiPartners(c *gin.Context) {
	f, format, err := partnerQuery(c)
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
	list, err := s.Directory.Partners(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, partnersResponse{Partners: list})
}

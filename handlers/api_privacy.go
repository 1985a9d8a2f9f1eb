package handlers

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// apiExportResident answers an access request: GET
// /api/v1/residents/{id}/export → everything the organisation holds about
// the record.
func (s *Server) apiExportResident(c *gin.Context) {
	out, err := s.Privacy.Export(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="inzage-`+out.Resident.ID+`.json"`)
	c.JSON(http.StatusOK, out)
}

// apiEraseResident erases a record: POST /api/v1/residents/{id}/erase
// {"reason"}.
func (s *Server) apiEraseResident(c *gin.Context) {
	var in cases.ReasonInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Privacy.Erase(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// apiOwnGround records the organisation's own legal ground for a record it
// received: POST /api/v1/residents/{id}/own-ground {"ground"}.
func (s *Server) apiOwnGround(c *gin.Context) {
	var in cases.OwnGroundInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Privacy.SetOwnGround(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// apiAudit reads the organisation's audit: GET
// /api/v1/audit?user=&resident_id=&action=&from=&to=&q=&cursor=&limit=&format=csv.
func (s *Server) apiAudit(c *gin.Context) {
	f, err := auditFilterOf(c)
	if err == nil && c.Query("format") != "" && c.Query("format") != "csv" && c.Query("format") != "json" {
		err = cases.FieldInvalid("format", "oneof", "json csv")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.Audit.Find(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") != "csv" {
		if page.Entries == nil {
			page.Entries = []cases.AuditEntry{}
		}
		c.JSON(http.StatusOK, page)
		return
	}
	body, err := auditCSV(page.Entries)
	if err != nil {
		s.fail(c, err)
		return
	}
	if page.NextCursor != "" {
		c.Header("X-Next-Cursor", page.NextCursor)
	}
	c.Header("Content-Disposition", `attachment; filename="audit.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
}

// auditColumns are the columns of the audit as CSV, the keys of its JSON.
var auditColumns = []string{"at", "user", "organisation", "action", "entity", "entity_id", "detail"}

func auditCSV(entries []cases.AuditEntry) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(auditColumns); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := w.Write(defused([]string{cases.FormatTime(e.At), e.Username, e.Organisation, e.Action, e.Entity,
			e.EntityID, e.Detail})); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// auditParams are the filters of the audit (the API's and the page's).
var auditParams = []string{"user", "resident_id", "action", "from", "to", "q", "cursor", "limit", "format"}

// auditFilterOf reads the audit filters of the API and the page. A day
// (2026-03-01) is a whole day in Amsterdam: from its start, to its end.
func auditFilterOf(c *gin.Context) (cases.AuditFilter, error) {
	q := listQuery(c, auditParams...)
	f := cases.AuditFilter{User: strings.TrimSpace(q.text("user", 64)), ResidentID: strings.TrimSpace(q.text("resident_id", 64)),
		Action: strings.TrimSpace(q.text("action", 40)), Query: q.text("q", 100), Cursor: q.text("cursor", 20),
		Limit: q.limit(), From: q.bound("from", false), To: q.bound("to", true)}
	return f, q.err()
}

// apiRenewHandoverConsent records a renewed consent: POST
// /api/v1/handovers/{id}/consent/renew {"how", "at"}.
func (s *Server) apiRenewHandoverConsent() gin.HandlerFunc {
	return handoverMove(s, handoverCases.RenewConsent)
}

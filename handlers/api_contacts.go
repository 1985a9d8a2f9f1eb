package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/web"
)

// apiCreateContact logs a contact: POST /api/v1/contacts. A repeated id
// answers 200 with the stored contact.
func (s *Server) apiCreateContact(c *gin.Context) {
	var in cases.ContactInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	contact, created, err := s.Contacts.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/contacts/"+contact.ID)
	c.JSON(status, contact)
}

// apiFindContacts lists contacts: GET /api/v1/contacts?resident_id=&from=&to=&mine=.
func (s *Server) apiFindContacts(c *gin.Context) {
	var f cases.ContactFilter
	var problems []cases.FieldError
	if id := c.Query("resident_id"); id != "" {
		if _, err := uuid.Parse(id); err != nil {
			problems = append(problems, cases.FieldError{Field: "resident_id", Tag: "uuid"})
		}
		f.ResidentID = id
	}
	for _, bound := range []struct {
		name string
		dst  **time.Time
		end  bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		if v := c.Query(bound.name); v != "" {
			t, ok := parseBound(v, bound.end)
			if !ok {
				problems = append(problems, cases.FieldError{Field: bound.name, Tag: "rfc3339"})
			}
			*bound.dst = &t
		}
	}
	switch c.Query("mine") {
	case "", "false":
	case "true":
		f.Mine = true
	default:
		problems = append(problems, cases.FieldError{Field: "mine", Tag: "boolean"})
	}
	limit, err := queryLimit(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.Limit = limit
	if len(problems) > 0 {
		s.fail(c, cases.Invalid(problems...))
		return
	}
	list, err := s.Contacts.Find(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"contacts": list})
}

// parseBound reads an RFC 3339 time, or a date taken in Amsterdam: the
// start of that day, or for an end bound the start of the next day.
func parseBound(v string, end bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	d, err := time.ParseInLocation(time.DateOnly, v, cases.Amsterdam)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}

// apiGetContact reads one contact with its history: GET /api/v1/contacts/{id}.
func (s *Server) apiGetContact(c *gin.Context) {
	contact, err := s.Contacts.ByID(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, contact)
}

// apiCorrectContact corrects a contact: PATCH /api/v1/contacts/{id}.
func (s *Server) apiCorrectContact(c *gin.Context) {
	var patch cases.ContactPatch
	if err := decodeJSON(c, &patch); err != nil {
		s.fail(c, err)
		return
	}
	contact, err := s.Contacts.Correct(c.Request.Context(), actor(c), c.Param("id"), patch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, contact)
}

// apiVoidContact voids a contact: POST /api/v1/contacts/{id}/void.
func (s *Server) apiVoidContact(c *gin.Context) {
	var in cases.VoidInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	contact, err := s.Contacts.Void(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, contact)
}

// openAPI serves the API description: GET /api/v1/openapi.json.
func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", web.OpenAPI)
}

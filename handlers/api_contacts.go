package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

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

// contactFilterParams are the filters of a contact list.
var contactFilterParams = []string{"resident_id", "mine", "worker", "programme", "topic", "neighbourhood", "kind",
	"from", "to", "cursor", "limit"}

// contactFilter reads a contact list's filters from q.
func contactFilter(q *query) cases.ContactFilter {
	return cases.ContactFilter{
		ResidentID: q.uuid("resident_id"), Mine: q.flag("mine"), Worker: q.text("worker", 64),
		Programme: q.text("programme", 64), Topic: q.text("topic", 64), Neighbourhood: q.text("neighbourhood", 64),
		Kind: q.text("kind", 64), From: q.bound("from", false), To: q.bound("to", true),
		Cursor: q.text("cursor", 400), Limit: q.limit(),
	}
}

// apiFindContacts lists a page of the organisation's contacts, newest
// first: GET /api/v1/contacts?resident_id=&mine=&worker=&programme=&topic=
// &neighbourhood=&kind=&from=&to=&cursor=&limit=.
func (s *Server) apiFindContacts(c *gin.Context) {
	q := listQuery(c, contactFilterParams...)
	f := contactFilter(q)
	if err := q.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Contacts.Find(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
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

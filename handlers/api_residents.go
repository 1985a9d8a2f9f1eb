package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// apiCreateResident registers a resident: POST /api/v1/residents. With a
// client-generated id, a repeated post answers 200 with the stored record.
func (s *Server) apiCreateResident(c *gin.Context) {
	var in cases.ResidentInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	r, created, err := s.Residents.CreateOnce(c.Request.Context(), actor(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/residents/"+r.ID)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, r)
}

// residentFilterParams are the filters of the residents list.
var residentFilterParams = []string{"q", "neighbourhood", "last_contact_from", "last_contact_to", "no_contact", "cursor", "limit"}

// residentFilter reads the residents list's filters from q.
func residentFilter(q *query) cases.ResidentFilter {
	return cases.ResidentFilter{Query: q.text("q", cases.MaxQuery), Neighbourhood: q.text("neighbourhood", 64),
		LastContactFrom: q.bound("last_contact_from", false), LastContactTo: q.bound("last_contact_to", true),
		NoContact: q.flag("no_contact"), Cursor: q.text("cursor", 400), Limit: q.limit()}
}

// apiFindResidents lists a page of the organisation's records, most
// recently changed first: GET /api/v1/residents?q=&neighbourhood=
// &last_contact_from=&last_contact_to=&no_contact=&cursor=&limit=.
func (s *Server) apiFindResidents(c *gin.Context) {
	q := listQuery(c, residentFilterParams...)
	f := residentFilter(q)
	if err := q.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Residents.Find(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// apiResidentMatches lists the organisation's records that may be the
// person about to be registered: GET /api/v1/residents/matches
// ?family_name=&birth_date=&birth_year=.
func (s *Server) apiResidentMatches(c *gin.Context) {
	q := listQuery(c, "family_name", "birth_date", "birth_year")
	m := cases.MatchQuery{FamilyName: q.text("family_name", 100), BirthDate: q.text("birth_date", 10),
		BirthYear: q.number("birth_year", 1900, 2100)}
	if err := q.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Residents.Matches(c.Request.Context(), actor(c), m)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"residents": list})
}

// apiMergeResident merges a record into another of the organisation (a
// coordinator's task): POST /api/v1/residents/{id}/merge {"into"}.
func (s *Server) apiMergeResident(c *gin.Context) {
	var in cases.MergeInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Residents.Merge(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// apiGetResident reads one record: GET /api/v1/residents/{id}.
func (s *Server) apiGetResident(c *gin.Context) {
	r, err := s.Residents.ByID(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// apiUpdateResident changes a record: PATCH /api/v1/residents/{id}.
func (s *Server) apiUpdateResident(c *gin.Context) {
	var patch cases.ResidentPatch
	if err := decodeJSON(c, &patch); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Residents.Update(c.Request.Context(), actor(c), c.Param("id"), patch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

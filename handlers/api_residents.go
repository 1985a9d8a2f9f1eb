package handlers

import (
	"net/http"
	"strconv"

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

// apiFindResidents searches the organisation's records: GET /api/v1/residents?q=.
func (s *Server) apiFindResidents(c *gin.Context) {
	q := c.Query("q")
	if len(q) > 100 {
		s.fail(c, cases.FieldInvalid("q", "max_length", "100"))
		return
	}
	limit, err := queryLimit(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Residents.Find(c.Request.Context(), actor(c), q, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if list == nil {
		list = []*cases.Resident{}
	}
	c.JSON(http.StatusOK, gin.H{"residents": list})
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

// queryLimit reads ?limit= (1..500, default 0 = the service's default).
func queryLimit(c *gin.Context) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, cases.FieldInvalid("limit", "range", "1-500")
	}
	return n, nil
}

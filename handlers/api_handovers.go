package handlers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// apiCreateHandover sends a handover: POST /api/v1/handovers → 201; 422
// without consent.
func (s *Server) apiCreateHandover(c *gin.Context) {
	var in cases.HandoverInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.Handovers.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/handovers/"+h.ID)
	c.JSON(http.StatusCreated, h)
}

// handoverFilterParams are the filters of a handover list.
var handoverFilterParams = []string{"direction", "state", "overdue", "partner", "mine", "min_age_days", "resident_id",
	"cursor", "limit"}

// handoverFilter reads a handover list's filters from q.
func handoverFilter(q *query) cases.HandoverFilter {
	return cases.HandoverFilter{Direction: q.text("direction", 16), State: q.text("state", 16), Overdue: q.flag("overdue"),
		Partner: q.text("partner", 64), Mine: q.flag("mine"), MinAge: q.number("min_age_days", 0, 3650),
		ResidentID: q.uuid("resident_id"), Cursor: q.text("cursor", 400), Limit: q.limit()}
}

// apiFindHandovers lists a page of the organisation's handovers in review
// order with counts per state: GET /api/v1/handovers?direction=&state=
// &overdue=&partner=&mine=&min_age_days=&resident_id=&cursor=&limit=.
func (s *Server) apiFindHandovers(c *gin.Context) {
	q := listQuery(c, handoverFilterParams...)
	f := handoverFilter(q)
	if err := cases.MergeInvalid(q.err(), f.Validate()); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Handovers.Find(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// apiGetHandover reads one handover: GET /api/v1/handovers/{id}. The
// receiving organisation's first read marks it received.
func (s *Server) apiGetHandover(c *gin.Context) {
	h, err := s.Handovers.ByID(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// handoverMove decodes a move's body into a fresh In and runs it: the
// handlers of POST /api/v1/handovers/{id}/<move>.
func handoverMove[In any](s *Server, run func(svc handoverCases, ctx context.Context, a cases.Actor, id string, in In) (*cases.Handover, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := decodeJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
		h, err := run(s.Handovers, c.Request.Context(), actor(c), c.Param("id"), in)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, h)
	}
}

// The moves: POST /api/v1/handovers/{id}/accept {assignee}, /contacted {at,
// how, note}, /complete {outcome, note}, /decline {reason, note}, /withdraw
// {reason}, /consent/withdraw {note}.
func (s *Server) apiAcceptHandover() gin.HandlerFunc {
	return handoverMove(s, handoverCases.Accept)
}

func (s *Server) apiHandoverContacted() gin.HandlerFunc {
	return handoverMove(s, handoverCases.RecordFirstContact)
}

func (s *Server) apiCompleteHandover() gin.HandlerFunc {
	return handoverMove(s, handoverCases.Complete)
}

func (s *Server) apiDeclineHandover() gin.HandlerFunc {
	return handoverMove(s, handoverCases.Decline)
}

func (s *Server) apiWithdrawHandover() gin.HandlerFunc {
	return handoverMove(s, handoverCases.Withdraw)
}

func (s *Server) apiWithdrawHandoverConsent() gin.HandlerFunc {
	return handoverMove(s, handoverCases.WithdrawConsent)
}

// apiRedirectHandover sends a declined handover's resident to another
// partner: POST /api/v1/handovers/{id}/redirect → 201 with the new,
// linked handover.
func (s *Server) apiRedirectHandover(c *gin.Context) {
	var in cases.RedirectInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.Handovers.Redirect(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/handovers/"+h.ID)
	c.JSON(http.StatusCreated, h)
}

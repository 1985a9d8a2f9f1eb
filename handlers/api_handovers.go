package handlers

import (
	"context"
	"net/http"
	"strconv"

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

// handoverFilter reads the list's query: direction=incoming|outgoing,
// state=, overdue=true, partner=, mine=true, min_age_days=, limit=.
func handoverFilter(c *gin.Context) (cases.HandoverFilter, error) {
	f := cases.HandoverFilter{Direction: c.Query("direction"), State: c.Query("state")}
	var problems []cases.FieldError
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"overdue", &f.Overdue}, {"mine", &f.Mine}} {
		switch c.Query(b.name) {
		case "", "false":
		case "true":
			*b.dst = true
		default:
			problems = append(problems, cases.FieldError{Field: b.name, Tag: "boolean"})
		}
	}
	if p := c.Query("partner"); p != "" {
		if len(p) > 64 {
			problems = append(problems, cases.FieldError{Field: "partner", Tag: "max_length", Param: "64"})
		} else {
			f.Partner = p
		}
	}
	if v := c.Query("min_age_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			problems = append(problems, cases.FieldError{Field: "min_age_days", Tag: "range", Param: "0-3650"})
		}
		f.MinAge = n
	}
	limit, err := queryLimit(c)
	f.Limit = limit
	return f, cases.MergeInvalid(cases.MergeInvalid(f.Validate(), cases.InvalidOrNil(problems)), err)
}

// apiFindHandovers lists the organisation's handovers with counts per state:
// GET /api/v1/handovers?direction=incoming|outgoing&state=&overdue=true.
func (s *Server) apiFindHandovers(c *gin.Context) {
	f, err := handoverFilter(c)
	if err != nil {
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

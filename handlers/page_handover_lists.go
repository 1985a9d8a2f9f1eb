package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The worker's inbox and the coordinator's review of handovers.

// inboxPage is the worker's inbox.
type inboxPage struct {
	Incoming, Outgoing []handoverLine
	Coordinator        bool
}

// pageHandovers is the worker's inbox: GET /handovers. Incoming: handovers
// to the organisation that are assigned to me or to no one yet; outgoing:
// the ones I sent, with their state.
func (s *Server) pageHandovers(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := inboxPage{Coordinator: a.Has(cases.RoleCoordinator)}
	for _, dir := range []string{cases.DirectionIncoming, cases.DirectionOutgoing} {
		list, err := s.Handovers.Find(ctx, a, cases.HandoverFilter{Direction: dir, Mine: true, Limit: 100})
		if err != nil {
			s.pageFail(c, err)
			return
		}
		for _, h := range list.Handovers {
			line := s.handoverLine(h, l)
			if dir == cases.DirectionIncoming {
				p.Incoming = append(p.Incoming, line)
			} else {
				p.Outgoing = append(p.Outgoing, line)
			}
		}
	}
	s.render(c, http.StatusOK, "handovers", "handovers.title", p)
}

// reviewPage is the coordinator's review.
type reviewPage struct {
	Counts    []choice // Value = state, Label = state name, and the count in Count
	CountOf   map[string]int
	Overdue   int
	Total     int
	Shown     int
	Lines     []handoverLine
	States    []choice
	Partners  []choice
	Dirs      []choice
	MinAge    string
	Assignees []cases.Assignee
	Errors    map[string]string
	Alert     string
	Done      bool
}

// reviewPageSize is how many handovers the review shows: overdue ones come
// first, and the counts and filters reach the rest.
const reviewPageSize = 100

// pageHandoverReview is the coordinator's review: GET /handovers/review
// ?direction=&state=&partner=&min_age_days=. Incoming and outgoing, overdue
// first, counts per state at the top, reassigning in the list.
func (s *Server) pageHandoverReview(c *gin.Context) {
	s.showReview(c, http.StatusOK, "", nil)
}

func (s *Server) showReview(c *gin.Context, status int, alert string, fieldErrors map[string]string) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	p := reviewPage{Errors: map[string]string{}, Alert: alert, Done: c.Query("done") == "reassign"}
	for k, v := range fieldErrors {
		p.Errors[k] = v
	}
	f, err := handoverFilter(c)
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors, status = fe.Fields, fe.Status
		f = cases.HandoverFilter{}
	}
	f.Limit = reviewPageSize
	list, err := s.Handovers.Find(ctx, a, f)
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors, status = fe.Fields, fe.Status
		if list, err = s.Handovers.Find(ctx, a, cases.HandoverFilter{Limit: reviewPageSize}); err != nil {
			s.pageFail(c, err)
			return
		}
	}
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.CountOf, p.Overdue, p.Total, p.Shown = list.Counts, list.Overdue, list.Total, len(list.Handovers)
	for _, st := range cases.HandoverStates {
		p.Counts = append(p.Counts, choice{Value: st, Label: s.i18n.T(lang, "handover.state."+st), Checked: st == f.State})
	}
	p.States = append([]choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.all")}}, p.Counts...)
	p.Dirs = []choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.both"), Checked: f.Direction == ""}}
	p.Dirs = append(p.Dirs, s.labelled(lang, "handover.direction.", []string{cases.DirectionIncoming, cases.DirectionOutgoing}, f.Direction)...)
	partners, err := s.Handovers.Partners(ctx, a)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Partners = []choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.all")}}
	for _, o := range partners {
		p.Partners = append(p.Partners, choice{Value: o.Slug, Label: o.Name, Checked: o.Slug == f.Partner})
	}
	if f.MinAge > 0 {
		p.MinAge = strconv.Itoa(f.MinAge)
	}
	if p.Assignees, err = s.Handovers.Assignees(ctx, a); err != nil {
		s.pageFail(c, err)
		return
	}
	for _, h := range list.Handovers {
		p.Lines = append(p.Lines, s.handoverLine(h, l))
	}
	s.render(c, status, "handover_review", "handover.review.title", p)
}

// pageReassignHandover gives an accepted handover to another worker from the
// review: POST /handovers/{id}/reassign.
func (s *Server) pageReassignHandover(c *gin.Context) {
	_, err := s.Handovers.Reassign(c.Request.Context(), actor(c), c.Param("id"),
		cases.AcceptInput{Assignee: c.PostForm("assignee")})
	back := localPath(c.PostForm("back"))
	if back == "/" {
		back = "/handovers/review"
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showReview(c, fe.Status, fe.Message, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, back+"?done=reassign")
}

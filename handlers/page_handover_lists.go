package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The worker's inbox and the coordinator's review of handovers.

// inboxPage is the worker's inbox: two paged lists.
type inboxPage struct {
	Incoming, Outgoing []handoverLine
	InPager, OutPager  pager
	Coordinator        bool
}

// pageHandovers is the worker's inbox: GET /handovers?in_cursor=&out_cursor=.
// Incoming: handovers to the organisation that are assigned to me or to
// no one yet; outgoing: the ones I sent, with their state.
func (s *Server) pageHandovers(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	q := listQuery(c, "in_cursor", "out_cursor")
	cursors := map[string]string{cases.DirectionIncoming: q.text("in_cursor", 400), cases.DirectionOutgoing: q.text("out_cursor", 400)}
	if err := q.err(); err != nil {
		s.pageFail(c, err)
		return
	}
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := inboxPage{Coordinator: a.Has(cases.RoleCoordinator)}
	for _, dir := range []string{cases.DirectionIncoming, cases.DirectionOutgoing} {
		list, err := s.Handovers.Find(ctx, a, cases.HandoverFilter{Direction: dir, Mine: true, Cursor: cursors[dir]})
		if err != nil {
			s.pageFail(c, err)
			return
		}
		lines := make([]handoverLine, 0, len(list.Handovers))
		for _, h := range list.Handovers {
			lines = append(lines, s.handoverLine(h, l))
		}
		if dir == cases.DirectionIncoming {
			p.Incoming = lines
			p.InPager = pagerOf(c, "incoming", "in_cursor", list.Offset, len(lines), list.Total, list.NextCursor)
		} else {
			p.Outgoing = lines
			p.OutPager = pagerOf(c, "outgoing", "out_cursor", list.Offset, len(lines), list.Total, list.NextCursor)
		}
	}
	s.render(c, http.StatusOK, "handovers", "handovers.title", p)
}

// reviewPage is the coordinator's review.
type reviewPage struct {
	Counts    []choice // Value = state, Label = state name, and the count in Count
	CountOf   map[string]int
	Overdue   int
	Lines     []handoverLine
	Pager     pager
	States    []choice
	Partners  []choice
	Dirs      []choice
	MinAge    string
	Assignees []cases.Assignee
	Errors    map[string]string
	Alert     string
	Done      bool
}

// pageHandoverReview is the coordinator's review: GET /handovers/review
// ?direction=&state=&partner=&min_age_days=&overdue=&cursor=. Incoming and
// outgoing, overdue first, counts per state at the top, assigning in the
// list. Open handovers unless another state (or "all") is chosen.
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
	q := listQuery(c, "direction", "state", "partner", "min_age_days", "overdue", "cursor", "done")
	f := handoverFilter(q)
	switch c.Query("state") {
	case "":
		f.State = cases.StatesOpen
	case "all":
		f.State = ""
	}
	err := cases.MergeInvalid(q.err(), f.Validate())
	var list *cases.HandoverList
	if err == nil {
		list, err = s.Handovers.Find(ctx, a, f)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors, status = fe.Fields, fe.Status
		f = cases.HandoverFilter{State: cases.StatesOpen}
		if list, err = s.Handovers.Find(ctx, a, f); err != nil {
			s.pageFail(c, err)
			return
		}
	}
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.CountOf, p.Overdue = list.Counts, list.Overdue
	for _, st := range cases.HandoverStates {
		p.Counts = append(p.Counts, choice{Value: st, Label: s.i18n.T(lang, "handover.state."+st), Checked: st == f.State})
	}
	p.States = []choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.open"), Checked: f.State == cases.StatesOpen},
		{Value: "all", Label: s.i18n.T(lang, "handover.filter.all"), Checked: f.State == ""},
		{Value: cases.StatesClosed, Label: s.i18n.T(lang, "handover.filter.closed"), Checked: f.State == cases.StatesClosed}}
	p.States = append(p.States, p.Counts...)
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
	p.Pager = pagerOf(c, "review-list", "cursor", list.Offset, len(list.Handovers), list.Total, list.NextCursor)
	backTo(c, "/handovers/review")
	s.render(c, status, "handover_review", "handover.review.title", p)
}

// pageReassignHandover assigns a handover to a worker, from the review or
// the handover's page: POST /handovers/{id}/reassign {assignee, back}.
func (s *Server) pageReassignHandover(c *gin.Context) {
	_, err := s.Handovers.Reassign(c.Request.Context(), actor(c), c.Param("id"),
		cases.AcceptInput{Assignee: c.PostForm("assignee")})
	back := localPath(c.PostForm("back"))
	if back == "/" {
		back = "/handovers/review"
	}
	u, _ := url.Parse(back)
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		if u.Path == "/handovers/"+c.Param("id") {
			s.showHandover(c, fe.Status, handoverPage{Alert: fe.Message, Errors: fe.Fields})
			return
		}
		s.showReview(c, fe.Status, fe.Message, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, withParam(u.Path, u.Query(), "done", "reassign"))
}

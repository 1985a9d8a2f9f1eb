package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The worker's inbox and the coordinator's review of handovers.

// handoverFilterBar is the filter bar of a handover page: the API's
// filters of a list (state, partner, age, resident), read by
// handoverFilter and applied by the use case; the page only offers them.
type handoverFilterBar struct {
	States   []choice
	Partners []choice
	MinAge   string
	// ResidentID and Resident: the record the list is narrowed to (from
	// its page), and its name.
	ResidentID, Resident string
	ResidentClear        string // this page without the resident filter
	Errors               map[string]string
}

// filterBar fills the bar from f; states are the page's state choices.
func (s *Server) filterBar(c *gin.Context, a cases.Actor, f cases.HandoverFilter, states []choice, bar *handoverFilterBar) error {
	ctx := c.Request.Context()
	lang := s.lang(c)
	bar.States = states
	partners, err := s.Handovers.Partners(ctx, a)
	if err != nil {
		return err
	}
	bar.Partners = []choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.all")}}
	for _, o := range partners {
		bar.Partners = append(bar.Partners, choice{Value: o.Slug, Label: o.Name, Checked: o.Slug == f.Partner})
	}
	if f.MinAge > 0 {
		bar.MinAge = strconv.Itoa(f.MinAge)
	}
	if f.ResidentID != "" {
		names, err := s.Residents.Names(ctx, a, []string{f.ResidentID})
		if err != nil {
			return err
		}
		bar.ResidentID, bar.Resident = f.ResidentID, names[f.ResidentID]
		rest := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "resident_id" && !strings.HasSuffix(k, "cursor") && k != "done" {
				rest[k] = v
			}
		}
		bar.ResidentClear = c.Request.URL.Path
		if len(rest) > 0 {
			bar.ResidentClear += "?" + rest.Encode()
		}
	}
	return nil
}

// stateChoices are the state choices of a filter bar: the groups, then
// each state; first is the group that is the default (no state chosen).
func (s *Server) stateChoices(lang, state string, first, second choice) []choice {
	out := []choice{first, second,
		{Value: cases.StatesClosed, Label: s.i18n.T(lang, "handover.filter.closed"), Checked: state == cases.StatesClosed}}
	for _, st := range cases.HandoverStates {
		out = append(out, choice{Value: st, Label: s.i18n.T(lang, "handover.state."+st), Checked: st == state})
	}
	return out
}

// inboxPage is the worker's inbox: two paged lists under one filter bar.
type inboxPage struct {
	handoverFilterBar
	Incoming, Outgoing []handoverLine
	InPager, OutPager  pager
	Coordinator        bool
	Filtered           bool
}

// inboxParams are the inbox's query parameters: a cursor per list and the
// filters of the API's list, which narrow both.
var inboxParams = []string{"in_cursor", "out_cursor", "state", "partner", "min_age_days", "resident_id"}

// pageHandovers is the worker's inbox: GET /handovers?in_cursor=&out_cursor=
// &state=&partner=&min_age_days=&resident_id=. Incoming: handovers to the
// organisation that are assigned to me or to no one yet; outgoing: the
// ones I sent, with their state; both narrowed by the filters.
func (s *Server) pageHandovers(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	q := listQuery(c, inboxParams...)
	base := handoverFilter(q)
	cursors := map[string]string{cases.DirectionIncoming: q.text("in_cursor", 400), cases.DirectionOutgoing: q.text("out_cursor", 400)}
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := inboxPage{Coordinator: a.Has(cases.RoleCoordinator), handoverFilterBar: handoverFilterBar{Errors: map[string]string{}}}
	status := http.StatusOK
	lists := map[string]*cases.HandoverList{}
	err = cases.MergeInvalid(q.err(), base.Validate())
	for _, dir := range []string{cases.DirectionIncoming, cases.DirectionOutgoing} {
		if err != nil {
			break
		}
		f := base
		f.Direction, f.Mine, f.Cursor = dir, true, cursors[dir]
		lists[dir], err = s.Handovers.Find(ctx, a, f)
	}
	if err != nil {
		// A filter that is wrong is shown at its field, over the lists
		// without filters.
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors, status = fe.Fields, fe.Status
		base = cases.HandoverFilter{}
		for _, dir := range []string{cases.DirectionIncoming, cases.DirectionOutgoing} {
			if lists[dir], err = s.Handovers.Find(ctx, a, cases.HandoverFilter{Direction: dir, Mine: true}); err != nil {
				s.pageFail(c, err)
				return
			}
		}
	}
	states := s.stateChoices(lang, base.State,
		choice{Value: "", Label: s.i18n.T(lang, "handover.filter.all"), Checked: base.State == ""},
		choice{Value: cases.StatesOpen, Label: s.i18n.T(lang, "handover.filter.open"), Checked: base.State == cases.StatesOpen})
	if err := s.filterBar(c, a, base, states, &p.handoverFilterBar); err != nil {
		s.pageFail(c, err)
		return
	}
	p.Filtered = base.State != "" || base.Partner != "" || base.MinAge > 0 || base.ResidentID != ""
	for _, dir := range []string{cases.DirectionIncoming, cases.DirectionOutgoing} {
		list := lists[dir]
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
	s.render(c, status, "handovers", "handovers.title", p)
}

// reviewPage is the coordinator's review.
type reviewPage struct {
	handoverFilterBar
	Counts    []choice // Value = state, Label = state name, and the count in Count
	CountOf   map[string]int
	Overdue   int
	Lines     []handoverLine
	Pager     pager
	Dirs      []choice
	Assignees []cases.Assignee
	Alert     string
	Done      bool
}

// pageHandoverReview is the coordinator's review: GET /handovers/review
// ?direction=&state=&partner=&min_age_days=&overdue=&resident_id=&cursor=.
// Incoming and outgoing, overdue first, counts per state at the top,
// assigning in the list. Open handovers unless another state (or "all")
// is chosen.
func (s *Server) pageHandoverReview(c *gin.Context) {
	s.showReview(c, http.StatusOK, "", nil)
}

func (s *Server) showReview(c *gin.Context, status int, alert string, fieldErrors map[string]string) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	p := reviewPage{handoverFilterBar: handoverFilterBar{Errors: map[string]string{}}, Alert: alert, Done: c.Query("done") == "reassign"}
	for k, v := range fieldErrors {
		p.Errors[k] = v
	}
	q := listQuery(c, "direction", "state", "partner", "min_age_days", "overdue", "resident_id", "cursor", "done")
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
	states := s.stateChoices(lang, f.State,
		choice{Value: "", Label: s.i18n.T(lang, "handover.filter.open"), Checked: f.State == cases.StatesOpen},
		choice{Value: "all", Label: s.i18n.T(lang, "handover.filter.all"), Checked: f.State == ""})
	if err := s.filterBar(c, a, f, states, &p.handoverFilterBar); err != nil {
		s.pageFail(c, err)
		return
	}
	p.Dirs = []choice{{Value: "", Label: s.i18n.T(lang, "handover.filter.both"), Checked: f.Direction == ""}}
	p.Dirs = append(p.Dirs, s.labelled(lang, "handover.direction.", []string{cases.DirectionIncoming, cases.DirectionOutgoing}, f.Direction)...)
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

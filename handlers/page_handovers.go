package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The handover screens: "Warm overdragen" (the form), the worker's inbox,
// one handover with the moves the viewer may make, and the coordinator's
// review. Forms post plain HTML (no script needed); the pages call the
// same use cases as the API.

// handoverForm is what the "Warm overdragen" form posted, to show it again.
type handoverForm struct {
	ResidentID, Programme, To, Question, Story, Urgency string
	PreferredWay, PreferredTime, ConsentHow             string
	ConsentGiven                                        bool
	Topics, Scope                                       []string
}

// handoverFormPage is the data of the form.
type handoverFormPage struct {
	Resident     string // the chosen resident's name
	ResidentID   string
	Query        string
	Results      []choice // residents found by the search (Value = id)
	Searched     bool
	RedirectFrom string
	FirstPartner string
	Form         handoverForm
	Programmes   []choice
	Partners     []choice
	Topics       []choice
	Scopes       []choice
	ConsentWays  []choice
	Urgencies    []choice
	ContactWays  []choice
	Errors       map[string]string
	Alert        string
}

// pageNewHandover shows "Warm overdragen": GET /handovers/new?resident_id=
// (from a resident's page), ?redirect_from= (from a declined handover), or
// a resident search (?q=) when neither is given.
func (s *Server) pageNewHandover(c *gin.Context) {
	p := handoverFormPage{Form: handoverForm{Urgency: "normal", ConsentHow: "verbal",
		Scope: []string{cases.ScopeName, cases.ScopePhone, cases.ScopeNeighbourhood, cases.ScopeStory}}}
	ctx := c.Request.Context()
	if from := c.Query("redirect_from"); from != "" {
		first, err := s.Handovers.ByID(ctx, actor(c), from)
		if err != nil {
			s.pageFail(c, err)
			return
		}
		p.RedirectFrom, p.FirstPartner = first.ID, first.To.Organisation
		p.Form.ResidentID, p.Form.Topics, p.Form.Question = first.ResidentID, first.Topics, first.Question
		p.Form.Urgency, p.Form.PreferredWay, p.Form.PreferredTime = first.Urgency, first.PreferredContactWay, first.PreferredContactTime
		if first.Shared.Story != nil {
			p.Form.Story = *first.Shared.Story
		}
	} else {
		p.Form.ResidentID = c.Query("resident_id")
	}
	if p.Form.ResidentID == "" {
		p.Query = strings.TrimSpace(c.Query("q"))
		if len(p.Query) > 100 {
			p.Query = p.Query[:100]
		}
		if p.Query != "" {
			found, err := s.Residents.Find(ctx, actor(c), p.Query, 25)
			if err != nil {
				s.pageFail(c, err)
				return
			}
			p.Searched = true
			for _, r := range found {
				p.Results = append(p.Results, choice{Value: r.ID, Label: residentName(r) + birthSuffix(r)})
			}
		}
	}
	s.showHandoverForm(c, http.StatusOK, p)
}

func birthSuffix(r *cases.Resident) string {
	switch {
	case r.BirthDate != "":
		return " (" + r.BirthDate[:4] + ")"
	case r.BirthYear != 0:
		return " (" + strconv.Itoa(r.BirthYear) + ")"
	}
	return ""
}

func (s *Server) showHandoverForm(c *gin.Context, status int, p handoverFormPage) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	u := session(c).User
	if p.Form.ResidentID != "" && p.Resident == "" {
		r, err := s.Residents.ByID(ctx, actor(c), p.Form.ResidentID)
		if err != nil {
			s.pageFail(c, err)
			return
		}
		p.ResidentID, p.Resident = r.ID, residentName(r)
		if p.Resident == "" {
			p.Resident = s.i18n.T(lang, "handover.resident_no_name")
		}
	}
	ref, err := s.Reference.Reference(ctx, u.OrganisationID)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if p.Form.Programme == "" {
		p.Form.Programme = u.Programme
	}
	if len(ref.Programmes) > 1 {
		for _, pr := range ref.Programmes {
			p.Programmes = append(p.Programmes, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == p.Form.Programme})
		}
	}
	partners, err := s.Handovers.Partners(ctx, actor(c))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	for _, o := range partners {
		if o.Slug == p.FirstPartner {
			continue // a redirect goes to another partner
		}
		p.Partners = append(p.Partners, choice{Value: o.Slug, Label: o.Name, Checked: o.Slug == p.Form.To})
	}
	p.Topics = termChoices(ref.Topics, lang, p.Form.Topics...)
	for _, k := range cases.ConsentScopes {
		p.Scopes = append(p.Scopes, choice{Value: k, Label: s.i18n.T(lang, "handover.scope."+k), Checked: contains(p.Form.Scope, k)})
	}
	p.ConsentWays = s.labelled(lang, "handover.consent_how.", cases.ConsentWays, p.Form.ConsentHow)
	p.Urgencies = s.labelled(lang, "handover.urgency.", cases.Urgencies, p.Form.Urgency)
	p.ContactWays = s.labelled(lang, "handover.way.", cases.ContactWays, p.Form.PreferredWay)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	s.render(c, status, "handover_new", "handover.new.title", p)
}

// labelled makes choices of a closed list whose labels are prefix+value.
func (s *Server) labelled(lang, prefix string, values []string, checked ...string) []choice {
	out := make([]choice, 0, len(values))
	for _, v := range values {
		out = append(out, choice{Value: v, Label: s.i18n.T(lang, prefix+v), Checked: contains(checked, v)})
	}
	return out
}

// pageNewHandoverPost sends the form: POST /handovers/new. Errors are shown
// next to their fields; nothing is written without consent.
func (s *Server) pageNewHandoverPost(c *gin.Context) {
	f := handoverForm{
		ResidentID: c.PostForm("resident_id"), Programme: c.PostForm("programme"), To: c.PostForm("to"),
		Question: c.PostForm("question"), Story: strings.ReplaceAll(c.PostForm("story"), "\r\n", "\n"),
		Urgency: c.PostForm("urgency"), PreferredWay: c.PostForm("preferred_contact_way"),
		PreferredTime: c.PostForm("preferred_contact_time"), ConsentHow: c.PostForm("consent_how"),
		ConsentGiven: c.PostForm("consent_given") == "yes", Topics: c.PostFormArray("topics"),
		Scope: c.PostFormArray("scope"),
	}
	consent := &cases.ConsentInput{Given: f.ConsentGiven, How: f.ConsentHow, Scope: f.Scope}
	if consent.Scope == nil {
		consent.Scope = []string{}
	}
	redirectFrom := c.PostForm("redirect_from")
	var h *cases.Handover
	var err error
	if redirectFrom != "" {
		in := cases.RedirectInput{To: f.To, Topics: f.Topics, Question: &f.Question, Story: &f.Story,
			Urgency: f.Urgency, PreferredContactWay: &f.PreferredWay, PreferredContactTime: &f.PreferredTime, Consent: consent}
		h, err = s.Handovers.Redirect(c.Request.Context(), actor(c), redirectFrom, in)
	} else {
		in := cases.HandoverInput{ResidentID: f.ResidentID, Programme: f.Programme, To: f.To, Topics: f.Topics,
			Question: f.Question, Story: f.Story, Urgency: f.Urgency, PreferredContactWay: f.PreferredWay,
			PreferredContactTime: f.PreferredTime, Consent: consent}
		h, err = s.Handovers.Create(c.Request.Context(), actor(c), in)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p := handoverFormPage{Form: f, RedirectFrom: redirectFrom, Alert: fe.Message, Errors: fe.Fields}
		if redirectFrom != "" {
			if first, ferr := s.Handovers.ByID(c.Request.Context(), actor(c), redirectFrom); ferr == nil {
				p.FirstPartner, p.Form.ResidentID = first.To.Organisation, first.ResidentID
			}
		}
		// "consent.given" is shown at the consent box.
		for k, v := range fe.Fields {
			if strings.HasPrefix(k, "consent.") {
				p.Errors[strings.ReplaceAll(k, ".", "_")] = v
			}
		}
		s.showHandoverForm(c, fe.Status, p)
		return
	}
	c.Redirect(http.StatusSeeOther, "/handovers/"+h.ID+"?done=sent")
}

// handoverLine is one handover in a list.
type handoverLine struct {
	ID, State, StateLabel, Direction     string
	Partner, Resident, Topics, Sent, Due string
	Assignee, ToReceipt, ToAccept        string
	ToContact                            string
	Overdue, Urgent, Open, Reassign      bool
}

// handoverLabels translates what lists and the detail page show.
type handoverLabels struct {
	lang       string
	orgs       map[string]string
	topics     map[string]string
	outcomes   map[string]string
	hoods      map[string]string
	programmes map[string]string
}

func (s *Server) handoverLabels(c *gin.Context) (*handoverLabels, error) {
	ref, err := s.Reference.Reference(c.Request.Context(), 0)
	if err != nil {
		return nil, err
	}
	lang := s.lang(c)
	l := &handoverLabels{lang: lang, orgs: map[string]string{}, programmes: map[string]string{},
		topics: termNames(ref.Topics, lang), outcomes: termNames(ref.Outcomes, lang),
		hoods: termNames(ref.Neighbourhoods, lang)}
	for _, o := range ref.Organisations {
		l.orgs[o.Slug] = o.Name
	}
	for _, p := range ref.Programmes {
		l.programmes[p.Slug] = p.Name
	}
	return l, nil
}

func (l *handoverLabels) topicList(slugs []string) string {
	names := make([]string, 0, len(slugs))
	for _, t := range slugs {
		names = append(names, l.topics[t])
	}
	return strings.Join(names, ", ")
}

func sharedName(h *cases.Handover) string {
	if h.Shared.Name == nil {
		return ""
	}
	return strings.TrimSpace(h.Shared.Name.GivenName + " " + h.Shared.Name.FamilyName)
}

// elapsed says how long a step took: hours within a day, else working days.
func (s *Server) elapsed(lang string, from time.Time, to *time.Time) string {
	if to == nil {
		return "—"
	}
	d := to.Sub(from)
	if d < 24*time.Hour {
		return s.i18n.T(lang, "handover.hours", int(d.Hours()))
	}
	return s.i18n.T(lang, "handover.workdays", cases.WorkdaysBetween(from, *to))
}

func (s *Server) handoverLine(h *cases.Handover, l *handoverLabels, a cases.Actor) handoverLine {
	line := handoverLine{
		ID: h.ID, State: h.State, StateLabel: s.i18n.T(l.lang, "handover.state."+h.State), Direction: h.Direction,
		Resident: sharedName(h), Topics: l.topicList(h.Topics), Sent: localTime(h.RequestedAt, l.lang),
		Assignee: h.Assignee, Overdue: h.Overdue, Urgent: h.Urgency == "urgent", Open: cases.OpenState(h.State),
		ToReceipt: s.elapsed(l.lang, h.RequestedAt, h.ReceivedAt), ToAccept: s.elapsed(l.lang, h.RequestedAt, h.AcceptedAt),
		ToContact: s.elapsed(l.lang, h.RequestedAt, h.ContactedAt),
	}
	if h.Direction == cases.DirectionIncoming {
		line.Partner = l.orgs[h.From.Organisation]
	} else {
		line.Partner = l.orgs[h.To.Organisation]
	}
	switch h.State {
	case cases.StateRequested, cases.StateReceived:
		line.Due = localDay(h.AcceptBy, l.lang)
	case cases.StateAccepted:
		line.Due = localDay(h.ContactBy, l.lang)
	}
	if line.Resident == "" {
		line.Resident = "—"
	}
	line.Reassign = h.Moves[cases.ActionReassign]
	return line
}

// localDay shows the last day before a deadline (an end-of-day instant).
func localDay(deadline time.Time, lang string) string {
	d := deadline.Add(-time.Millisecond).In(cases.Amsterdam)
	if lang == langEN {
		return d.Format("Mon 2 Jan 2006")
	}
	return dutchWeekday[d.Weekday()] + " " + d.Format("02-01-2006")
}

var dutchWeekday = [...]string{"zo", "ma", "di", "wo", "do", "vr", "za"}

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
			line := s.handoverLine(h, l, a)
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
		p.Lines = append(p.Lines, s.handoverLine(h, l, a))
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

// handoverPage is one handover with the moves the viewer may make.
type handoverPage struct {
	H                                      *cases.Handover
	Line                                   handoverLine
	From, To, FromProgramme, ToProgramme   string
	Resident, Phone, Birth, Neighbourhood  string
	Story                                  string
	Shared                                 []choice // scope keys and their labels
	ConsentHow, ConsentAt, ConsentWithdrew string
	Timeline                               []choice // Label = step, Value = when
	Outcome, DeclineReason, Urgency        string
	PreferredWay                           string
	FirstContactHow, FirstContactAt        string
	Sender, Receiver                       bool
	Can                                    map[string]bool
	Assignees                              []cases.Assignee
	Outcomes, DeclineReasons, ContactWays  []choice
	Neighbourhoods                         []choice
	Now                                    string
	Done, DoneMsg                          string
	Alert                                  string
	Errors                                 map[string]string
	Form                                   map[string]string
}

// pageHandover shows one handover: GET /handovers/{id}. Opening it as the
// receiving organisation marks it received.
func (s *Server) pageHandover(c *gin.Context) {
	s.showHandover(c, http.StatusOK, handoverPage{Done: c.Query("done")})
}

func (s *Server) showHandover(c *gin.Context, status int, p handoverPage) {
	ctx := c.Request.Context()
	a := actor(c)
	h, err := s.Handovers.ByID(ctx, a, c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	l, err := s.handoverLabels(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	lang := l.lang
	side := h.Side(a)
	p.H, p.Line = h, s.handoverLine(h, l, a)
	p.Sender, p.Receiver = side == cases.SideSender, side == cases.SideReceiver
	p.From, p.To = l.orgs[h.From.Organisation], l.orgs[h.To.Organisation]
	p.FromProgramme, p.ToProgramme = l.programmes[h.From.Programme], l.programmes[h.To.Programme]
	p.Resident = sharedName(h)
	if h.Shared.Phone != nil {
		p.Phone = *h.Shared.Phone
	}
	if h.Shared.BirthDate != nil && *h.Shared.BirthDate != "" {
		p.Birth = localDate(*h.Shared.BirthDate, lang)
	}
	if h.Shared.Neighbourhood != nil {
		p.Neighbourhood = l.hoods[*h.Shared.Neighbourhood]
	}
	if h.Shared.Story != nil {
		p.Story = *h.Shared.Story
	}
	for _, k := range h.Consent.Scope {
		p.Shared = append(p.Shared, choice{Value: k, Label: s.i18n.T(lang, "handover.scope."+k)})
	}
	p.ConsentHow = s.i18n.T(lang, "handover.consent_how."+h.Consent.How)
	p.ConsentAt = localTime(h.Consent.At, lang)
	if h.Consent.WithdrawnAt != nil {
		p.ConsentWithdrew = localTime(*h.Consent.WithdrawnAt, lang)
	}
	p.Urgency = s.i18n.T(lang, "handover.urgency."+h.Urgency)
	if h.PreferredContactWay != "" {
		p.PreferredWay = s.i18n.T(lang, "handover.way."+h.PreferredContactWay)
	}
	for _, step := range []struct {
		state string
		at    *time.Time
	}{{cases.StateRequested, &h.RequestedAt}, {cases.StateReceived, h.ReceivedAt}, {cases.StateAccepted, h.AcceptedAt},
		{cases.StateContacted, h.ContactedAt}, {cases.StateCompleted, h.CompletedAt}, {cases.StateDeclined, h.DeclinedAt},
		{cases.StateWithdrawn, h.WithdrawnAt}} {
		if step.at != nil {
			p.Timeline = append(p.Timeline, choice{Label: s.i18n.T(lang, "handover.state."+step.state), Value: localTime(*step.at, lang)})
		}
	}
	if h.Outcome != "" {
		p.Outcome = l.outcomes[h.Outcome]
	}
	if h.DeclineReason != "" {
		p.DeclineReason = s.i18n.T(lang, "handover.decline."+h.DeclineReason)
	}
	if h.FirstContact != nil {
		p.FirstContactHow = s.i18n.T(lang, "handover.first_contact."+h.FirstContact.How)
		p.FirstContactAt = localTime(h.FirstContact.At, lang)
	}
	p.Can = h.Moves
	if p.Can[cases.ActionAccept] || p.Can[cases.ActionReassign] {
		if p.Assignees, err = s.Handovers.Assignees(ctx, a); err != nil {
			s.pageFail(c, err)
			return
		}
	}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.Outcomes = termChoices(ref.Outcomes, lang, p.Form["outcome"])
	p.DeclineReasons = s.labelled(lang, "handover.decline.", cases.DeclineReasons, p.Form["reason"])
	p.ContactWays = s.labelled(lang, "handover.first_contact.", cases.FirstContactWays, p.Form["how"])
	p.Neighbourhoods = termChoices(ref.Neighbourhoods, lang, p.Form["neighbourhood"])
	switch p.Done {
	case "sent", "accept", "contacted", "complete", "decline", "withdraw", "consent-withdraw":
		p.DoneMsg = "handover.done." + p.Done
	}
	p.Now = s.Auth.Now().In(cases.Amsterdam).Format("2006-01-02T15:04")
	s.render(c, status, "handover", "handover.title", p)
}

// pageHandoverMove makes one move from the detail page: POST
// /handovers/{id}/{accept|contacted|complete|decline|withdraw|consent-withdraw}.
func (s *Server) pageHandoverMove(move string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		a, id := actor(c), c.Param("id")
		form := map[string]string{}
		for _, k := range []string{"assignee", "at", "how", "note", "outcome", "reason", "neighbourhood"} {
			form[k] = strings.ReplaceAll(c.PostForm(k), "\r\n", "\n")
		}
		var err error
		switch move {
		case "accept":
			_, err = s.Handovers.Accept(ctx, a, id, cases.AcceptInput{Assignee: form["assignee"]})
		case "contacted":
			at := form["at"]
			if t, perr := time.ParseInLocation("2006-01-02T15:04", at, cases.Amsterdam); perr == nil {
				at = t.Format(time.RFC3339)
			}
			_, err = s.Handovers.RecordFirstContact(ctx, a, id, cases.ContactedInput{At: at, How: form["how"],
				Note: form["note"], Neighbourhood: form["neighbourhood"]})
		case "complete":
			_, err = s.Handovers.Complete(ctx, a, id, cases.CompleteInput{Outcome: form["outcome"], Note: form["note"]})
		case "decline":
			_, err = s.Handovers.Decline(ctx, a, id, cases.DeclineInput{Reason: form["reason"], Note: form["note"]})
		case "withdraw":
			_, err = s.Handovers.Withdraw(ctx, a, id, cases.WithdrawInput{Reason: form["reason"]})
		case "consent-withdraw":
			_, err = s.Handovers.WithdrawConsent(ctx, a, id, cases.ConsentWithdrawInput{Note: form["note"]})
		}
		if err != nil {
			fe, ok := s.formErrorOf(c, err)
			if !ok {
				s.pageFail(c, err)
				return
			}
			s.showHandover(c, fe.Status, handoverPage{Alert: fe.Message, Errors: fe.Fields, Form: form, Done: "error-" + move})
			return
		}
		c.Redirect(http.StatusSeeOther, "/handovers/"+id+"?done="+move)
	}
}

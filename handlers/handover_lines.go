package handlers

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// How handovers are shown in lists and on their page: labels, elapsed
// times, deadlines.

// handoverLine is one handover in a list.
type handoverLine struct {
	ID, State, StateLabel, Direction     string
	Partner, Resident, Topics, Sent, Due string
	Assignee, AssigneeUsername           string
	ToReceipt, ToAccept                  string
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
	if n := cases.WorkdaysBetween(from, *to); n != 1 {
		return s.i18n.T(lang, "handover.workdays", n)
	}
	return s.i18n.T(lang, "handover.workday")
}

func (s *Server) handoverLine(h *cases.Handover, l *handoverLabels) handoverLine {
	line := handoverLine{
		ID: h.ID, State: h.State, StateLabel: s.i18n.T(l.lang, "handover.state."+h.State), Direction: h.Direction,
		Resident: sharedName(h), Topics: l.topicList(h.Topics), Sent: localTime(h.RequestedAt, l.lang),
		Assignee: h.To.WorkerName, AssigneeUsername: h.Assignee, Overdue: h.Overdue, Urgent: h.Urgency == "urgent",
		Open:      cases.OpenState(h.State),
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

// handoverSteps are the steps a handover went through, with when and who:
// its loop from sending to the outcome.
func (s *Server) handoverSteps(h *cases.Handover, l *handoverLabels) []choice {
	var out []choice
	for _, step := range []struct {
		state string
		at    *time.Time
		who   string
	}{{cases.StateRequested, &h.RequestedAt, h.From.WorkerName}, {cases.StateReceived, h.ReceivedAt, ""},
		{cases.StateAccepted, h.AcceptedAt, h.To.WorkerName}, {cases.StateContacted, h.ContactedAt, s.firstContactHow(h, l.lang)},
		{cases.StateCompleted, h.CompletedAt, l.outcomes[h.Outcome]}, {cases.StateDeclined, h.DeclinedAt, ""},
		{cases.StateWithdrawn, h.WithdrawnAt, ""}} {
		if step.at == nil {
			continue
		}
		label := s.i18n.T(l.lang, "handover.state."+step.state)
		if step.who != "" {
			label += " · " + step.who
		}
		out = append(out, choice{Label: label, Value: localTime(*step.at, l.lang)})
	}
	return out
}

func (s *Server) firstContactHow(h *cases.Handover, lang string) string {
	if h.FirstContact == nil {
		return ""
	}
	return s.i18n.T(lang, "handover.first_contact."+h.FirstContact.How)
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

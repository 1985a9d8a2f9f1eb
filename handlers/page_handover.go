package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// One handover with the moves the viewer may make; the moves post plain
// forms to the same use cases as the API.

// handoverPage is one handover with the moves the viewer may make.
type handoverPage struct {
	H                                      *cases.Handover
	Line                                   handoverLine
	From, To, FromProgramme, ToProgramme   string
	Resident, Phone, Birth, Neighbourhood  string
	Story                                  string
	Shared                                 []choice // scope keys and their labels
	ConsentHow, ConsentAt, ConsentWithdrew string
	ConsentUntil, ConsentReached           string
	ConsentExpired, ConsentEnded           bool
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
	backTo(c, "/handovers/"+h.ID)
	p.H, p.Line = h, s.handoverLine(h, l)
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
	now := s.Auth.Now()
	if !h.Consent.ValidUntil.IsZero() {
		p.ConsentUntil = localTime(h.Consent.ValidUntil, lang)
	}
	p.ConsentExpired, p.ConsentEnded = h.Consent.Expired(now), !h.Consent.InForce(now)
	if h.Consent.ReachedReceiverAt != nil {
		p.ConsentReached = localTime(*h.Consent.ReachedReceiverAt, lang)
	}
	p.Urgency = s.i18n.T(lang, "handover.urgency."+h.Urgency)
	if h.PreferredContactWay != "" {
		p.PreferredWay = s.i18n.T(lang, "handover.way."+h.PreferredContactWay)
	}
	p.Timeline = s.handoverSteps(h, l)
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
	case "sent", "accept", "contacted", "complete", "decline", "withdraw", "consent-withdraw", "consent-renew", "reassign":
		p.DoneMsg = "handover.done." + p.Done
	}
	p.Now = now.In(cases.Amsterdam).Format("2006-01-02T15:04")
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
			_, err = s.Handovers.RecordFirstContact(ctx, a, id, cases.ContactedInput{At: localInput(form["at"]), How: form["how"],
				Note: form["note"], Neighbourhood: form["neighbourhood"]})
		case "complete":
			_, err = s.Handovers.Complete(ctx, a, id, cases.CompleteInput{Outcome: form["outcome"], Note: form["note"]})
		case "decline":
			_, err = s.Handovers.Decline(ctx, a, id, cases.DeclineInput{Reason: form["reason"], Note: form["note"]})
		case "withdraw":
			_, err = s.Handovers.Withdraw(ctx, a, id, cases.WithdrawInput{Reason: form["reason"]})
		case "consent-withdraw":
			_, err = s.Handovers.WithdrawConsent(ctx, a, id, cases.ConsentWithdrawInput{Note: form["note"]})
		case "consent-renew":
			_, err = s.Handovers.RenewConsent(ctx, a, id, cases.ConsentRenewInput{How: form["how"], At: localInput(form["at"])})
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

// localInput turns a datetime-local field (Amsterdam time) into RFC 3339;
// anything else is passed on for the use case to name as wrong.
func localInput(at string) string {
	if t, err := time.ParseInLocation("2006-01-02T15:04", at, cases.Amsterdam); err == nil {
		return t.Format(time.RFC3339)
	}
	return at
}

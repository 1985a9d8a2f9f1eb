package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// "Warm overdragen": the form that sends a handover, and a redirect of a
// declined one. Forms post plain HTML (no script needed).

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
	NotLive      []partnerView // partners not in Buurtbrug yet: called, not handed over to
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
	// Nothing is shared until the worker ticks what the resident agreed to.
	p := handoverFormPage{Form: handoverForm{Urgency: "normal", ConsentHow: "verbal"}}
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
			found, err := s.Residents.Find(ctx, actor(c), cases.ResidentFilter{Query: p.Query})
			if err != nil {
				s.pageFail(c, err)
				return
			}
			p.Searched = true
			for _, r := range found.Residents {
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
	if err := s.handoverPartners(c, &p, ref, lang); err != nil {
		s.pageFail(c, err)
		return
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
	// A language switch comes back to this resident (or redirect), the
	// typed text restored by pages.js.
	switch {
	case p.RedirectFrom != "":
		c.Set(ctxBack, "/handovers/new?redirect_from="+url.QueryEscape(p.RedirectFrom))
	case p.ResidentID != "":
		c.Set(ctxBack, "/handovers/new?resident_id="+url.QueryEscape(p.ResidentID))
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

// handoverPartners offers the live partners (not the own organisation, nor
// the one that declined a redirected handover) and lists the others with
// their intake, to call instead.
func (s *Server) handoverPartners(c *gin.Context, p *handoverFormPage, ref *cases.Reference, lang string) error {
	partners, err := s.Directory.Partners(c.Request.Context(), cases.PartnerFilter{Unmeasured: true})
	if err != nil {
		return err
	}
	a := actor(c)
	for _, o := range partners {
		switch {
		case o.OrganisationID == a.OrganisationID || o.Organisation == p.FirstPartner:
		case o.Live:
			p.Partners = append(p.Partners, choice{Value: o.Organisation, Label: o.Name, Checked: o.Organisation == p.Form.To})
		default:
			p.NotLive = append(p.NotLive, s.partnerView(o, ref, lang, a))
		}
	}
	return nil
}

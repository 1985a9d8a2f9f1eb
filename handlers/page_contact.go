package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// One contact: what was logged, its earlier versions, and the author's
// correction and a coordinator's voiding, through the same use cases as
// the API (the use case says who may do which: Contact.Can).

// contactForm holds the correction form's values as typed.
type contactForm struct {
	Programme, OccurredAt, Neighbourhood, Kind, Note string
	Topics, Outcomes                                 []string
	Reason                                           string
}

// contactVersionRow is an earlier version, as shown.
type contactVersionRow struct {
	Version                              int
	ChangedAt, ChangedBy                 string
	When, Programme, Neighbourhood, Kind string
	Topics, Outcomes, Note               string
}

type contactPage struct {
	C              *cases.Contact
	Row            contactRow
	Neighbourhood  string
	Created        string
	Updated        string
	Voided         string
	History        []contactVersionRow
	Form           contactForm
	Programmes     []choice
	Neighbourhoods []choice
	Kinds          []choice
	Topics         []choice
	Outcomes       []choice
	Done           string
	Alert          string
	Errors         map[string]string
	Open           string // the form to show open after an error
}

// pageContact shows one contact: GET /contacts/{id}.
func (s *Server) pageContact(c *gin.Context) {
	p := contactPage{}
	switch c.Query("done") {
	case "correct", "void":
		p.Done = "contact.done." + c.Query("done")
	}
	s.showContact(c, http.StatusOK, p)
}

func (s *Server) showContact(c *gin.Context, status int, p contactPage) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	ct, err := s.Contacts.ByID(ctx, a, c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	rows, err := s.contactRows(c, a, []*cases.Contact{ct})
	if err != nil {
		s.pageFail(c, err)
		return
	}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.C, p.Row = ct, rows[0]
	backTo(c, "/contacts/"+ct.ID)
	hoods, topics, outcomes, kinds := termNames(ref.Neighbourhoods, lang), termNames(ref.Topics, lang),
		termNames(ref.Outcomes, lang), termNames(ref.Kinds, lang)
	programmes := map[string]string{}
	for _, pr := range ref.Programmes {
		programmes[pr.Slug] = pr.Name
	}
	p.Neighbourhood = hoods[ct.Neighbourhood]
	p.Created, p.Updated = localTime(ct.CreatedAt, lang), localTime(ct.UpdatedAt, lang)
	if ct.VoidedAt != nil {
		p.Voided = localTime(*ct.VoidedAt, lang)
	}
	names, err := s.colleagueNames(c, a)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	for _, v := range ct.History {
		by := v.ChangedBy
		if n, ok := names[by]; ok {
			by = n
		}
		p.History = append(p.History, contactVersionRow{Version: v.Version, ChangedAt: localTime(v.ChangedAt, lang),
			ChangedBy: by, When: localTime(v.OccurredAt, lang), Programme: programmes[v.Programme],
			Neighbourhood: hoods[v.Neighbourhood], Kind: kinds[v.Kind], Topics: namesOf(v.Topics, topics),
			Outcomes: namesOf(v.Outcomes, outcomes), Note: v.Note})
	}
	if p.Open != "correct" { // the correction form shows the contact as it is
		p.Form = contactForm{Programme: ct.Programme, OccurredAt: ct.OccurredAt.In(cases.Amsterdam).Format(localMinute),
			Neighbourhood: ct.Neighbourhood, Kind: ct.Kind, Note: ct.Note, Topics: ct.Topics, Outcomes: ct.Outcomes,
			Reason: p.Form.Reason}
	}
	if ct.Can.Correct {
		own, err := s.Reference.Reference(ctx, a.OrganisationID)
		if err != nil {
			s.pageFail(c, err)
			return
		}
		for _, pr := range own.Programmes {
			p.Programmes = append(p.Programmes, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == p.Form.Programme})
		}
		p.Neighbourhoods = termChoices(ref.Neighbourhoods, lang, p.Form.Neighbourhood)
		p.Kinds = termChoices(ref.Kinds, lang, p.Form.Kind)
		p.Topics = termChoices(ref.Topics, lang, p.Form.Topics...)
		p.Outcomes = termChoices(ref.Outcomes, lang, p.Form.Outcomes...)
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	s.render(c, status, "contact", "contact.title", p)
}

// localMinute is a datetime-local value.
const localMinute = "2006-01-02T15:04"

// colleagueNames maps the organisation's usernames to display names.
func (s *Server) colleagueNames(c *gin.Context, a cases.Actor) (map[string]string, error) {
	users, err := s.Users.Find(c.Request.Context(), a)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(users))
	for _, u := range users {
		out[u.Username] = u.DisplayName
	}
	return out, nil
}

// pageCorrectContact saves the author's correction: POST /contacts/{id}/correct.
// Only what changed is sent, with the version the form showed (a stale
// form gets the use case's conflict).
func (s *Server) pageCorrectContact(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	f := contactForm{Programme: c.PostForm("programme"), OccurredAt: c.PostForm("occurred_at"),
		Neighbourhood: c.PostForm("neighbourhood"), Kind: c.PostForm("kind"),
		Note: strings.ReplaceAll(c.PostForm("note"), "\r\n", "\n"), Topics: c.PostFormArray("topics"),
		Outcomes: c.PostFormArray("outcomes")}
	ct, err := s.Contacts.ByID(ctx, a, c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	patch := contactPatch(ct, f)
	if v, err := strconv.Atoi(c.PostForm("version")); err == nil {
		patch.Version = &v
	}
	if _, err = s.Contacts.Correct(ctx, a, ct.ID, patch); err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showContact(c, fe.Status, contactPage{Form: f, Alert: fe.Message, Errors: fe.Fields, Open: "correct"})
		return
	}
	c.Redirect(http.StatusSeeOther, "/contacts/"+ct.ID+"?done=correct")
}

// contactPatch compares the form with the contact: only what changed goes
// into the patch (an unchanged time may be older than a new contact may
// be, and must not be checked as new).
func contactPatch(ct *cases.Contact, f contactForm) cases.ContactPatch {
	var p cases.ContactPatch
	changed := func(dst **string, now, was string) {
		if now != was {
			*dst = &now
		}
	}
	changed(&p.Programme, f.Programme, ct.Programme)
	changed(&p.Neighbourhood, f.Neighbourhood, ct.Neighbourhood)
	changed(&p.Kind, f.Kind, ct.Kind)
	changed(&p.Note, strings.TrimRight(f.Note, " \t\r\n"), ct.Note)
	if f.OccurredAt != ct.OccurredAt.In(cases.Amsterdam).Format(localMinute) {
		at := f.OccurredAt
		if t, err := time.ParseInLocation(localMinute, at, cases.Amsterdam); err == nil {
			at = t.Format(time.RFC3339)
		}
		p.OccurredAt = &at
	}
	for _, l := range []struct {
		dst      **[]string
		now, was []string
	}{{&p.Topics, f.Topics, ct.Topics}, {&p.Outcomes, f.Outcomes, ct.Outcomes}} {
		now := slices.Clone(l.now)
		if now == nil {
			now = []string{}
		}
		slices.Sort(now)
		if !slices.Equal(now, l.was) {
			*l.dst = &now
		}
	}
	return p
}

// pageVoidContact voids a contact (a coordinator's task): POST /contacts/{id}/void.
func (s *Server) pageVoidContact(c *gin.Context) {
	reason := c.PostForm("reason")
	_, err := s.Contacts.Void(c.Request.Context(), actor(c), c.Param("id"), cases.VoidInput{Reason: reason})
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showContact(c, fe.Status, contactPage{Form: contactForm{Reason: reason}, Alert: fe.Message, Errors: fe.Fields,
			Open: "void"})
		return
	}
	c.Redirect(http.StatusSeeOther, "/contacts/"+c.Param("id")+"?done=void")
}

package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The directory of partners: a searchable list for everyone who hands
// over, and an edit page per organisation for administrators and the
// organisation's own coordinators.

// partnerView is one organisation as the pages show it.
type partnerView struct {
	Slug, Name   string
	Live         bool
	Phone, Email string // the intake: the first of its entries'
	Tel          string // Phone as a tel: link takes it
	Deadlines    string
	Measured     string
	Editable     bool
	Services     []serviceView
}

// serviceView is one entry as the pages show it.
type serviceView struct {
	ID, Name, Programme, Offer, Audience, Languages, Topics string
	Hours, DropIns                                          []string
	Phone, Tel, Email, Website                              string
}

// tel is a phone number as a tel: link takes it: digits and a leading +.
func tel(phone string) string {
	return strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || r == '+' {
			return r
		}
		return -1
	}, phone)
}

type partnersPage struct {
	Query    string
	Topics   []choice
	Partners []partnerView
	Pager    pager
	Alert    string
}

// partnerPageQuery is a page of the directory: its filter with the cursor.
type partnerPageQuery struct {
	cases.PartnerFilter
	Cursor string
}

// pagePartners lists the directory a page at a time, searchable by topic
// and words: GET /partners?topic=&q=&cursor=. A wrong filter shows the
// first page of the whole directory with what was wrong.
func (s *Server) pagePartners(c *gin.Context) {
	lang := s.lang(c)
	ctx := c.Request.Context()
	q := listQuery(c, "topic", "q", "cursor")
	f := partnerPageQuery{PartnerFilter: cases.PartnerFilter{Topic: q.text("topic", 64), Query: strings.TrimSpace(c.Query("q"))},
		Cursor: q.text("cursor", 400)}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	list, status, problems, ok := pageOfList(s, c, q, f, func(f partnerPageQuery) (*cases.PartnerList, error) {
		return s.Directory.Find(ctx, f.PartnerFilter, f.Cursor, 0)
	})
	if !ok {
		return
	}
	p := partnersPage{Query: f.Query, Alert: strings.Join(problems, " ")}
	if len(problems) > 0 {
		f = partnerPageQuery{}
		p.Query = ""
	}
	p.Topics = append([]choice{{Value: "", Label: s.i18n.T(lang, "partners.all_topics")}}, termChoices(ref.Topics, lang, f.Topic)...)
	p.Pager = pagerOf(c, "partner-list", "cursor", list.Offset, len(list.Partners), list.Total, list.NextCursor)
	for _, pa := range list.Partners {
		p.Partners = append(p.Partners, s.partnerView(pa, ref, lang, actor(c)))
	}
	s.render(c, status, "partners", "partners.title", p)
}

// partnerView prepares one organisation for the pages in lang.
func (s *Server) partnerView(pa cases.Partner, ref *cases.Reference, lang string, a cases.Actor) partnerView {
	v := partnerView{Slug: pa.Organisation, Name: pa.Name, Live: pa.Live,
		Editable:  cases.MayEditPartner(a, pa.OrganisationID) == nil,
		Deadlines: s.i18n.T(lang, "partners.deadlines", pa.Deadlines.AcceptDays, pa.Deadlines.ContactDays)}
	v.Phone, v.Email = pa.Intake()
	v.Tel = tel(v.Phone)
	if m := pa.Measured; m != nil {
		var parts []string
		if m.MedianWorkdaysToAccept != nil {
			parts = append(parts, s.i18n.T(lang, "partners.median_accept", days(*m.MedianWorkdaysToAccept, lang)))
		}
		if m.MedianWorkdaysToContact != nil {
			parts = append(parts, s.i18n.T(lang, "partners.median_contact", days(*m.MedianWorkdaysToContact, lang)))
		}
		v.Measured = strings.Join(parts, "; ")
	}
	topics := termNames(ref.Topics, lang)
	programmes := map[string]string{}
	for _, pr := range ref.Programmes {
		programmes[pr.Slug] = pr.Name
	}
	for _, e := range pa.Services {
		sv := serviceView{ID: e.ID, Name: e.Name, Programme: programmes[e.Programme], Offer: e.Offer,
			Audience: e.Audience, Phone: e.Phone, Tel: tel(e.Phone), Email: e.Email, Website: e.Website}
		var langs, names []string
		for _, l := range e.Languages {
			langs = append(langs, cases.LanguageName(l))
		}
		for _, t := range e.Topics {
			names = append(names, topics[t])
		}
		sv.Languages, sv.Topics = strings.Join(langs, ", "), strings.Join(names, ", ")
		if sv.Programme == sv.Name {
			sv.Programme = ""
		}
		sv.Hours, sv.DropIns = s.spanLines(e.Hours, lang), s.spanLines(e.DropIns, lang)
		v.Services = append(v.Services, sv)
	}
	return v
}

// spanLines writes spans for reading, days in a row with the same hours
// and place together: "ma–vr 09:00–17:00", "di 10:00–12:00 · Burezina".
func (s *Server) spanLines(spans []cases.OpeningSpan, lang string) []string {
	var out []string
	for _, g := range cases.GroupSpans(spans) {
		days := s.i18n.T(lang, "day."+g.First)
		if g.Last != g.First {
			days += "–" + s.i18n.T(lang, "day."+g.Last)
		}
		line := days + " " + g.Opens + "–" + g.Closes
		if g.Place != "" {
			line += " · " + g.Place
		}
		out = append(out, line)
	}
	return out
}

// days writes a median: "2" or "2,5" (Dutch) / "2.5".
func days(d float64, lang string) string {
	out := strconv.FormatFloat(d, 'f', -1, 64)
	if lang != langEN {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

// partnerForm is one entry's form as typed.
type partnerForm struct {
	ID, Name, Programme, Offer, Audience, Languages string
	Hours, DropIns, Phone, Email, Website           string
	Topics                                          []choice
	Programmes                                      []choice
}

type partnerEditPage struct {
	Partner  partnerView
	Forms    []partnerForm
	New      partnerForm
	ErrorFor string // the ID of the form the errors belong to, "new" for the new one
	Errors   map[string]string
	Alert    string
	Notice   string
}

// pagePartnerEdit shows an organisation's entries to edit: GET
// /partners/{slug}.
func (s *Server) pagePartnerEdit(c *gin.Context) {
	p := partnerEditPage{Errors: map[string]string{}}
	if done := c.Query("done"); done == "saved" || done == "deleted" {
		p.Notice = s.i18n.T(s.lang(c), "partners.done."+done)
	}
	s.showPartnerEdit(c, http.StatusOK, p, nil)
}

// showPartnerEdit renders the edit page; typed, when set, replaces the
// stored values of the form p.ErrorFor names.
func (s *Server) showPartnerEdit(c *gin.Context, status int, p partnerEditPage, typed *partnerForm) {
	lang := s.lang(c)
	ctx := c.Request.Context()
	pa, err := s.Directory.Editable(ctx, actor(c), c.Param("slug"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Partner = s.partnerView(*pa, ref, lang, actor(c))
	form := func(e cases.PartnerService) partnerForm {
		return partnerForm{ID: e.ID, Name: e.Name, Programme: e.Programme, Offer: e.Offer, Audience: e.Audience,
			Languages: strings.Join(e.Languages, ", "), Hours: cases.FormatSpans(e.Hours, lang),
			DropIns: cases.FormatSpans(e.DropIns, lang), Phone: e.Phone, Email: e.Email, Website: e.Website,
			Topics: termChoices(ref.Topics, lang, e.Topics...)}
	}
	withProgrammes := func(f partnerForm) partnerForm {
		f.Programmes = []choice{{Value: "", Label: "—"}}
		for _, pr := range ref.ProgrammesOf(pa.OrganisationID) {
			f.Programmes = append(f.Programmes, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == f.Programme})
		}
		return f
	}
	for _, e := range pa.Services {
		f := form(e)
		if typed != nil && p.ErrorFor == e.ID {
			f = *typed
		}
		p.Forms = append(p.Forms, withProgrammes(f))
	}
	p.New = withProgrammes(partnerForm{Topics: termChoices(ref.Topics, lang)})
	if typed != nil && p.ErrorFor == "new" {
		p.New = withProgrammes(*typed)
	}
	s.render(c, status, "partner_edit", "partners.edit_title", p)
}

// pagePartnerSave adds or changes an entry: POST /partners/{slug}/services
// and POST /partners/{slug}/services/{id}.
func (s *Server) pagePartnerSave(c *gin.Context) {
	lang := s.lang(c)
	id := c.Param("id")
	typed := partnerForm{ID: id, Name: c.PostForm("name"), Programme: c.PostForm("programme"),
		Offer: strings.ReplaceAll(c.PostForm("offer"), "\r\n", "\n"), Audience: strings.ReplaceAll(c.PostForm("audience"), "\r\n", "\n"),
		Languages: c.PostForm("languages"), Hours: c.PostForm("hours"), DropIns: c.PostForm("drop_ins"),
		Phone: c.PostForm("phone"), Email: c.PostForm("email"), Website: c.PostForm("website")}
	topics := c.PostFormArray("topics")
	in := cases.PartnerServiceInput{Programme: typed.Programme, Name: typed.Name, Offer: typed.Offer,
		Audience: typed.Audience, Topics: topics, Phone: typed.Phone, Email: typed.Email, Website: typed.Website,
		Languages: strings.FieldsFunc(typed.Languages, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })}
	hours, herr := cases.ParseSpans("hours", typed.Hours, false)
	dropIns, derr := cases.ParseSpans("drop_ins", typed.DropIns, true)
	in.Hours, in.DropIns = hours, dropIns
	err := cases.MergeInvalid(herr, derr)
	if err != nil {
		err = cases.MergeInvalid(err, in.Validate())
	} else {
		_, err = s.Directory.SaveService(c.Request.Context(), actor(c), c.Param("slug"), id, in)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		ref, rerr := s.Reference.Reference(c.Request.Context(), 0)
		if rerr != nil {
			s.pageFail(c, rerr)
			return
		}
		typed.Topics = termChoices(ref.Topics, lang, topics...)
		p := partnerEditPage{ErrorFor: id, Errors: fe.Fields, Alert: fe.Message}
		if id == "" {
			p.ErrorFor = "new"
		}
		s.showPartnerEdit(c, fe.Status, p, &typed)
		return
	}
	c.Redirect(http.StatusSeeOther, "/partners/"+c.Param("slug")+"?done=saved")
}

// pagePartnerDelete removes an entry: POST /partners/{slug}/services/{id}/delete.
func (s *Server) pagePartnerDelete(c *gin.Context) {
	if err := s.Directory.DeleteService(c.Request.Context(), actor(c), c.Param("slug"), c.Param("id")); err != nil {
		s.pageFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/partners/"+c.Param("slug")+"?done=deleted")
}

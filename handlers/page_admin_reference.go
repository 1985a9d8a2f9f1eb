package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// referencePage shows every reference list with forms to extend it.
type referencePage struct {
	Lists         []referenceList
	Organisations []cases.Organisation
	Programmes    []cases.Programme
	// Settings are the per-organisation settings: handover deadlines,
	// retention and consent periods.
	Settings   []settingTable
	OrgChoices []choice
	// Form names the form that failed ("org", "programme", a list, or
	// "list:slug" for a rename); Values are what was typed there.
	Form   string
	Values map[string]string
	Errors formError
	Notice bool
}

// settingTable is one table of per-organisation settings, a form a row.
type settingTable struct {
	ID, Title, Intro, Unit string
	Rows                   []settingRow
}

type settingRow struct {
	Name, Action string
	Fields       []settingField
}

// settingField is one number of a row's form, with what was typed and its
// error when that form failed.
type settingField struct {
	ID, Name, Label, Value, Error string
	Max                           int
}

type referenceList struct {
	Name  string
	Terms []cases.Term
}

// pageAdminReference shows reference data: GET /admin/reference.
func (s *Server) pageAdminReference(c *gin.Context) {
	s.showReference(c, http.StatusOK, referencePage{Notice: c.Query("saved") == "1"})
}

func (s *Server) showReference(c *gin.Context, status int, p referencePage) {
	ref, err := s.Reference.Reference(c.Request.Context(), 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	lists := map[string][]cases.Term{"neighbourhoods": ref.Neighbourhoods, "topics": ref.Topics,
		"outcomes": ref.Outcomes, "kinds": ref.Kinds}
	for _, name := range cases.ReferenceLists {
		p.Lists = append(p.Lists, referenceList{Name: name, Terms: lists[name]})
	}
	p.Organisations, p.Programmes = ref.Organisations, ref.Programmes
	limits, err := s.Handovers.AllLimits(c.Request.Context())
	if err != nil {
		s.pageFail(c, err)
		return
	}
	privacy, err := s.Privacy.Settings(c.Request.Context())
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Settings = settingTables(&p, ref.Organisations, limits, privacy)
	for _, o := range ref.Organisations {
		p.OrgChoices = append(p.OrgChoices, choice{Value: o.Slug, Label: o.Name, Checked: o.Slug == p.Values["organisation"]})
	}
	backTo(c, "/admin/reference")
	s.render(c, status, "admin_reference", "reference.title", p)
}

// settingTables lays out the deadlines and the privacy periods of every
// organisation, with the failed form's typed values and errors.
func settingTables(p *referencePage, orgs []cases.Organisation, limits map[string]cases.HandoverLimits,
	privacy map[string]cases.PrivacySettings) []settingTable {
	type field struct {
		prefix, name, label string
		max                 int
		value               func(slug string) int
	}
	table := func(id, title, intro, unit string, fields ...field) settingTable {
		t := settingTable{ID: id, Title: title, Intro: intro, Unit: unit}
		for _, o := range orgs {
			row := settingRow{Name: o.Name, Action: "/admin/organisations/" + o.Slug + "/" + id}
			mine := p.Form == id+":"+o.Slug
			for _, f := range fields {
				sf := settingField{ID: f.prefix + "-" + o.Slug, Name: f.name, Label: f.label, Max: f.max,
					Value: strconv.Itoa(f.value(o.Slug))}
				if mine {
					sf.Value, sf.Error = p.Values[f.name], p.Errors.Fields[f.name]
				}
				row.Fields = append(row.Fields, sf)
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	return []settingTable{
		table("limits", "reference.limits", "reference.limits_intro", "reference.limits_days",
			field{"acc", "accept_days", "reference.accept_days", 60, func(o string) int { return limits[o].AcceptDays }},
			field{"con", "contact_days", "reference.contact_days", 120, func(o string) int { return limits[o].ContactDays }}),
		table("privacy", "reference.privacy", "reference.privacy_intro", "reference.privacy_months",
			field{"ret", "retention_months", "reference.retention_months", 120, func(o string) int { return privacy[o].RetentionMonths }},
			field{"cm", "consent_months", "reference.consent_months", 60, func(o string) int { return privacy[o].ConsentMonths }}),
	}
}

// referenceDone redirects after a change, or shows the form's errors.
func (s *Server) referenceDone(c *gin.Context, form string, err error) {
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/admin/reference?saved=1")
		return
	}
	fe, ok := s.formErrorOf(c, err)
	if !ok {
		s.pageFail(c, err)
		return
	}
	values := map[string]string{}
	for _, key := range []string{"slug", "name", "name_nl", "name_en", "organisation", "accept_days", "contact_days",
		"retention_months", "consent_months"} {
		values[key] = c.PostForm(key)
	}
	s.showReference(c, fe.Status, referencePage{Form: form, Values: values, Errors: fe})
}

// pageAddTerm adds a term: POST /admin/reference/{list}.
func (s *Server) pageAddTerm(c *gin.Context) {
	in := cases.TermInput{Slug: c.PostForm("slug"), NameNL: c.PostForm("name_nl"), NameEN: c.PostForm("name_en")}
	s.referenceDone(c, c.Param("list"), s.Reference.AddTerm(c.Request.Context(), actor(c), c.Param("list"), in))
}

// pageRenameTerm renames a term: POST /admin/reference/{list}/{slug}.
func (s *Server) pageRenameTerm(c *gin.Context) {
	in := cases.TermInput{NameNL: c.PostForm("name_nl"), NameEN: c.PostForm("name_en")}
	err := s.Reference.RenameTerm(c.Request.Context(), actor(c), c.Param("list"), c.Param("slug"), in)
	s.referenceDone(c, c.Param("list")+":"+c.Param("slug"), err)
}

// pageAddOrganisation adds a partner: POST /admin/organisations.
func (s *Server) pageAddOrganisation(c *gin.Context) {
	in := cases.OrganisationInput{Slug: c.PostForm("slug"), Name: c.PostForm("name")}
	s.referenceDone(c, "org", s.Reference.AddOrganisation(c.Request.Context(), actor(c), in))
}

// pageAddProgramme adds a programme: POST /admin/programmes.
func (s *Server) pageAddProgramme(c *gin.Context) {
	in := cases.ProgrammeInput{Slug: c.PostForm("slug"), Name: c.PostForm("name"), Organisation: c.PostForm("organisation")}
	s.referenceDone(c, "programme", s.Reference.AddProgramme(c.Request.Context(), actor(c), in))
}

// pageSetLimits sets a receiving organisation's handover deadlines:
// POST /admin/organisations/{slug}/limits.
func (s *Server) pageSetLimits(c *gin.Context) {
	var problems []cases.FieldError
	l := cases.HandoverLimits{AcceptDays: formNumber(c, "accept_days", &problems), ContactDays: formNumber(c, "contact_days", &problems)}
	var err error = cases.Invalid(problems...)
	if len(problems) == 0 {
		err = s.Handovers.SetLimits(c.Request.Context(), actor(c), c.Param("slug"), l)
	}
	s.referenceDone(c, "limits:"+c.Param("slug"), err)
}

// pageSetPrivacy sets an organisation's retention and consent periods:
// POST /admin/organisations/{slug}/privacy.
func (s *Server) pageSetPrivacy(c *gin.Context) {
	var problems []cases.FieldError
	in := cases.PrivacySettings{RetentionMonths: formNumber(c, "retention_months", &problems),
		ConsentMonths: formNumber(c, "consent_months", &problems)}
	var err error = cases.Invalid(problems...)
	if len(problems) == 0 {
		err = s.Privacy.SetSettings(c.Request.Context(), actor(c), c.Param("slug"), in)
	}
	s.referenceDone(c, "privacy:"+c.Param("slug"), err)
}

// formNumber reads a whole number from a form field, naming the field
// when it is none.
func formNumber(c *gin.Context, field string, problems *[]cases.FieldError) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(field)))
	if err != nil {
		*problems = append(*problems, cases.FieldError{Field: field, Tag: "type", Param: "number"})
	}
	return n
}

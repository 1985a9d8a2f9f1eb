package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// residentRow is one line of the residents list.
type residentRow struct {
	ID            string
	Name          string
	Birth         string
	Neighbourhood string
	Phone         string
	LastContact   string
	Changed       string
}

type residentsPage struct {
	Query          string
	Neighbourhoods []choice
	LastContact    []choice
	Residents      []residentRow
	Pager          pager
	Filtered       bool
	Errors         map[string]string
}

// lastContactChoices are the residents list's "last contact" filter: a
// period back from today, longer ago, or never.
var lastContactChoices = []string{"30", "90", "older", "none"}

// pageResidents lists the organisation's records: GET /residents?q=
// &neighbourhood=&contact=&cursor=.
func (s *Server) pageResidents(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	q := listQuery(c, "q", "neighbourhood", "contact", "cursor")
	f := cases.ResidentFilter{Query: q.text("q", cases.MaxQuery), Neighbourhood: q.text("neighbourhood", 64),
		Cursor: q.text("cursor", 400)}
	contact := c.Query("contact")
	now := s.Auth.Now()
	switch contact {
	case "":
	case "30", "90":
		days, _ := strconv.Atoi(contact)
		from := now.AddDate(0, 0, -days)
		f.LastContactFrom = &from
	case "older":
		to := now.AddDate(0, 0, -90)
		f.LastContactTo = &to
	case "none":
		f.NoContact = true
	default:
		q.fail("contact", "unknown", contact)
	}
	p := residentsPage{Query: c.Query("q"), Errors: map[string]string{}, Filtered: f.Query != "" || f.Neighbourhood != "" || contact != ""}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Neighbourhoods = termChoices(ref.Neighbourhoods, lang, f.Neighbourhood)
	p.LastContact = s.labelled(lang, "residents.contact.", lastContactChoices, contact)
	err = q.err()
	var list *cases.ResidentList
	if err == nil {
		list, err = s.Residents.Find(ctx, actor(c), f)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors = fe.Fields
		s.render(c, fe.Status, "residents", "residents.title", p)
		return
	}
	hoods := termNames(ref.Neighbourhoods, lang)
	for _, r := range list.Residents {
		row := residentRow{ID: r.ID, Name: residentName(r), Birth: birthText(r, lang),
			Neighbourhood: hoods[r.Neighbourhood], Phone: r.Phone}
		if r.LastContactAt != nil {
			row.LastContact = localDate(r.LastContactAt.In(cases.Amsterdam).Format(time.DateOnly), lang)
		}
		p.Residents = append(p.Residents, row)
	}
	p.Pager = pagerOf(c, "resident-list", "cursor", list.Offset, len(list.Residents), list.Total, list.NextCursor)
	s.render(c, http.StatusOK, "residents", "residents.title", p)
}

func birthText(r *cases.Resident, lang string) string {
	switch {
	case r.BirthDate != "":
		return localDate(r.BirthDate, lang)
	case r.BirthYear != 0:
		return strconv.Itoa(r.BirthYear)
	}
	return ""
}

// residentForm holds the edit form's values as typed.
type residentForm struct {
	GivenName, FamilyName, BirthDate, BirthYear, Phone, Neighbourhood, Gender, Note string
}

func formOfResident(r *cases.Resident) residentForm {
	f := residentForm{GivenName: r.GivenName, FamilyName: r.FamilyName, BirthDate: r.BirthDate,
		Phone: r.Phone, Neighbourhood: r.Neighbourhood, Gender: r.Gender, Note: r.Note}
	if r.BirthYear != 0 {
		f.BirthYear = strconv.Itoa(r.BirthYear)
	}
	return f
}

// pageResidentPost saves the edit form: POST /residents/{id}. Only changed
// fields are sent to the use case; its field errors are shown next to the
// fields, translated like the API's.
func (s *Server) pageResidentPost(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := s.Residents.ByID(ctx, actor(c), c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	form := residentForm{
		GivenName: c.PostForm("given_name"), FamilyName: c.PostForm("family_name"),
		BirthDate: strings.TrimSpace(c.PostForm("birth_date")), BirthYear: strings.TrimSpace(c.PostForm("birth_year")),
		Phone: c.PostForm("phone"), Neighbourhood: c.PostForm("neighbourhood"), Gender: c.PostForm("gender"),
		Note: strings.ReplaceAll(c.PostForm("note"), "\r\n", "\n"),
	}
	patch, err := residentPatch(r, form)
	if err == nil && patch.Empty() {
		c.Redirect(http.StatusSeeOther, "/residents/"+r.ID+"?saved=0")
		return
	}
	if err == nil {
		_, err = s.Residents.Update(ctx, actor(c), r.ID, patch)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showResident(c, fe.Status, residentPage{Form: form, Alert: fe.Message, Errors: fe.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/residents/"+r.ID+"?saved=1")
}

// residentPatch compares the form with the record: only what changed goes
// into the patch. The birth year follows a changed date unless the form
// names another year.
func residentPatch(r *cases.Resident, f residentForm) (cases.ResidentPatch, error) {
	var p cases.ResidentPatch
	changed := func(dst **string, now, was string) {
		if now != was {
			*dst = &now
		}
	}
	changed(&p.GivenName, strings.TrimSpace(f.GivenName), r.GivenName)
	changed(&p.FamilyName, strings.TrimSpace(f.FamilyName), r.FamilyName)
	changed(&p.BirthDate, f.BirthDate, r.BirthDate)
	changed(&p.Phone, strings.TrimSpace(f.Phone), r.Phone)
	changed(&p.Neighbourhood, f.Neighbourhood, r.Neighbourhood)
	changed(&p.Gender, f.Gender, r.Gender)
	changed(&p.Note, strings.TrimRight(f.Note, " \t\r\n"), r.Note)
	year := 0
	if f.BirthYear != "" {
		y, err := strconv.Atoi(f.BirthYear)
		if err != nil || y < 1900 || y > 2100 {
			return p, cases.FieldInvalid("birth_year", "range", "1900-2100")
		}
		year = y
	}
	dateGiven := f.BirthDate != ""
	switch {
	case p.BirthDate != nil && !dateGiven: // date cleared: keep the year the form shows
		if year != 0 || r.BirthYear != 0 {
			p.BirthYear = &year
		}
	case p.BirthDate != nil: // new date: its own year, unless the form names another
		if year != 0 && year != r.BirthYear {
			p.BirthYear = &year
		}
	case year != r.BirthYear && !(dateGiven && year == 0):
		p.BirthYear = &year
	}
	return p, nil
}

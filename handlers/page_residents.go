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
}

type residentsPage struct {
	Query     string
	Residents []residentRow
	Errors    map[string]string
}

// pageResidents searches the organisation's records: GET /residents?q=.
func (s *Server) pageResidents(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	p := residentsPage{Query: c.Query("q"), Errors: map[string]string{}}
	if len(p.Query) > 100 {
		fe, _ := s.formErrorOf(c, cases.FieldInvalid("q", "max_length", "100"))
		p.Errors = fe.Fields
		s.render(c, fe.Status, "residents", "residents.title", p)
		return
	}
	list, err := s.Residents.Find(ctx, actor(c), p.Query, 50)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	hoods := termNames(ref.Neighbourhoods, lang)
	for _, r := range list {
		p.Residents = append(p.Residents, residentRow{ID: r.ID, Name: residentName(r), Birth: birthText(r, lang),
			Neighbourhood: hoods[r.Neighbourhood], Phone: r.Phone})
	}
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

type residentPage struct {
	ID             string
	Name           string
	Birth          string
	Phone          string
	Neighbourhood  string
	Gender         string
	Note           string
	Created        string
	Updated        string
	Form           residentForm
	Neighbourhoods []choice
	Genders        []choice
	Today          string
	Alert          string
	Errors         map[string]string
	Saved          bool
	Unchanged      bool
	Contacts       []contactRow
	// OwnGround is the organisation's own legal ground for a received
	// record; Ground and GroundAlert are the form's value and error.
	OwnGround, Ground, GroundAlert string
	GroundSaved                    bool
}

// pageResident shows one record of the organisation with its contacts and
// an edit form: GET /residents/{id}. The read is audited by the service;
// another organisation's record answers the 404 page.
func (s *Server) pageResident(c *gin.Context) {
	r, err := s.Residents.ByID(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := residentPage{Form: formOfResident(r), Errors: map[string]string{},
		Saved: c.Query("saved") == "1", Unchanged: c.Query("saved") == "0", GroundSaved: c.Query("saved") == "ground"}
	s.showResident(c, http.StatusOK, r, p)
}

func (s *Server) showResident(c *gin.Context, status int, r *cases.Resident, p residentPage) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	hoods := termNames(ref.Neighbourhoods, lang)
	p.ID, p.Name, p.Birth, p.Phone = r.ID, residentName(r), birthText(r, lang), r.Phone
	p.Neighbourhood, p.Note, p.OwnGround = hoods[r.Neighbourhood], r.Note, r.OwnGround
	if r.Gender != "" {
		p.Gender = s.i18n.T(lang, "gender."+r.Gender)
	}
	p.Created, p.Updated = localTime(r.CreatedAt, lang), localTime(r.UpdatedAt, lang)
	p.Neighbourhoods = termChoices(ref.Neighbourhoods, lang, p.Form.Neighbourhood)
	for _, g := range cases.Genders {
		p.Genders = append(p.Genders, choice{Value: g, Label: s.i18n.T(lang, "gender."+g), Checked: g == p.Form.Gender})
	}
	p.Today = s.Auth.Now().In(cases.Amsterdam).Format(time.DateOnly)
	list, err := s.Contacts.Find(ctx, actor(c), cases.ContactFilter{ResidentID: r.ID, Limit: 100})
	if err != nil {
		s.pageFail(c, err)
		return
	}
	for _, ct := range list {
		ct.ResidentID = "" // the page's own resident: no name to read again
	}
	if p.Contacts, err = s.contactRows(c, actor(c), list); err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, status, "resident", "resident.title", p)
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
		s.showResident(c, fe.Status, r, residentPage{Form: form, Alert: fe.Message, Errors: fe.Fields})
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

package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// maxNote is the longest contact note (cases.ContactInput: max=4000).
const maxNote = 4000

// contactFormPage is the data of the "Nieuw contact" form. The reference
// lists are rendered into the page, so the form needs no request to open.
type contactFormPage struct {
	Programmes     []choice
	Neighbourhoods []choice
	Kinds          []choice
	Topics         []choice
	Outcomes       []choice
	Resident       residentRow // preselected with ?resident=
	Now            string      // datetime-local value, Amsterdam wall time
	Today          string      // latest birth date
	MaxNote        int
	// Owner is the worker's username, whose outbox the page shows; empty in
	// the offline shell (GET /contacts/new/shell), which holds no session
	// data: its script reads the owner from the device and the CSRF token
	// from /api/v1/me.
	Owner string
	Shell bool
}

// pageNewContact shows the tablet form: GET /contacts/new. The form posts
// JSON to the API from web/static/contact.js.
func (s *Server) pageNewContact(c *gin.Context) {
	p, err := s.contactForm(c, false)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	// The form echoes nothing of the request (?resident= is looked up, its
	// name comes from the database), so it may be compressed (BREACH).
	c.Set(ctxCompressPage, true)
	s.render(c, http.StatusOK, "contact_new", "contact.new.title", p)
}

// contactForm prepares the form; the shell gets no resident and no owner.
func (s *Server) contactForm(c *gin.Context, shell bool) (contactFormPage, error) {
	u := session(c).User
	ref, err := s.Reference.Reference(c.Request.Context(), u.OrganisationID)
	if err != nil {
		return contactFormPage{}, err
	}
	lang := s.lang(c)
	programme := u.Programme
	if len(ref.Programmes) == 1 {
		programme = ref.Programmes[0].Slug
	}
	p := contactFormPage{
		Neighbourhoods: termChoices(ref.Neighbourhoods, lang),
		Kinds:          termChoices(ref.Kinds, lang),
		Topics:         termChoices(ref.Topics, lang),
		Outcomes:       termChoices(ref.Outcomes, lang),
		MaxNote:        maxNote,
		Shell:          shell,
	}
	if !shell {
		p.Owner = u.Username
	}
	for _, pr := range ref.Programmes {
		p.Programmes = append(p.Programmes, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == programme})
	}
	if id := c.Query("resident"); id != "" && !shell {
		r, err := s.Residents.ByID(c.Request.Context(), actor(c), id)
		if err != nil {
			return p, err
		}
		p.Resident = residentRow{ID: r.ID, Name: residentName(r)}
	}
	now := s.Auth.Now().In(cases.Amsterdam)
	p.Now = now.Format("2006-01-02T15:04")
	p.Today = now.Format(time.DateOnly)
	return p, nil
}

// contactRow is one line of a contact list.
type contactRow struct {
	When       string
	Programme  string
	Worker     string
	ResidentID string
	Resident   string
	Topics     string
	Kind       string
	Note       string
	Voided     bool
	VoidReason string
}

// contactsPage is "Mijn contacten"; a coordinator may filter the whole
// organisation's contacts by worker and period.
type contactsPage struct {
	Contacts    []contactRow
	Coordinator bool
	Workers     []choice
	From, To    string
	Errors      map[string]string
}

// pageContacts lists recent contacts, newest first: GET /contacts. Workers
// see their own; a coordinator chooses ?worker= (own by default, "all", or a
// user ID) and ?from=&to= (dates).
func (s *Server) pageContacts(c *gin.Context) {
	ctx := c.Request.Context()
	sess := session(c)
	a := sess.User.Actor()
	p := contactsPage{Coordinator: a.Has(cases.RoleCoordinator), Errors: map[string]string{}}
	f := cases.ContactFilter{Mine: true, Limit: 100}
	var problems []cases.FieldError
	if p.Coordinator {
		worker := c.Query("worker")
		users, err := s.Users.Find(ctx, a)
		if err != nil {
			s.pageFail(c, err)
			return
		}
		lang := s.lang(c)
		p.Workers = []choice{
			{Value: "", Label: s.i18n.T(lang, "contacts.filter.mine"), Checked: worker == ""},
			{Value: "all", Label: s.i18n.T(lang, "contacts.filter.all"), Checked: worker == "all"},
		}
		for _, u := range users {
			if u.ID == sess.User.ID {
				continue
			}
			id := strconv.FormatInt(u.ID, 10)
			p.Workers = append(p.Workers, choice{Value: id, Label: u.DisplayName, Checked: worker == id})
		}
		switch worker {
		case "":
		case "all":
			f.Mine = false
		default:
			f.Mine = false
			id, err := strconv.ParseInt(worker, 10, 64)
			if err != nil || !containsValue(p.Workers, worker) {
				problems = append(problems, cases.FieldError{Field: "worker", Tag: "unknown", Param: worker})
			}
			f.WorkerID = id
		}
		for _, bound := range []struct {
			name string
			dst  **time.Time
			val  *string
			end  bool
		}{{"from", &f.From, &p.From, false}, {"to", &f.To, &p.To, true}} {
			v := c.Query(bound.name)
			if v == "" {
				continue
			}
			*bound.val = v
			t, err := time.ParseInLocation(time.DateOnly, v, cases.Amsterdam)
			if err != nil {
				problems = append(problems, cases.FieldError{Field: bound.name, Tag: "datetime", Param: "2006-01-02"})
				continue
			}
			if bound.end {
				t = t.AddDate(0, 0, 1)
			}
			*bound.dst = &t
		}
	}
	if len(problems) > 0 {
		fe, _ := s.formErrorOf(c, cases.Invalid(problems...))
		p.Errors = fe.Fields
		s.render(c, fe.Status, "contacts", "contacts.title", p)
		return
	}
	list, err := s.Contacts.Find(ctx, a, f)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Contacts, err = s.contactRows(c, a, list)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "contacts", "contacts.title", p)
}

func containsValue(list []choice, v string) bool {
	for _, ch := range list {
		if ch.Value == v {
			return true
		}
	}
	return false
}

// contactRows prepares contacts for display: names in the page language,
// times in Amsterdam, the resident's name from the organisation's record.
// The names of the records shown are read in one audited read.
func (s *Server) contactRows(c *gin.Context, a cases.Actor, list []*cases.Contact) ([]contactRow, error) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		return nil, err
	}
	topics, kinds := termNames(ref.Topics, lang), termNames(ref.Kinds, lang)
	programmes := map[string]string{}
	for _, p := range ref.Programmes {
		programmes[p.Slug] = p.Name
	}
	names, err := s.residentNames(ctx, a, list)
	if err != nil {
		return nil, err
	}
	// Colleagues by name: the organisation's accounts (display names only).
	colleagues, err := s.Users.Find(ctx, a)
	if err != nil {
		return nil, err
	}
	workers := map[string]string{}
	for _, u := range colleagues {
		workers[u.Username] = u.DisplayName
	}
	rows := make([]contactRow, 0, len(list))
	for _, ct := range list {
		row := contactRow{
			When: localTime(ct.OccurredAt, lang), Programme: programmes[ct.Programme], Worker: ct.Worker,
			ResidentID: ct.ResidentID, Resident: names[ct.ResidentID], Kind: kinds[ct.Kind],
			Note: ct.Note, Voided: ct.VoidedAt != nil, VoidReason: ct.VoidReason,
		}
		var ts []string
		for _, t := range ct.Topics {
			ts = append(ts, topics[t])
		}
		row.Topics = strings.Join(ts, ", ")
		if name, ok := workers[ct.Worker]; ok {
			row.Worker = name
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// residentNames reads the names of the records the contacts refer to, in
// one audited read.
func (s *Server) residentNames(ctx context.Context, a cases.Actor, list []*cases.Contact) (map[string]string, error) {
	var ids []string
	seen := map[string]bool{}
	for _, ct := range list {
		if ct.ResidentID != "" && !seen[ct.ResidentID] {
			seen[ct.ResidentID] = true
			ids = append(ids, ct.ResidentID)
		}
	}
	return s.Residents.Names(ctx, a, ids)
}

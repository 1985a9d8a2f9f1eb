package handlers

import (
	"context"
	"net/http"
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
	// WindowDays is how old a new contact may be: the form says so before
	// it queues one the server would refuse later.
	WindowDays int
	ThisYear   int
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
		WindowDays:     int(cases.DefaultContactWindow.Hours() / 24),
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
	p.Today, p.ThisYear = now.Format(time.DateOnly), now.Year()
	return p, nil
}

// contactRow is one line of a contact list.
type contactRow struct {
	ID         string
	When       string
	Programme  string
	Worker     string
	ResidentID string
	Resident   string
	Topics     string
	Outcomes   string
	Kind       string
	Note       string
	Voided     bool
	VoidReason string
}

// contactsPage is "Mijn contacten": the actor's own contacts, or the whole
// organisation's, or a colleague's, filtered and paged.
type contactsPage struct {
	Contacts       []contactRow
	Mine           bool
	Workers        []choice
	Programmes     []choice
	Topics         []choice
	Neighbourhoods []choice
	Kinds          []choice
	From, To       string
	Pager          pager
	Errors         map[string]string
}

// pageContacts lists contacts, newest first: GET /contacts?worker=&programme=
// &topic=&neighbourhood=&kind=&from=&to=&cursor=. Every worker and coordinator
// chooses whose: their own (worker empty, the default), the organisation's
// ("all") or a colleague's (a username). The rule of who reads what is the
// use case's; the page only offers the choice.
func (s *Server) pageContacts(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	q := listQuery(c, "worker", "programme", "topic", "neighbourhood", "kind", "from", "to", "cursor")
	f := cases.ContactFilter{Programme: q.text("programme", 64), Topic: q.text("topic", 64),
		Neighbourhood: q.text("neighbourhood", 64), Kind: q.text("kind", 64), From: q.bound("from", false),
		To: q.bound("to", true), Cursor: q.text("cursor", 400)}
	worker := q.text("worker", 64)
	switch worker {
	case "":
		f.Mine = true
	case "all":
	default:
		f.Worker = worker
	}
	p := contactsPage{Mine: f.Mine, From: c.Query("from"), To: c.Query("to"), Errors: map[string]string{}}
	ref, err := s.Reference.Reference(ctx, a.OrganisationID)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	users, err := s.Users.Find(ctx, a)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p.Workers = []choice{{Value: "", Label: s.i18n.T(lang, "contacts.filter.mine"), Checked: worker == ""},
		{Value: "all", Label: s.i18n.T(lang, "contacts.filter.all"), Checked: worker == "all"}}
	for _, u := range users {
		if u.ID != a.UserID && u.TakesHandovers() {
			p.Workers = append(p.Workers, choice{Value: u.Username, Label: u.DisplayName, Checked: worker == u.Username})
		}
	}
	for _, pr := range ref.Programmes {
		p.Programmes = append(p.Programmes, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == f.Programme})
	}
	p.Topics, p.Kinds = termChoices(ref.Topics, lang, f.Topic), termChoices(ref.Kinds, lang, f.Kind)
	p.Neighbourhoods = termChoices(ref.Neighbourhoods, lang, f.Neighbourhood)
	list, err := s.findContacts(c, a, f, q)
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Errors = fe.Fields
		s.render(c, fe.Status, "contacts", "contacts.title", p)
		return
	}
	if p.Contacts, err = s.contactRows(c, a, list.Contacts); err != nil {
		s.pageFail(c, err)
		return
	}
	p.Pager = pagerOf(c, "contact-list", "cursor", list.Offset, len(list.Contacts), list.Total, list.NextCursor)
	s.render(c, http.StatusOK, "contacts", "contacts.title", p)
}

// findContacts runs the list once the query is known to be well formed.
func (s *Server) findContacts(c *gin.Context, a cases.Actor, f cases.ContactFilter, q *query) (*cases.ContactList, error) {
	if err := q.err(); err != nil {
		return nil, err
	}
	return s.Contacts.Find(c.Request.Context(), a, f)
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
	topics, kinds, outcomes := termNames(ref.Topics, lang), termNames(ref.Kinds, lang), termNames(ref.Outcomes, lang)
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
			ID: ct.ID, When: localTime(ct.OccurredAt, lang), Programme: programmes[ct.Programme], Worker: ct.Worker,
			ResidentID: ct.ResidentID, Resident: names[ct.ResidentID], Kind: kinds[ct.Kind],
			Topics: namesOf(ct.Topics, topics), Outcomes: namesOf(ct.Outcomes, outcomes),
			Note: ct.Note, Voided: ct.VoidedAt != nil, VoidReason: ct.VoidReason,
		}
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

// namesOf joins the names of slugs.
func namesOf(slugs []string, names map[string]string) string {
	out := make([]string, 0, len(slugs))
	for _, sl := range slugs {
		out = append(out, names[sl])
	}
	return strings.Join(out, ", ")
}

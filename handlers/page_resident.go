package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// A resident's page: the record, the whole story (contacts and handovers,
// newest first), "Nieuw contact" and "Warm overdragen" at hand, the edit
// form, and for a coordinator the merging of a duplicate record.

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
	Done           string
	Story          []storyEntry
	Pager          pager
	Counts         [2]int // contacts, handovers
	Open           []handoverLine
	MergedInto     string // the record this one was merged into
	MergedAt       string
	MergedFrom     []residentRow // records merged into this one
	Coordinator    bool
	Candidates     []residentRow // records that may be this person
	MergeQuery     string
	MergeResults   []residentRow
	// OwnGround is the organisation's own legal ground for a received
	// record; Ground and GroundAlert are the form's value and error.
	OwnGround, Ground, GroundAlert string
}

// storyEntry is one event of the story: a contact or a handover.
type storyEntry struct {
	When     string
	Contact  *contactRow
	Handover *handoverStory
}

// handoverStory is a handover as the story shows it: whole, from sending
// to the outcome, for the side the reader is on.
type handoverStory struct {
	Line     handoverLine
	Title    string
	Question string
	Steps    []choice // Label = step, Value = when
	Outcome  string
	Note     string // the note back to the sender, or why it was declined
}

// residentDone are the notices a redirect to the page may ask for.
var residentDone = map[string]string{"1": "resident.saved", "0": "resident.unchanged", "merge": "resident.merged_notice",
	"ground": "resident.own_ground_saved"}

// pageResident shows one record of the organisation with its story: GET
// /residents/{id}?cursor=&merge_q=. The reads are audited by the use
// cases; another organisation's record answers the 404 page.
func (s *Server) pageResident(c *gin.Context) {
	s.showResident(c, http.StatusOK, residentPage{Done: residentDone[c.Query("saved")]})
}

func (s *Server) showResident(c *gin.Context, status int, p residentPage) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	story, err := s.Timeline.Of(ctx, a, c.Param("id"), c.Query("cursor"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	r := story.Resident
	backTo(c, "/residents/"+r.ID)
	if p.Form == (residentForm{}) {
		p.Form = formOfResident(r)
	}
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
	p.MergedInto = r.MergedInto
	if r.MergedAt != nil {
		p.MergedAt = localTime(*r.MergedAt, lang)
	}
	if err := s.fillStory(c, &p, story); err != nil {
		s.pageFail(c, err)
		return
	}
	p.Coordinator = a.Has(cases.RoleCoordinator) && r.MergedInto == ""
	if err := s.fillMerges(c, &p, r, hoods); err != nil {
		s.pageFail(c, err)
		return
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	s.render(c, status, "resident", "resident.title", p)
}

// fillStory turns the timeline into the page's entries.
func (s *Server) fillStory(c *gin.Context, p *residentPage, t *cases.Timeline) error {
	a := actor(c)
	l, err := s.handoverLabels(c)
	if err != nil {
		return err
	}
	var contacts []*cases.Contact
	for _, e := range t.Entries {
		if e.Contact != nil {
			e.Contact.ResidentID = "" // the page's own resident: no name to read again
			contacts = append(contacts, e.Contact)
		}
	}
	rows, err := s.contactRows(c, a, contacts)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		entry := storyEntry{When: localTime(e.At, l.lang)}
		if e.Contact != nil {
			entry.Contact = &rows[0]
			rows = rows[1:]
		} else {
			entry.Handover = s.storyOf(e.Handover, l)
		}
		p.Story = append(p.Story, entry)
	}
	for _, h := range t.Open {
		p.Open = append(p.Open, s.handoverLine(h, l))
	}
	p.Counts = [2]int{t.Contacts, t.Handovers}
	p.Pager = pagerOf(c, "story", "cursor", t.Offset, len(t.Entries), t.Contacts+t.Handovers, t.NextCursor)
	return nil
}

// storyOf is a handover as the story shows it.
func (s *Server) storyOf(h *cases.Handover, l *handoverLabels) *handoverStory {
	st := &handoverStory{Line: s.handoverLine(h, l), Question: h.Question, Steps: s.handoverSteps(h, l)}
	if h.Direction == cases.DirectionOutgoing {
		st.Title = s.i18n.T(l.lang, "story.handover_to", l.orgs[h.To.Organisation])
	} else {
		st.Title = s.i18n.T(l.lang, "story.handover_from", l.orgs[h.From.Organisation])
	}
	switch {
	case h.Outcome != "":
		st.Outcome, st.Note = l.outcomes[h.Outcome], h.CompletionNote
	case h.DeclineReason != "":
		st.Outcome, st.Note = s.i18n.T(l.lang, "handover.decline."+h.DeclineReason), h.DeclineNote
	case h.WithdrawReason != "":
		st.Note = h.WithdrawReason
	}
	return st
}

// fillMerges shows the records merged into this one and, to a
// coordinator, the records that may be the same person.
func (s *Server) fillMerges(c *gin.Context, p *residentPage, r *cases.Resident, hoods map[string]string) error {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	row := func(o *cases.Resident) residentRow {
		return residentRow{ID: o.ID, Name: residentName(o), Birth: birthText(o, lang), Neighbourhood: hoods[o.Neighbourhood],
			Phone: o.Phone, Changed: localTime(o.UpdatedAt, lang)}
	}
	merged, err := s.Residents.MergedInto(ctx, a, r.ID)
	if err != nil {
		return err
	}
	for _, m := range merged {
		p.MergedFrom = append(p.MergedFrom, row(m))
	}
	if !p.Coordinator {
		return nil
	}
	found, err := s.Residents.Matches(ctx, a, cases.MatchQuery{FamilyName: r.FamilyName, BirthDate: r.BirthDate,
		BirthYear: r.BirthYear, Except: r.ID})
	if err != nil && cases.ErrorCode(err) != cases.EINVALID { // a record without a family name has none
		return err
	}
	for _, m := range found {
		p.Candidates = append(p.Candidates, row(m))
	}
	if p.MergeQuery = c.Query("merge_q"); p.MergeQuery != "" && len(p.MergeQuery) <= cases.MaxQuery {
		list, err := s.Residents.Find(ctx, a, cases.ResidentFilter{Query: p.MergeQuery, Limit: 10})
		if err != nil {
			return err
		}
		for _, m := range list.Residents {
			if m.ID != r.ID {
				p.MergeResults = append(p.MergeResults, row(m))
			}
		}
	}
	return nil
}

// pageMergeResident merges record {id} into the record of the page it was
// chosen on (a coordinator's task): POST /residents/{id}/merge {into,
// confirm}. Without the confirmation nothing happens.
func (s *Server) pageMergeResident(c *gin.Context) {
	into := c.PostForm("into")
	if c.PostForm("confirm") != "yes" {
		c.Params = gin.Params{{Key: "id", Value: into}}
		fe, _ := s.formErrorOf(c, cases.FieldInvalid("confirm", "confirm_merge", ""))
		s.showResident(c, fe.Status, residentPage{Alert: fe.Message, Errors: fe.Fields})
		return
	}
	res, err := s.Residents.Merge(c.Request.Context(), actor(c), c.Param("id"), cases.MergeInput{Into: into})
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok || cases.ErrorCode(err) == cases.EFORBIDDEN {
			s.pageFail(c, err)
			return
		}
		c.Params = gin.Params{{Key: "id", Value: into}}
		s.showResident(c, fe.Status, residentPage{Alert: fe.Message, Errors: fe.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/residents/"+res.Resident.ID+"?saved=merge")
}

package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

type privacyPage struct {
	Query     string
	Searched  bool
	Residents []residentRow
	Erased    string
	Errors    map[string]string
}

// pagePrivacy is where residents' requests start: GET /privacy?q= finds the
// record a request is about (names and dates of birth only, audited like
// every search) and leads to its export and erasure.
func (s *Server) pagePrivacy(c *gin.Context) {
	p := privacyPage{Query: strings.TrimSpace(c.Query("q")), Erased: c.Query("erased"), Errors: map[string]string{}}
	if len(p.Query) > 100 {
		fe, _ := s.formErrorOf(c, cases.FieldInvalid("q", "max_length", "100"))
		p.Errors = fe.Fields
		s.render(c, fe.Status, "privacy", "privacy.title", p)
		return
	}
	if p.Query != "" {
		list, err := s.Residents.Find(c.Request.Context(), actor(c), cases.ResidentFilter{Query: p.Query, Limit: 25})
		if err != nil {
			s.pageFail(c, err)
			return
		}
		p.Searched = true
		for _, r := range list.Residents {
			p.Residents = append(p.Residents, residentRow{ID: r.ID, Name: residentName(r), Birth: birthText(r, s.lang(c))})
		}
	}
	s.render(c, http.StatusOK, "privacy", "privacy.title", p)
}

type auditPage struct {
	Filter  map[string]string
	Entries []auditRow
	Next    string
	CSV     string
	Alert   string
	Errors  map[string]string
}

type auditRow struct {
	At, User, Action, Entity, EntityID, Detail string
}

// pagePrivacyAudit shows the organisation's audit with the API's filters:
// GET /privacy/audit?user=&resident_id=&action=&from=&to=&q=&cursor=.
// "Who saw this resident?" is resident_id.
func (s *Server) pagePrivacyAudit(c *gin.Context) {
	p := auditPage{Filter: map[string]string{}, Errors: map[string]string{}}
	query := url.Values{}
	for _, key := range []string{"user", "resident_id", "action", "from", "to", "q"} {
		p.Filter[key] = c.Query(key)
		if v := c.Query(key); v != "" {
			query.Set(key, v)
		}
	}
	f, err := auditFilterOf(c)
	var page *cases.AuditPage
	if err == nil {
		page, err = s.Audit.Find(c.Request.Context(), actor(c), f)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		p.Alert, p.Errors = fe.Message, fe.Fields
		s.render(c, fe.Status, "privacy_audit", "audit.title", p)
		return
	}
	lang := s.lang(c)
	for _, e := range page.Entries {
		p.Entries = append(p.Entries, auditRow{At: localTime(e.At, lang), User: e.Username, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, Detail: e.Detail})
	}
	csv := url.Values{}
	for k, v := range query {
		csv[k] = v
	}
	csv.Set("format", "csv")
	p.CSV = "/api/v1/audit?" + csv.Encode()
	if page.NextCursor != "" {
		query.Set("cursor", page.NextCursor)
		p.Next = "/privacy/audit?" + query.Encode()
	}
	s.render(c, http.StatusOK, "privacy_audit", "audit.title", p)
}

type exportPage struct {
	Export    *cases.ResidentExport
	Name      string
	Birth     string
	Hood      string
	Versions  []exportVersion
	Contacts  []exportContact
	Handovers []exportHandover
	Accesses  []auditRow
	Made      string
	Alert     string
	Errors    map[string]string
	Reason    string
}

type exportVersion struct {
	At, By, Name, Birth, Phone, Note string
}

type exportContact struct {
	At, Programme, Kind, Hood, Worker, Topics, Outcomes, Note string
	Voided                                                    bool
	Versions                                                  []exportVersion
}

type exportHandover struct {
	Direction, Partner, State, Question, Requested, Consent string
}

// pageResidentExport shows an access request's answer as a printable Dutch
// document: GET /residents/{id}/export. The JSON is the API's.
func (s *Server) pageResidentExport(c *gin.Context) {
	s.showExport(c, http.StatusOK, exportPage{Errors: map[string]string{}})
}

func (s *Server) showExport(c *gin.Context, status int, p exportPage) {
	ctx := c.Request.Context()
	out, err := s.Privacy.Export(ctx, actor(c), c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	lang := s.lang(c)
	tr := func(key string, args ...any) string { return s.i18n.T(lang, key, args...) }
	hoods, topics, outcomes := termNames(ref.Neighbourhoods, lang), termNames(ref.Topics, lang), termNames(ref.Outcomes, lang)
	kinds := termNames(ref.Kinds, lang)
	r := out.Resident
	p.Export, p.Name, p.Birth, p.Hood, p.Made = out, residentName(r), birthText(r, lang), hoods[r.Neighbourhood],
		localTime(out.ExportedAt, lang)
	for _, v := range out.Versions {
		rec := v.Record
		p.Versions = append(p.Versions, exportVersion{At: localTime(v.ChangedAt, lang), By: v.ChangedBy,
			Name: residentName(&rec), Birth: birthText(&rec, lang), Phone: rec.Phone, Note: rec.Note})
	}
	names := func(slugs []string, m map[string]string) string {
		out := make([]string, len(slugs))
		for i, sl := range slugs {
			out[i] = m[sl]
		}
		return strings.Join(out, ", ")
	}
	for _, ct := range out.Contacts {
		ec := exportContact{At: localTime(ct.OccurredAt, lang), Programme: ct.Programme, Kind: kinds[ct.Kind],
			Hood: hoods[ct.Neighbourhood], Worker: ct.Worker, Topics: names(ct.Topics, topics),
			Outcomes: names(ct.Outcomes, outcomes), Note: ct.Note, Voided: ct.VoidedAt != nil}
		for _, v := range ct.History {
			ec.Versions = append(ec.Versions, exportVersion{At: localTime(v.ChangedAt, lang), By: v.ChangedBy, Note: v.Note})
		}
		p.Contacts = append(p.Contacts, ec)
	}
	orgs := map[string]string{}
	for _, o := range ref.Organisations {
		orgs[o.Slug] = o.Name
	}
	for _, h := range out.Handovers {
		eh := exportHandover{Direction: tr("export.direction." + h.Direction), State: tr("handover.state." + h.State),
			Question: h.Question, Requested: localTime(h.RequestedAt, lang),
			Consent: tr("handover.consent_how."+h.Consent.How) + ", " + localTime(h.Consent.At, lang)}
		if h.Direction == cases.DirectionOutgoing {
			eh.Partner = orgs[h.To.Organisation]
		} else {
			eh.Partner = orgs[h.From.Organisation]
		}
		if h.Consent.WithdrawnAt != nil {
			eh.Consent += " · " + tr("export.consent_withdrawn", localTime(*h.Consent.WithdrawnAt, lang))
		} else if !h.Consent.ValidUntil.IsZero() {
			eh.Consent += " · " + tr("handover.consent_until", localTime(h.Consent.ValidUntil, lang))
		}
		p.Handovers = append(p.Handovers, eh)
	}
	for _, e := range out.Accesses {
		action := tr("audit.action." + e.Action)
		if action == "audit.action."+e.Action {
			action = e.Action // a line of a kind without a label: its code
		}
		p.Accesses = append(p.Accesses, auditRow{At: localTime(e.At, lang), User: e.Username, Action: action,
			Entity: e.Entity, EntityID: e.EntityID})
	}
	s.render(c, status, "resident_export", "export.title", p)
}

// pageEraseResident erases a record from the export page: POST
// /residents/{id}/erase (reason, confirm).
func (s *Server) pageEraseResident(c *gin.Context) {
	in := cases.ReasonInput{Reason: c.PostForm("reason")}
	var err error
	if c.PostForm("confirm") != "1" {
		err = cases.Invalid(cases.FieldError{Field: "confirm", Tag: "erase_confirm"})
	} else {
		_, err = s.Privacy.Erase(c.Request.Context(), actor(c), c.Param("id"), in)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showExport(c, fe.Status, exportPage{Alert: fe.Message, Errors: fe.Fields, Reason: in.Reason})
		return
	}
	c.Redirect(http.StatusSeeOther, "/privacy?erased="+url.QueryEscape(c.Param("id")))
}

// pageOwnGround records the organisation's own legal ground for a record
// it received: POST /residents/{id}/own-ground (ground).
func (s *Server) pageOwnGround(c *gin.Context) {
	ctx := c.Request.Context()
	_, err := s.Privacy.SetOwnGround(ctx, actor(c), c.Param("id"), cases.OwnGroundInput{Ground: c.PostForm("ground")})
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showResident(c, fe.Status, residentPage{GroundAlert: fe.Message, Ground: c.PostForm("ground"), Errors: fe.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/residents/"+url.PathEscape(c.Param("id"))+"?saved=ground")
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// HandoverService implements cases.HandoverService.
//
// Scoping: every query names the actor's organisation as the sending or the
// receiving one; any other organisation gets ENOTFOUND. The receiver reads
// only the shared_* columns (what the consent covers, copied when sent),
// never the sender's record, its contacts or notes.
type HandoverService struct {
	db        *DB
	ref       *ReferenceService
	residents *ResidentService
	roles     RoleStore
}

// NewHandoverService returns the service.
func NewHandoverService(db *DB, ref *ReferenceService, residents *ResidentService, roles RoleStore) *HandoverService {
	return &HandoverService{db: db, ref: ref, residents: residents, roles: roles}
}

var _ cases.HandoverService = (*HandoverService)(nil)

// handoverRow is a handover as stored, with the usernames and slugs joined.
type handoverRow struct {
	id, state                                  string
	fromOrgID, toOrgID                         int64
	fromOrg, toOrg                             string
	fromProgrammeID, toProgrammeID             int64
	fromUserID, assigneeID                     int64
	fromUser, assignee                         string
	fromResidentID, toResidentID               string
	question, urgency, prefWay, prefTime       string
	givenName, familyName, phone, birth, story sql.NullString
	hoodID                                     int64
	requested, received, accepted, contacted   string
	completed, declined, withdrawn, updated    string
	acceptBy, contactBy                        string
	contactAt, contactHow, contactNote         string
	contactID                                  string
	outcomeID                                  int64
	completionNote, declineReason, declineNote string
	withdrawReason                             string
	consentHow, consentAt, consentBy           string
	scope                                      [5]bool // in the order of cases.ConsentScopes
	consentWithdrawn, consentWithdrawnBy       string
	withdrawalNote                             string
	topics, redirectedFrom, redirectedTo       string
}

const handoverColumns = `h.id, h.state, h.from_org_id, COALESCE(h.from_programme_id, 0), h.from_user_id, fu.username,
	h.from_resident_id, h.to_org_id, COALESCE(h.to_programme_id, 0), COALESCE(h.to_resident_id, ''),
	COALESCE(h.assignee_id, 0), COALESCE(au.username, ''), h.question, h.urgency, h.preferred_way, h.preferred_time,
	h.shared_given_name, h.shared_family_name, h.shared_phone, h.shared_birth_date, COALESCE(h.shared_neighbourhood_id, 0),
	h.shared_story, h.requested_at, COALESCE(h.received_at, ''), COALESCE(h.accepted_at, ''), COALESCE(h.contacted_at, ''),
	COALESCE(h.completed_at, ''), COALESCE(h.declined_at, ''), COALESCE(h.withdrawn_at, ''), h.updated_at,
	h.accept_by, h.contact_by, COALESCE(h.contact_at, ''), COALESCE(h.contact_how, ''), COALESCE(h.contact_note, ''),
	COALESCE(h.contact_id, ''), COALESCE(h.outcome_id, 0), COALESCE(h.completion_note, ''),
	COALESCE(h.decline_reason, ''), COALESCE(h.decline_note, ''), COALESCE(h.withdraw_reason, ''),
	c.how, c.given_at, cu.username, c.scope_name, c.scope_phone, c.scope_birth_date, c.scope_neighbourhood, c.scope_story,
	COALESCE(c.withdrawn_at, ''), COALESCE(wu.username, ''), COALESCE(c.withdrawal_note, ''),
	COALESCE((SELECT group_concat(topic_id) FROM handover_topics WHERE handover_id = h.id), ''),
	COALESCE((SELECT redirected_from FROM handover_links WHERE handover_id = h.id), ''),
	COALESCE((SELECT handover_id FROM handover_links WHERE redirected_from = h.id), '')`

// The organisations' slugs come from the reference cache, not a join.
const handoverJoins = ` JOIN users fu ON fu.id = h.from_user_id
	LEFT JOIN users au ON au.id = h.assignee_id
	JOIN handover_consents c ON c.handover_id = h.id
	JOIN users cu ON cu.id = c.recorded_by
	LEFT JOIN users wu ON wu.id = c.withdrawn_by `

// orgSlugs maps organisation IDs to slugs.
func (s *HandoverService) orgSlugs() map[int64]string {
	ids := s.ref.index().organisations
	m := make(map[int64]string, len(ids))
	for slug, id := range ids {
		m[id] = slug
	}
	return m
}

func scanHandover(row interface{ Scan(...any) error }, orgs map[int64]string) (*handoverRow, error) {
	var r handoverRow
	err := row.Scan(&r.id, &r.state, &r.fromOrgID, &r.fromProgrammeID, &r.fromUserID, &r.fromUser,
		&r.fromResidentID, &r.toOrgID, &r.toProgrammeID, &r.toResidentID,
		&r.assigneeID, &r.assignee, &r.question, &r.urgency, &r.prefWay, &r.prefTime,
		&r.givenName, &r.familyName, &r.phone, &r.birth, &r.hoodID,
		&r.story, &r.requested, &r.received, &r.accepted, &r.contacted,
		&r.completed, &r.declined, &r.withdrawn, &r.updated,
		&r.acceptBy, &r.contactBy, &r.contactAt, &r.contactHow, &r.contactNote,
		&r.contactID, &r.outcomeID, &r.completionNote,
		&r.declineReason, &r.declineNote, &r.withdrawReason,
		&r.consentHow, &r.consentAt, &r.consentBy, &r.scope[0], &r.scope[1], &r.scope[2], &r.scope[3], &r.scope[4],
		&r.consentWithdrawn, &r.consentWithdrawnBy, &r.withdrawalNote,
		&r.topics, &r.redirectedFrom, &r.redirectedTo)
	if err != nil {
		return nil, err
	}
	r.fromOrg, r.toOrg = orgs[r.fromOrgID], orgs[r.toOrgID]
	return &r, nil
}

func (r *handoverRow) side(actor cases.Actor) string {
	switch actor.OrganisationID {
	case r.fromOrgID:
		return cases.SideSender
	case r.toOrgID:
		return cases.SideReceiver
	}
	return ""
}

func parseOptTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := cases.ParseTime(s)
	if err != nil {
		return nil
	}
	return &t
}

func mustTime(s string) time.Time {
	t, _ := cases.ParseTime(s)
	return t
}

// view is the handover as side sees it at now. Both sides see the shared
// fields the consent (still in force) covers and nothing else of the
// resident; the receiver's first-contact note and contact stay with the
// receiver; each side sees its own resident record only.
func (s *HandoverService) view(r *handoverRow, side string, now time.Time) *cases.Handover {
	idx := s.ref.index()
	h := &cases.Handover{
		ID: r.id, State: r.state,
		From:   cases.Party{Organisation: r.fromOrg, Programme: idx.programmeSlug[r.fromProgrammeID], Worker: r.fromUser},
		To:     cases.Party{Organisation: r.toOrg, Programme: idx.programmeSlug[r.toProgrammeID], Worker: r.assignee},
		Topics: slugList(r.topics, idx.topicSlug), Question: r.question, Urgency: r.urgency,
		PreferredContactWay: r.prefWay, PreferredContactTime: r.prefTime,
		Assignee: r.assignee, Outcome: idx.outcomeSlug[r.outcomeID], CompletionNote: r.completionNote,
		DeclineReason: r.declineReason, DeclineNote: r.declineNote, WithdrawReason: r.withdrawReason,
		RedirectedFrom: r.redirectedFrom, RedirectedTo: r.redirectedTo,
		RequestedAt: mustTime(r.requested), ReceivedAt: parseOptTime(r.received), AcceptedAt: parseOptTime(r.accepted),
		ContactedAt: parseOptTime(r.contacted), CompletedAt: parseOptTime(r.completed),
		DeclinedAt: parseOptTime(r.declined), WithdrawnAt: parseOptTime(r.withdrawn), UpdatedAt: mustTime(r.updated),
		AcceptBy: mustTime(r.acceptBy), ContactBy: mustTime(r.contactBy),
		FromOrganisationID: r.fromOrgID, ToOrganisationID: r.toOrgID, AssigneeID: r.assigneeID, SenderID: r.fromUserID,
		Consent: cases.Consent{
			Given: true, How: r.consentHow, At: mustTime(r.consentAt), RecordedBy: r.consentBy, Scope: []string{},
			WithdrawnAt: parseOptTime(r.consentWithdrawn), WithdrawnBy: r.consentWithdrawnBy,
			WithdrawalNote: r.withdrawalNote,
		},
	}
	for i, key := range cases.ConsentScopes {
		if r.scope[i] {
			h.Consent.Scope = append(h.Consent.Scope, key)
		}
	}
	h.Overdue = cases.Overdue(h.State, h.AcceptBy, h.ContactBy, now)
	switch side {
	case cases.SideSender:
		h.Direction, h.ResidentID = cases.DirectionOutgoing, r.fromResidentID
	case cases.SideReceiver:
		h.Direction, h.ResidentID = cases.DirectionIncoming, r.toResidentID
	}
	if r.contactAt != "" {
		h.FirstContact = &cases.FirstContact{At: mustTime(r.contactAt), How: r.contactHow}
		if side == cases.SideReceiver {
			h.FirstContact.Note, h.FirstContact.ContactID = r.contactNote, r.contactID
		}
	}
	c := h.Consent
	if c.Covers(cases.ScopeName) {
		h.Shared.Name = &cases.SharedName{GivenName: r.givenName.String, FamilyName: r.familyName.String}
	}
	if c.Covers(cases.ScopePhone) {
		h.Shared.Phone = &r.phone.String
	}
	if c.Covers(cases.ScopeBirthDate) {
		h.Shared.BirthDate = &r.birth.String
	}
	if c.Covers(cases.ScopeNeighbourhood) {
		hood := idx.neighbourhoodSlug[r.hoodID]
		h.Shared.Neighbourhood = &hood
	}
	if c.Covers(cases.ScopeStory) {
		h.Shared.Story = &r.story.String
	}
	return h
}

// load reads a handover the actor's organisation sends or receives, or
// ENOTFOUND: a third organisation cannot tell it exists.
func (s *HandoverService) load(ctx context.Context, q queryer, actor cases.Actor, id string) (*handoverRow, string, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, "", cases.NotFound("handover")
	}
	r, err := scanHandover(q.QueryRowContext(ctx, `SELECT `+handoverColumns+` FROM handovers h`+handoverJoins+
		`WHERE h.id = ? AND (h.from_org_id = ? OR h.to_org_id = ?)`,
		strings.ToLower(id), actor.OrganisationID, actor.OrganisationID), s.orgSlugs())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", cases.NotFound("handover")
	} else if err != nil {
		return nil, "", err
	}
	return r, r.side(actor), nil
}

// limits returns the receiving organisation's deadlines.
func limitsOf(ctx context.Context, q queryer, orgID int64) (cases.HandoverLimits, error) {
	l := cases.DefaultHandoverLimits
	err := q.QueryRowContext(ctx, `SELECT accept_days, contact_days FROM handover_limits WHERE organisation_id = ?`, orgID).
		Scan(&l.AcceptDays, &l.ContactDays)
	if errors.Is(err, sql.ErrNoRows) {
		return cases.DefaultHandoverLimits, nil
	}
	return l, err
}

// HandoverLimits returns an organisation's deadlines (the defaults when it set none).
func (s *HandoverService) HandoverLimits(ctx context.Context, organisation string) (cases.HandoverLimits, error) {
	orgID, ok := s.ref.index().organisations[organisation]
	if !ok {
		return cases.HandoverLimits{}, cases.NotFound("organisation")
	}
	return limitsOf(ctx, s.db.Read, orgID)
}

// AllHandoverLimits returns every organisation's deadlines by slug.
func (s *HandoverService) AllHandoverLimits(ctx context.Context) (map[string]cases.HandoverLimits, error) {
	out := map[string]cases.HandoverLimits{}
	for slug := range s.ref.index().organisations {
		out[slug] = cases.DefaultHandoverLimits
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT o.slug, l.accept_days, l.contact_days
		FROM handover_limits l JOIN organisations o ON o.id = l.organisation_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var l cases.HandoverLimits
		if err := rows.Scan(&slug, &l.AcceptDays, &l.ContactDays); err != nil {
			return nil, err
		}
		out[slug] = l
	}
	return out, rows.Err()
}

var _ cases.HandoverLimitsService = (*HandoverService)(nil)

// SetHandoverLimits changes a receiving organisation's deadlines (an
// administrator's task). Open handovers it receives get the new deadlines,
// counted from when each was sent.
func (s *HandoverService) SetHandoverLimits(ctx context.Context, actor cases.Actor, organisation string, l cases.HandoverLimits) error {
	if !actor.Has(cases.RoleAdmin) {
		return cases.Errorf(cases.EFORBIDDEN, "forbidden")
	}
	if err := l.Validate(); err != nil {
		return err
	}
	orgID, ok := s.ref.index().organisations[organisation]
	if !ok {
		return cases.FieldInvalid("organisation", "unknown", organisation)
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO handover_limits (organisation_id, accept_days, contact_days, updated_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id) DO UPDATE SET accept_days = excluded.accept_days,
			contact_days = excluded.contact_days, updated_at = excluded.updated_at`,
			orgID, l.AcceptDays, l.ContactDays, cases.FormatTime(tx.now)); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT id, requested_at FROM handovers WHERE to_org_id = ?
			AND state IN ('requested', 'received', 'accepted', 'contacted')`, orgID)
		if err != nil {
			return err
		}
		type due struct{ id, acceptBy, contactBy string }
		var dues []due
		for rows.Next() {
			var id, requested string
			if err := rows.Scan(&id, &requested); err != nil {
				rows.Close()
				return err
			}
			a, c := l.Deadlines(mustTime(requested))
			dues = append(dues, due{id, cases.FormatTime(a), cases.FormatTime(c)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range dues {
			if _, err := tx.Exec(`UPDATE handovers SET accept_by = ?, contact_by = ? WHERE id = ?`, d.acceptBy, d.contactBy, d.id); err != nil {
				return err
			}
		}
		return tx.audit(actor, "set_limits", "organisation", organisation,
			"accept_days="+strconv.Itoa(l.AcceptDays)+" contact_days="+strconv.Itoa(l.ContactDays))
	})
}

// resolvedHandover holds the IDs of a new handover's reference values.
type resolvedHandover struct {
	fromProgrammeID, toOrgID, toProgrammeID int64
	topicIDs                                []int64
}

// resolve turns the slugs of a new handover into IDs, naming each unknown one.
func (s *HandoverService) resolve(ctx context.Context, q queryer, actor cases.Actor, in *cases.HandoverInput) (resolvedHandover, error) {
	idx := s.ref.index()
	var out resolvedHandover
	var problems []cases.FieldError
	if in.Programme != "" {
		if p, ok := idx.programmes[in.Programme]; !ok || p.OrganisationID != actor.OrganisationID {
			problems = append(problems, cases.FieldError{Field: "programme", Tag: "unknown", Param: in.Programme})
		} else {
			out.fromProgrammeID = p.ID
		}
	} else {
		// The worker's own programme, when they have one.
		var pid int64
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(programme_id, 0) FROM users WHERE id = ?`, actor.UserID).Scan(&pid); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return out, err
		}
		out.fromProgrammeID = pid
	}
	toID, ok := idx.organisations[in.To]
	var receives bool
	if ok {
		if err := q.QueryRowContext(ctx, `SELECT receives_handovers FROM organisations WHERE id = ?`, toID).Scan(&receives); err != nil {
			return out, err
		}
	}
	switch {
	case !ok || !receives:
		problems = append(problems, cases.FieldError{Field: "to", Tag: "unknown", Param: in.To})
	case toID == actor.OrganisationID:
		problems = append(problems, cases.FieldError{Field: "to", Tag: "own_organisation"})
	default:
		out.toOrgID = toID
	}
	if in.ToProgramme != "" {
		if p, ok := idx.programmes[in.ToProgramme]; !ok || p.OrganisationID != toID {
			problems = append(problems, cases.FieldError{Field: "to_programme", Tag: "unknown", Param: in.ToProgramme})
		} else {
			out.toProgrammeID = p.ID
		}
	}
	for i, slug := range in.Topics {
		id, ok := idx.topics[slug]
		if !ok {
			problems = append(problems, cases.FieldError{Field: "topics[" + strconv.Itoa(i) + "]", Tag: "unknown", Param: slug})
		}
		out.topicIDs = append(out.topicIDs, id)
	}
	if len(problems) > 0 {
		return out, cases.Invalid(problems...)
	}
	return out, nil
}

// CreateHandover sends a handover. Without given consent nothing is written.
func (s *HandoverService) CreateHandover(ctx context.Context, actor cases.Actor, in cases.HandoverInput) (*cases.Handover, error) {
	var out *cases.Handover
	err := s.db.inTx(ctx, func(tx *Tx) error {
		id, err := s.create(ctx, tx, actor, in, "")
		if err != nil {
			return err
		}
		r, side, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out = s.view(r, side, tx.now)
		return nil
	})
	return out, err
}

// create validates and writes a new handover inside tx and returns its ID.
// redirectedFrom links it to a declined handover.
func (s *HandoverService) create(ctx context.Context, tx *Tx, actor cases.Actor, in cases.HandoverInput, redirectedFrom string) (string, error) {
	in.Normalise()
	// The consent gate comes first in the answer; unknown slugs are named
	// with it, so a user sees every wrong field at once.
	consentAt, verr := in.Validate(cases.HandoverRules{Now: tx.now, Window: cases.ConsentWindow})
	res, rerr := s.resolve(ctx, tx, actor, &in)
	err := cases.MergeInvalid(verr, rerr)
	if err != nil {
		return "", err
	}
	// The resident must be a record of the sender's organisation.
	var res2 struct {
		personID, hood              int64
		given, family, birth, phone string
	}
	err = tx.QueryRow(`SELECT r.person_id, r.given_name, r.family_name, COALESCE(r.birth_date, ''), r.phone,
		COALESCE(r.neighbourhood_id, 0) FROM residents r WHERE r.id = ? AND r.organisation_id = ?`,
		in.ResidentID, actor.OrganisationID).Scan(&res2.personID, &res2.given, &res2.family, &res2.birth, &res2.phone, &res2.hood)
	if errors.Is(err, sql.ErrNoRows) {
		return "", cases.FieldInvalid("resident_id", "unknown_resident", "")
	} else if err != nil {
		return "", err
	}
	limits, err := limitsOf(ctx, tx, res.toOrgID)
	if err != nil {
		return "", err
	}
	acceptBy, contactBy := limits.Deadlines(tx.now)
	scope := func(key string) bool { return slices.Contains(in.Consent.Scope, key) }
	shared := func(key, value string) any {
		if !scope(key) {
			return nil
		}
		return value
	}
	var hood any
	if scope(cases.ScopeNeighbourhood) {
		hood = nullInt(res2.hood)
	}
	id := uuid.NewString()
	now := cases.FormatTime(tx.now)
	if _, err := tx.Exec(`INSERT INTO handovers (id, state, from_org_id, from_programme_id, from_user_id, from_resident_id,
		to_org_id, to_programme_id, question, urgency, preferred_way, preferred_time,
		shared_given_name, shared_family_name, shared_phone, shared_birth_date, shared_neighbourhood_id, shared_story,
		requested_at, updated_at, accept_by, contact_by)
		VALUES (?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, actor.OrganisationID, nullInt(res.fromProgrammeID), actor.UserID, in.ResidentID,
		res.toOrgID, nullInt(res.toProgrammeID), in.Question, in.Urgency, in.PreferredContactWay, in.PreferredContactTime,
		shared(cases.ScopeName, res2.given), shared(cases.ScopeName, res2.family), shared(cases.ScopePhone, res2.phone),
		shared(cases.ScopeBirthDate, res2.birth), hood, shared(cases.ScopeStory, in.Story),
		now, now, cases.FormatTime(acceptBy), cases.FormatTime(contactBy)); err != nil {
		return "", err
	}
	if _, err := tx.Exec(`INSERT INTO handover_consents (handover_id, given, how, given_at, recorded_by, recorded_at,
		scope_name, scope_phone, scope_birth_date, scope_neighbourhood, scope_story)
		VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, in.Consent.How, cases.FormatTime(consentAt.UTC().Truncate(time.Millisecond)), actor.UserID, now,
		scope(cases.ScopeName), scope(cases.ScopePhone), scope(cases.ScopeBirthDate), scope(cases.ScopeNeighbourhood),
		scope(cases.ScopeStory)); err != nil {
		return "", err
	}
	for _, t := range res.topicIDs {
		if _, err := tx.Exec(`INSERT INTO handover_topics (handover_id, topic_id) VALUES (?, ?)`, id, t); err != nil {
			return "", err
		}
	}
	detail := "to=" + in.To + " scope=" + strings.Join(in.Consent.Scope, ",")
	if redirectedFrom != "" {
		if _, err := tx.Exec(`INSERT INTO handover_links (handover_id, redirected_from, created_at) VALUES (?, ?, ?)`,
			id, redirectedFrom, now); err != nil {
			return "", err
		}
		detail += " redirected_from=" + redirectedFrom
	}
	return id, tx.audit(actor, "create", "handover", id, detail)
}

// FindHandoverByID reads one handover. The first time someone of the
// receiving organisation opens it, it becomes received. Every read is audited.
func (s *HandoverService) FindHandoverByID(ctx context.Context, actor cases.Actor, id string) (*cases.Handover, error) {
	var out *cases.Handover
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, side, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if r.state == cases.StateRequested && side == cases.SideReceiver {
			if _, err := cases.NextState(r.state, cases.ActionReceive, actor, side); err == nil {
				now := cases.FormatTime(tx.now)
				if _, err := tx.Exec(`UPDATE handovers SET state = 'received', received_at = ?, updated_at = ?
					WHERE id = ? AND state = 'requested'`, now, now, r.id); err != nil {
					return err
				}
				if err := tx.audit(actor, cases.ActionReceive, "handover", r.id, "state=requested->received"); err != nil {
					return err
				}
				r.state, r.received, r.updated = cases.StateReceived, now, now
			}
		}
		out = s.view(r, side, tx.now)
		return tx.audit(actor, "read", "handover", r.id, "")
	})
	return out, err
}

// transition runs one move of the state machine in a transaction: load
// (ENOTFOUND for a third organisation), check the move (ENOTALLOWED or
// EFORBIDDEN), then apply, which validates its input and writes; the move is
// audited in the same transaction.
func (s *HandoverService) transition(ctx context.Context, actor cases.Actor, id, action string,
	apply func(tx *Tx, r *handoverRow, side, next string) (detail string, err error)) (*cases.Handover, error) {
	var out *cases.Handover
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, side, err := s.load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		next, err := cases.NextState(r.state, action, actor, side)
		if err != nil {
			return err
		}
		detail, err := apply(tx, r, side, next)
		if err != nil {
			return err
		}
		if next != r.state {
			now := cases.FormatTime(tx.now)
			column := map[string]string{
				cases.StateReceived: "received_at", cases.StateAccepted: "accepted_at",
				cases.StateContacted: "contacted_at", cases.StateCompleted: "completed_at",
				cases.StateDeclined: "declined_at", cases.StateWithdrawn: "withdrawn_at",
			}[next]
			// column comes from the fixed map above, never from input.
			if _, err := tx.Exec(`UPDATE handovers SET state = ?, `+column+` = ?, updated_at = ? WHERE id = ?`,
				next, now, now, r.id); err != nil {
				return err
			}
		} else if _, err := tx.Exec(`UPDATE handovers SET updated_at = ? WHERE id = ?`, cases.FormatTime(tx.now), r.id); err != nil {
			return err
		}
		if detail != "" {
			detail = " " + detail
		}
		if err := tx.audit(actor, action, "handover", r.id, "state="+r.state+"->"+next+detail); err != nil {
			return err
		}
		if r, side, err = s.load(ctx, tx, actor, r.id); err != nil {
			return err
		}
		out = s.view(r, side, tx.now)
		return nil
	})
	return out, err
}

// assignee finds an active worker or coordinator of organisation orgID by
// username, or refuses the field.
func (s *HandoverService) assignee(ctx context.Context, q queryer, orgID int64, username string) (int64, error) {
	var id int64
	var org string
	err := q.QueryRowContext(ctx, `SELECT u.id, o.slug FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE u.username = ? AND u.organisation_id = ? AND u.active = 1`, username, orgID).Scan(&id, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cases.FieldInvalid("assignee", "unknown_assignee", username)
	} else if err != nil {
		return 0, err
	}
	roles := s.roles.RolesFor(username, org)
	if !slices.Contains(roles, cases.RoleWorker) && !slices.Contains(roles, cases.RoleCoordinator) {
		return 0, cases.FieldInvalid("assignee", "unknown_assignee", username)
	}
	return id, nil
}

// AcceptHandover takes a handover on and assigns a receiving worker. The
// receiving organisation gets its own record of the resident, holding only
// the consented fields, linked to the same person.
func (s *HandoverService) AcceptHandover(ctx context.Context, actor cases.Actor, id string, in cases.AcceptInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionAccept, func(tx *Tx, r *handoverRow, side, next string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		username := in.Assignee
		if username == "" {
			username = actor.Username
		}
		assigneeID, err := s.assignee(ctx, tx, r.toOrgID, username)
		if err != nil {
			return "", err
		}
		var personID int64
		if err := tx.QueryRow(`SELECT person_id FROM residents WHERE id = ?`, r.fromResidentID).Scan(&personID); err != nil {
			return "", err
		}
		v := s.view(r, side, tx.now)
		rin := cases.ResidentInput{}
		if v.Shared.Name != nil {
			rin.GivenName, rin.FamilyName = v.Shared.Name.GivenName, v.Shared.Name.FamilyName
		}
		if v.Shared.Phone != nil {
			rin.Phone = *v.Shared.Phone
		}
		if v.Shared.BirthDate != nil {
			rin.BirthDate = *v.Shared.BirthDate
		}
		if v.Shared.Neighbourhood != nil {
			rin.Neighbourhood = *v.Shared.Neighbourhood
		}
		rin.Normalise()
		record, err := s.residents.createResidentOf(tx, actor, uuid.NewString(), rin, personID)
		if err != nil {
			return "", err
		}
		now := cases.FormatTime(tx.now)
		if _, err := tx.Exec(`UPDATE handovers SET assignee_id = ?, to_resident_id = ?, received_at = COALESCE(received_at, ?)
			WHERE id = ?`, assigneeID, record.ID, now, r.id); err != nil {
			return "", err
		}
		return "assignee=" + username + " resident=" + record.ID, nil
	})
}

// ReassignHandover gives an accepted handover to another receiving worker
// (the receiving coordinator's task).
func (s *HandoverService) ReassignHandover(ctx context.Context, actor cases.Actor, id string, in cases.AcceptInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionReassign, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		if in.Assignee == "" {
			return "", cases.FieldInvalid("assignee", "required", "")
		}
		assigneeID, err := s.assignee(ctx, tx, r.toOrgID, in.Assignee)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(`UPDATE handovers SET assignee_id = ? WHERE id = ?`, assigneeID, r.id); err != nil {
			return "", err
		}
		return "assignee=" + in.Assignee, nil
	})
}

// RecordFirstContact records the first real contact with the resident and
// logs it as a contact of the receiving organisation's programme.
func (s *HandoverService) RecordFirstContact(ctx context.Context, actor cases.Actor, id string, in cases.ContactedInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionContact, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		at, err := in.Validate(tx.now, mustTime(r.requested))
		if err != nil {
			return "", err
		}
		at = at.UTC().Truncate(time.Millisecond)
		contactID, err := s.logFirstContact(ctx, tx, actor, r, at, in)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(`UPDATE handovers SET contact_at = ?, contact_how = ?, contact_note = ?, contact_id = ? WHERE id = ?`,
			cases.FormatTime(at), in.How, in.Note, nullString(contactID), r.id); err != nil {
			return "", err
		}
		return "how=" + in.How + " contact=" + contactID, nil
	})
}

// logFirstContact writes the contact of a first contact for the receiving
// organisation: its programme (the one named in the handover, else the
// assignee's, else the recorder's, else the organisation's first), the
// receiver's record, the handover's topics. An organisation without any
// programme logs no contact ("").
func (s *HandoverService) logFirstContact(ctx context.Context, tx *Tx, actor cases.Actor, r *handoverRow,
	at time.Time, in cases.ContactedInput) (string, error) {
	idx := s.ref.index()
	programmeID := r.toProgrammeID
	for _, uid := range []int64{r.assigneeID, actor.UserID} {
		if programmeID != 0 {
			break
		}
		if err := tx.QueryRow(`SELECT COALESCE(programme_id, 0) FROM users WHERE id = ? AND organisation_id = ?`,
			uid, r.toOrgID).Scan(&programmeID); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if programmeID == 0 {
		if err := tx.QueryRow(`SELECT COALESCE(MIN(id), 0) FROM programmes WHERE organisation_id = ? AND active = 1`,
			r.toOrgID).Scan(&programmeID); err != nil {
			return "", err
		}
	}
	if programmeID == 0 {
		return "", nil
	}
	var hoodID int64
	if in.Neighbourhood != "" {
		var ok bool
		if hoodID, ok = idx.neighbourhoods[in.Neighbourhood]; !ok {
			return "", cases.FieldInvalid("neighbourhood", "unknown", in.Neighbourhood)
		}
	} else if r.toResidentID != "" {
		if err := tx.QueryRow(`SELECT COALESCE(neighbourhood_id, 0) FROM residents WHERE id = ?`, r.toResidentID).
			Scan(&hoodID); err != nil {
			return "", err
		}
	}
	if hoodID == 0 {
		// The consent did not cover the neighbourhood and the receiver's
		// record has none: counting needs one, so the receiving worker
		// names it.
		return "", cases.FieldInvalid("neighbourhood", "neighbourhood_unknown", "")
	}
	kindID, ok := idx.kinds[cases.ContactKindFor(in.How)]
	if !ok {
		return "", cases.FieldInvalid("how", "unknown", in.How)
	}
	topicIDs := []int64{}
	for _, slug := range slugList(r.topics, idx.topicSlug) {
		topicIDs = append(topicIDs, idx.topics[slug])
	}
	c := &cases.Contact{
		ID: uuid.NewString(), OccurredAt: at, ResidentID: r.toResidentID, Note: in.Note, Version: 1,
		OrganisationID: actor.OrganisationID, WorkerID: actor.UserID, CreatedAt: tx.now, UpdatedAt: tx.now,
	}
	row := contactRow{programmeID: programmeID, neighbourhoodID: hoodID, kindID: kindID, topicIDs: topicIDs}
	if err := tx.insertContact(c, row); err != nil {
		return "", err
	}
	return c.ID, tx.audit(actor, "create", "contact", c.ID, "handover="+r.id)
}

// CompleteHandover closes a handover with an outcome and a note back.
func (s *HandoverService) CompleteHandover(ctx context.Context, actor cases.Actor, id string, in cases.CompleteInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionComplete, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		outcomeID, ok := s.ref.index().outcomes[in.Outcome]
		if !ok {
			return "", cases.FieldInvalid("outcome", "unknown", in.Outcome)
		}
		if _, err := tx.Exec(`UPDATE handovers SET outcome_id = ?, completion_note = ? WHERE id = ?`,
			outcomeID, in.Note, r.id); err != nil {
			return "", err
		}
		return "outcome=" + in.Outcome, nil
	})
}

// DeclineHandover refuses a handover with a reason; the sender may redirect it.
func (s *HandoverService) DeclineHandover(ctx context.Context, actor cases.Actor, id string, in cases.DeclineInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionDecline, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		if _, err := tx.Exec(`UPDATE handovers SET decline_reason = ?, decline_note = ? WHERE id = ?`,
			in.Reason, in.Note, r.id); err != nil {
			return "", err
		}
		return "reason=" + in.Reason, nil
	})
}

// WithdrawHandover calls an open handover back.
func (s *HandoverService) WithdrawHandover(ctx context.Context, actor cases.Actor, id string, in cases.WithdrawInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionWithdraw, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		_, err := tx.Exec(`UPDATE handovers SET withdraw_reason = ? WHERE id = ?`, in.Reason, r.id)
		return "", err
	})
}

// WithdrawConsent records that the resident withdrew consent: the shared
// fields are erased at once, and an open handover is withdrawn.
func (s *HandoverService) WithdrawConsent(ctx context.Context, actor cases.Actor, id string, in cases.ConsentWithdrawInput) (*cases.Handover, error) {
	return s.transition(ctx, actor, id, cases.ActionWithdrawConsent, func(tx *Tx, r *handoverRow, _, _ string) (string, error) {
		if r.consentWithdrawn != "" {
			return "", cases.Errorf(cases.ECONFLICT, "consent_already_withdrawn")
		}
		if err := in.Validate(); err != nil {
			return "", err
		}
		if _, err := tx.Exec(`UPDATE handover_consents SET withdrawn_at = ?, withdrawn_by = ?, withdrawal_note = ?
			WHERE handover_id = ?`, cases.FormatTime(tx.now), actor.UserID, in.Note, r.id); err != nil {
			return "", err
		}
		_, err := tx.Exec(`UPDATE handovers SET shared_given_name = NULL, shared_family_name = NULL, shared_phone = NULL,
			shared_birth_date = NULL, shared_neighbourhood_id = NULL, shared_story = NULL WHERE id = ?`, r.id)
		return "", err
	})
}

// RedirectHandover sends the resident of a declined handover to another
// partner: a new handover linked to the first, with consent of its own.
func (s *HandoverService) RedirectHandover(ctx context.Context, actor cases.Actor, id string, in cases.RedirectInput) (*cases.Handover, error) {
	var newID string
	_, err := s.transition(ctx, actor, id, cases.ActionRedirect, func(tx *Tx, r *handoverRow, side, _ string) (string, error) {
		if r.redirectedTo != "" {
			return "", cases.Errorf(cases.ECONFLICT, "handover_already_redirected")
		}
		first := s.view(r, side, tx.now)
		if in.To == r.toOrg {
			return "", cases.FieldInvalid("to", "same_partner", in.To)
		}
		input := in.Input(first, r.fromResidentID, first.From.Programme)
		var err error
		if newID, err = s.create(ctx, tx, actor, input, r.id); err != nil {
			return "", err
		}
		return "to=" + in.To + " handover=" + newID, nil
	})
	if err != nil {
		return nil, err
	}
	return s.findNoReceipt(ctx, actor, newID)
}

// findNoReceipt reads a handover for its sender, right after writing it.
func (s *HandoverService) findNoReceipt(ctx context.Context, actor cases.Actor, id string) (*cases.Handover, error) {
	r, side, err := s.load(ctx, s.db.Read, actor, id)
	if err != nil {
		return nil, err
	}
	return s.view(r, side, s.db.Now()), nil
}

// Partners lists the organisations that receive handovers, but the actor's own.
func (s *HandoverService) Partners(ctx context.Context, actor cases.Actor) ([]cases.Organisation, error) {
	return queryOrganisations(ctx, s.db.Read, `SELECT id, slug, name FROM organisations
		WHERE receives_handovers = 1 AND id <> ? ORDER BY name`, actor.OrganisationID)
}

// Assignees lists the active workers and coordinators of the actor's organisation.
func (s *HandoverService) Assignees(ctx context.Context, actor cases.Actor) ([]cases.Assignee, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT u.username, u.display_name FROM users u
		WHERE u.organisation_id = ? AND u.active = 1 ORDER BY u.display_name`, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Assignee
	for rows.Next() {
		var a cases.Assignee
		if err := rows.Scan(&a.Username, &a.DisplayName); err != nil {
			return nil, err
		}
		roles := s.roles.RolesFor(a.Username, actor.OrganisationSlug)
		if slices.Contains(roles, cases.RoleWorker) || slices.Contains(roles, cases.RoleCoordinator) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

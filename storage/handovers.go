package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// handovers stores handovers, their consents, topics and redirect links.
type handovers struct{ conn }

const handoverColumns = `h.rowid, h.id, h.state, h.from_org_id, COALESCE(h.from_programme_id, 0), h.from_user_id, fu.username,
	fu.display_name, COALESCE(au.display_name, ''),
	h.from_resident_id, h.to_org_id, COALESCE(h.to_programme_id, 0), COALESCE(h.to_resident_id, ''),
	COALESCE(h.assignee_id, 0), COALESCE(au.username, ''), h.question, h.urgency, h.preferred_way, h.preferred_time,
	h.shared_given_name, h.shared_family_name, h.shared_phone, h.shared_birth_date, COALESCE(hn.slug, ''),
	h.shared_story, h.requested_at, COALESCE(h.received_at, ''), COALESCE(h.accepted_at, ''), COALESCE(h.contacted_at, ''),
	COALESCE(h.completed_at, ''), COALESCE(h.declined_at, ''), COALESCE(h.withdrawn_at, ''), h.updated_at,
	h.accept_by, h.contact_by, COALESCE(h.contact_at, ''), COALESCE(h.contact_how, ''), COALESCE(h.contact_note, ''),
	COALESCE(h.contact_id, ''), COALESCE(h.outcome_id, 0), COALESCE(h.completion_note, ''),
	COALESCE(h.decline_reason, ''), COALESCE(h.decline_note, ''), COALESCE(h.withdraw_reason, ''),
	c.how, c.given_at, c.recorded_by, cu.username, c.scope_name, c.scope_phone, c.scope_birth_date,
	c.scope_neighbourhood, c.scope_story, COALESCE(c.withdrawn_at, ''), COALESCE(c.withdrawn_by, 0),
	COALESCE(wu.username, ''), COALESCE(c.withdrawal_note, ''), COALESCE(c.valid_until, ''),
	COALESCE(c.renewed_at, ''), COALESCE(c.applied_at, ''), COALESCE(tr.own_ground, '') <> '', tr.erased_at IS NOT NULL,
	fr.erased_at IS NOT NULL,
	COALESCE((SELECT string_agg(CAST(topic_id AS TEXT), ',') FROM handover_topics WHERE handover_id = h.id), ''),
	COALESCE((SELECT redirected_from FROM handover_links WHERE handover_id = h.id), ''),
	COALESCE((SELECT handover_id FROM handover_links WHERE redirected_from = h.id), '')`

// The organisations' and programmes' slugs come from the reference cache.
const handoverJoins = ` JOIN users fu ON fu.id = h.from_user_id
	LEFT JOIN users au ON au.id = h.assignee_id
	LEFT JOIN neighbourhoods hn ON hn.id = h.shared_neighbourhood_id
	JOIN handover_consents c ON c.handover_id = h.id
	JOIN users cu ON cu.id = c.recorded_by
	LEFT JOIN users wu ON wu.id = c.withdrawn_by
	LEFT JOIN residents tr ON tr.id = h.to_resident_id
	JOIN residents fr ON fr.id = h.from_resident_id `

// handoverRow holds what a scan reads as text before it becomes a record.
type handoverRow struct {
	fromProgramme, toProgramme, outcome        int64
	hood                                       string
	given, family, phone, birth, story         sql.NullString
	received, accepted, contacted, completed   string
	declined, withdrawn, requested, updated    string
	acceptBy, contactBy, consentAt, consentOff string
	validUntil, renewed, applied               string
	contactAt, contactHow, contactNote, cid    string
	scope                                      [5]bool // in the order of cases.ConsentScopes
	topics                                     string
}

func (c conn) scanHandover(row scanner) (*cases.HandoverRecord, error) {
	var h cases.HandoverRecord
	var r handoverRow
	con := &h.Consent
	err := row.Scan(&h.Seq, &h.ID, &h.State, &h.FromOrganisationID, &r.fromProgramme, &h.SenderID, &h.From.Worker,
		&h.From.WorkerName, &h.To.WorkerName,
		&h.FromResidentID, &h.ToOrganisationID, &r.toProgramme, &h.ToResidentID,
		&h.AssigneeID, &h.To.Worker, &h.Question, &h.Urgency, &h.PreferredContactWay, &h.PreferredContactTime,
		&r.given, &r.family, &r.phone, &r.birth, &r.hood,
		&r.story, &r.requested, &r.received, &r.accepted, &r.contacted,
		&r.completed, &r.declined, &r.withdrawn, &r.updated,
		&r.acceptBy, &r.contactBy, &r.contactAt, &r.contactHow, &r.contactNote,
		&r.cid, &r.outcome, &h.CompletionNote,
		&h.DeclineReason, &h.DeclineNote, &h.WithdrawReason,
		&con.How, &r.consentAt, &con.RecordedByID, &con.RecordedBy,
		&r.scope[0], &r.scope[1], &r.scope[2], &r.scope[3], &r.scope[4],
		&r.consentOff, &con.WithdrawnByID, &con.WithdrawnBy, &con.WithdrawalNote, &r.validUntil,
		&r.renewed, &r.applied, &con.ReceiverOwnGround, &h.ToResidentErased,
		&h.FromResidentErased,
		&r.topics, &h.RedirectedFrom, &h.RedirectedTo)
	if err != nil {
		return nil, err
	}
	idx := c.db.ref.index()
	h.From.Organisation, h.To.Organisation = idx.orgSlug[h.FromOrganisationID], idx.orgSlug[h.ToOrganisationID]
	h.From.Programme, h.To.Programme = idx.programmeSlug[r.fromProgramme], idx.programmeSlug[r.toProgramme]
	h.Topics = slugList(r.topics, idx.topicSlug)
	if r.outcome != 0 {
		h.Outcome = slugOf(idx.outcomeSlug, r.outcome)
	}
	h.Shared = cases.SharedCopy{GivenName: nullable(r.given), FamilyName: nullable(r.family), Phone: nullable(r.phone),
		BirthDate: nullable(r.birth), Story: nullable(r.story)}
	if r.hood != "" {
		h.Shared.Neighbourhood = &r.hood
	}
	con.Given, con.Scope = true, []string{}
	for i, key := range cases.ConsentScopes {
		if r.scope[i] {
			con.Scope = append(con.Scope, key)
		}
	}
	con.At, con.WithdrawnAt = mustTime(r.consentAt), optTime(r.consentOff)
	con.ValidUntil, con.RenewedAt, con.ReachedReceiverAt = mustTime(r.validUntil), optTime(r.renewed), optTime(r.applied)
	t := &h.HandoverTimes
	t.RequestedAt, t.UpdatedAt, t.AcceptBy, t.ContactBy = mustTime(r.requested), mustTime(r.updated),
		mustTime(r.acceptBy), mustTime(r.contactBy)
	t.ReceivedAt, t.AcceptedAt, t.ContactedAt = optTime(r.received), optTime(r.accepted), optTime(r.contacted)
	t.CompletedAt, t.DeclinedAt, t.WithdrawnAt = optTime(r.completed), optTime(r.declined), optTime(r.withdrawn)
	if r.contactAt != "" {
		h.FirstContact = &cases.FirstContact{At: mustTime(r.contactAt), How: r.contactHow, Note: r.contactNote, ContactID: r.cid}
	}
	return &h, nil
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func optTime(s string) *time.Time {
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

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return cases.FormatTime(*t)
}

func stringOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func (h handovers) Handover(ctx context.Context, orgID int64, id string) (*cases.HandoverRecord, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, cases.NotFound("handover")
	}
	r, err := h.scanHandover(h.q.QueryRowContext(ctx, `SELECT `+handoverColumns+` FROM handovers h`+handoverJoins+
		`WHERE h.id = ? AND (h.from_org_id = ? OR h.to_org_id = ?)`, strings.ToLower(id), orgID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("handover")
	}
	return r, err
}

func (h handovers) OpenHandoversTo(ctx context.Context, orgID int64) ([]*cases.HandoverRecord, error) {
	return h.list(ctx, `WHERE h.to_org_id = ? AND `+openStatesSQL, orgID)
}

func (h handovers) HandoversOfResident(ctx context.Context, orgID int64, residentID string) ([]*cases.HandoverRecord, error) {
	id := strings.ToLower(residentID)
	return h.list(ctx, `WHERE (h.from_org_id = ?1 AND h.from_resident_id = ?2) OR (h.to_org_id = ?1 AND h.to_resident_id = ?2)
		ORDER BY h.requested_at`, orgID, id)
}

func (h handovers) ConsentEnded(ctx context.Context, now time.Time) ([]*cases.HandoverRecord, error) {
	return h.list(ctx, `WHERE c.applied_at IS NULL AND (c.withdrawn_at IS NOT NULL OR c.valid_until <= ?)
		ORDER BY h.requested_at`, cases.FormatTime(now))
}

// list reads the handovers that where selects.
func (h handovers) list(ctx context.Context, where string, args ...any) ([]*cases.HandoverRecord, error) {
	rows, err := h.q.QueryContext(ctx, `SELECT `+handoverColumns+` FROM handovers h`+handoverJoins+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cases.HandoverRecord
	for rows.Next() {
		r, err := h.scanHandover(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (h handovers) OpenHandoverOf(ctx context.Context, fromOrgID int64, residentID string, toOrgID int64) (string, error) {
	var id string
	err := h.q.QueryRowContext(ctx, `SELECT h.id FROM handovers h WHERE h.from_resident_id = ? AND h.from_org_id = ?
		AND h.to_org_id = ? AND `+openStatesSQL+` LIMIT 1`, residentID, fromOrgID, toOrgID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (h handovers) HandoverLimits(ctx context.Context, orgID int64) (cases.HandoverLimits, error) {
	l := cases.DefaultHandoverLimits
	err := h.q.QueryRowContext(ctx, `SELECT accept_days, contact_days FROM handover_limits WHERE organisation_id = ?`, orgID).
		Scan(&l.AcceptDays, &l.ContactDays)
	if errors.Is(err, sql.ErrNoRows) {
		return cases.DefaultHandoverLimits, nil
	}
	return l, err
}

func (h handovers) AllHandoverLimits(ctx context.Context) (map[int64]cases.HandoverLimits, error) {
	rows, err := h.q.QueryContext(ctx, `SELECT organisation_id, accept_days, contact_days FROM handover_limits`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]cases.HandoverLimits{}
	for rows.Next() {
		var id int64
		var l cases.HandoverLimits
		if err := rows.Scan(&id, &l.AcceptDays, &l.ContactDays); err != nil {
			return nil, err
		}
		out[id] = l
	}
	return out, rows.Err()
}

func (h handovers) SetHandoverLimits(ctx context.Context, orgID int64, l cases.HandoverLimits) error {
	_, err := h.q.ExecContext(ctx, `INSERT INTO handover_limits (organisation_id, accept_days, contact_days, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id) DO UPDATE SET accept_days = excluded.accept_days,
		contact_days = excluded.contact_days, updated_at = excluded.updated_at`,
		orgID, l.AcceptDays, l.ContactDays, cases.FormatTime(h.tx.now))
	return err
}

// refs are the IDs of a record's reference values.
type handoverRefs struct {
	fromProgramme, toProgramme, hood, outcome any
	topics                                    []int64
}

func (h handovers) refs(r *cases.HandoverRecord) handoverRefs {
	idx := h.db.ref.index()
	id := func(m map[string]int64, slug string) any {
		if slug == "" {
			return nil
		}
		return nullInt(m[slug])
	}
	out := handoverRefs{fromProgramme: id(idx.programmes, r.From.Programme), toProgramme: id(idx.programmes, r.To.Programme),
		outcome: id(idx.outcomes, r.Outcome)}
	if r.Shared.Neighbourhood != nil {
		out.hood = id(idx.neighbourhoods, *r.Shared.Neighbourhood)
	}
	for _, t := range r.Topics {
		out.topics = append(out.topics, idx.topics[t])
	}
	return out
}

func (h handovers) InsertHandover(ctx context.Context, r *cases.HandoverRecord) error {
	ids := h.refs(r)
	sh, now := r.Shared, cases.FormatTime(r.RequestedAt)
	if _, err := h.q.ExecContext(ctx, `INSERT INTO handovers (id, state, from_org_id, from_programme_id, from_user_id,
		from_resident_id, to_org_id, to_programme_id, question, urgency, preferred_way, preferred_time,
		shared_given_name, shared_family_name, shared_phone, shared_birth_date, shared_neighbourhood_id, shared_story,
		requested_at, updated_at, accept_by, contact_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.State, r.FromOrganisationID, ids.fromProgramme, r.SenderID, r.FromResidentID, r.ToOrganisationID,
		ids.toProgramme, r.Question, r.Urgency, r.PreferredContactWay, r.PreferredContactTime,
		stringOrNil(sh.GivenName), stringOrNil(sh.FamilyName), stringOrNil(sh.Phone), stringOrNil(sh.BirthDate),
		ids.hood, stringOrNil(sh.Story), now, cases.FormatTime(r.UpdatedAt), cases.FormatTime(r.AcceptBy),
		cases.FormatTime(r.ContactBy)); err != nil {
		return err
	}
	scope := func(key string) bool { return hasScope(r.Consent.Scope, key) }
	if _, err := h.q.ExecContext(ctx, `INSERT INTO handover_consents (handover_id, given, how, given_at, recorded_by,
		recorded_at, valid_until, scope_name, scope_phone, scope_birth_date, scope_neighbourhood, scope_story)
		VALUES (?, TRUE, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Consent.How, cases.FormatTime(r.Consent.At), r.Consent.RecordedByID, now,
		cases.FormatTime(r.Consent.ValidUntil),
		scope(cases.ScopeName), scope(cases.ScopePhone), scope(cases.ScopeBirthDate), scope(cases.ScopeNeighbourhood),
		scope(cases.ScopeStory)); err != nil {
		return err
	}
	for _, t := range ids.topics {
		if _, err := h.q.ExecContext(ctx, `INSERT INTO handover_topics (handover_id, topic_id) VALUES (?, ?)`, r.ID, t); err != nil {
			return err
		}
	}
	if r.RedirectedFrom != "" {
		if _, err := h.q.ExecContext(ctx, `INSERT INTO handover_links (handover_id, redirected_from, created_at)
			VALUES (?, ?, ?)`, r.ID, r.RedirectedFrom, now); err != nil {
			return err
		}
	}
	return nil
}

func hasScope(scope []string, key string) bool {
	for _, s := range scope {
		if s == key {
			return true
		}
	}
	return false
}

func (h handovers) SaveHandover(ctx context.Context, r *cases.HandoverRecord) error {
	ids := h.refs(r)
	sh, t := r.Shared, r.HandoverTimes
	var contactAt, contactHow, contactNote, contactID any
	if fc := r.FirstContact; fc != nil {
		contactAt, contactHow, contactNote, contactID = cases.FormatTime(fc.At), fc.How, fc.Note, nullString(fc.ContactID)
	}
	if _, err := h.q.ExecContext(ctx, `UPDATE handovers SET state = ?, to_resident_id = ?, assignee_id = ?,
		shared_given_name = ?, shared_family_name = ?, shared_phone = ?, shared_birth_date = ?,
		shared_neighbourhood_id = ?, shared_story = ?, received_at = ?, accepted_at = ?, contacted_at = ?,
		completed_at = ?, declined_at = ?, withdrawn_at = ?, updated_at = ?, accept_by = ?, contact_by = ?,
		contact_at = ?, contact_how = ?, contact_note = ?, contact_id = ?, outcome_id = ?, completion_note = ?,
		decline_reason = ?, decline_note = ?, withdraw_reason = ? WHERE id = ?`,
		r.State, nullString(r.ToResidentID), nullInt(r.AssigneeID),
		stringOrNil(sh.GivenName), stringOrNil(sh.FamilyName), stringOrNil(sh.Phone), stringOrNil(sh.BirthDate),
		ids.hood, stringOrNil(sh.Story), timeOrNil(t.ReceivedAt), timeOrNil(t.AcceptedAt), timeOrNil(t.ContactedAt),
		timeOrNil(t.CompletedAt), timeOrNil(t.DeclinedAt), timeOrNil(t.WithdrawnAt), cases.FormatTime(t.UpdatedAt),
		cases.FormatTime(t.AcceptBy), cases.FormatTime(t.ContactBy), contactAt, contactHow, contactNote, contactID,
		ids.outcome, nullString(r.CompletionNote), nullString(r.DeclineReason), nullString(r.DeclineNote),
		nullString(r.WithdrawReason), r.ID); err != nil {
		return err
	}
	c := r.Consent
	_, err := h.q.ExecContext(ctx, `UPDATE handover_consents SET how = ?, given_at = ?, valid_until = ?, renewed_at = ?,
		applied_at = ?, withdrawn_at = ?, withdrawn_by = ?, withdrawal_note = ? WHERE handover_id = ?`,
		c.How, cases.FormatTime(c.At), cases.FormatTime(c.ValidUntil), timeOrNil(c.RenewedAt),
		timeOrNil(c.ReachedReceiverAt), timeOrNil(c.WithdrawnAt), nullInt(c.WithdrawnByID),
		nullString(c.WithdrawalNote), r.ID)
	return err
}

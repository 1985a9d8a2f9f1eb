package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// ContactService implements cases.ContactService.
type ContactService struct {
	db  *DB
	ref *ReferenceService
	// Window is how old a newly logged contact may be.
	Window time.Duration
}

// NewContactService returns the service with the default window.
func NewContactService(db *DB, ref *ReferenceService) *ContactService {
	return &ContactService{db: db, ref: ref, Window: cases.DefaultContactWindow}
}

var _ cases.ContactService = (*ContactService)(nil)

// contactRow is a contact with its reference values as IDs, as stored.
type contactRow struct {
	programmeID, neighbourhoodID, kindID int64
	topicIDs, outcomeIDs                 []int64
}

// resolve turns the slugs of a contact into IDs, naming each unknown one.
// A programme must belong to the actor's organisation.
func (s *ContactService) resolve(actor cases.Actor, c *cases.Contact) (contactRow, error) {
	idx := s.ref.index()
	var row contactRow
	var problems []cases.FieldError
	if p, ok := idx.programmes[c.Programme]; !ok || p.OrganisationID != actor.OrganisationID {
		problems = append(problems, cases.FieldError{Field: "programme", Tag: "unknown", Param: c.Programme})
	} else {
		row.programmeID = p.ID
	}
	var ok bool
	if row.neighbourhoodID, ok = idx.neighbourhoods[c.Neighbourhood]; !ok {
		problems = append(problems, cases.FieldError{Field: "neighbourhood", Tag: "unknown", Param: c.Neighbourhood})
	}
	if row.kindID, ok = idx.kinds[c.Kind]; !ok {
		problems = append(problems, cases.FieldError{Field: "kind", Tag: "unknown", Param: c.Kind})
	}
	resolveList := func(field string, slugs []string, ids map[string]int64) []int64 {
		out := make([]int64, 0, len(slugs))
		for i, slug := range slugs {
			id, ok := ids[slug]
			if !ok {
				problems = append(problems, cases.FieldError{Field: field + "[" + strconv.Itoa(i) + "]", Tag: "unknown", Param: slug})
			}
			out = append(out, id)
		}
		return out
	}
	row.topicIDs = resolveList("topics", c.Topics, idx.topics)
	row.outcomeIDs = resolveList("outcomes", c.Outcomes, idx.outcomes)
	if len(problems) > 0 {
		return row, cases.Invalid(problems...)
	}
	return row, nil
}

// CreateContact stores a contact once per client-generated ID.
func (s *ContactService) CreateContact(ctx context.Context, actor cases.Actor, in cases.ContactInput) (*cases.Contact, bool, error) {
	at, err := in.Validate(cases.ContactRules{Now: s.db.Now(), Window: s.Window})
	c := &cases.Contact{
		ID: strings.ToLower(in.ID), Programme: in.Programme, Worker: actor.Username,
		OccurredAt: at.UTC().Truncate(time.Millisecond), Neighbourhood: in.Neighbourhood, Kind: in.Kind,
		ResidentID: strings.ToLower(in.ResidentID), Anonymous: in.Anonymous, Topics: in.Topics,
		Outcomes: orEmpty(in.Outcomes), Note: in.Note, Version: 1, OrganisationID: actor.OrganisationID,
		WorkerID: actor.UserID,
	}
	row, rerr := s.resolve(actor, c)
	if err = cases.MergeInvalid(err, rerr); err != nil {
		// A retry of a stored contact must succeed even when its time has
		// since left the window: look before refusing.
		if existing, ferr := s.FindContactByID(ctx, actor, c.ID); ferr == nil {
			return existing, false, nil
		}
		return nil, false, err
	}
	// Answer the lists as a read (and so a retry) does: sorted.
	c.Topics, c.Outcomes = slices.Clone(c.Topics), slices.Clone(c.Outcomes)
	slices.Sort(c.Topics)
	slices.Sort(c.Outcomes)
	created := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		c.CreatedAt, c.UpdatedAt = tx.now, tx.now
		res, err := tx.execPrepared(contactInsert, c.ID, c.OrganisationID, row.programmeID, c.WorkerID,
			nullString(c.ResidentID), cases.FormatTime(c.OccurredAt), row.neighbourhoodID, row.kindID, c.Note,
			c.Version, cases.FormatTime(c.CreatedAt), cases.FormatTime(c.UpdatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Nothing written: the id exists (a retry, or another
			// organisation's), or the resident is not one of ours.
			var orgID int64
			switch err := tx.queryRowPrepared(contactOrganisation, c.ID).Scan(&orgID); {
			case err == nil && orgID == actor.OrganisationID:
				return nil // a retry: answer with the stored contact below
			case err == nil:
				return cases.FieldInvalid("id", "taken", "")
			case errors.Is(err, sql.ErrNoRows) && c.ResidentID != "":
				return cases.FieldInvalid("resident_id", "unknown_resident", "")
			case errors.Is(err, sql.ErrNoRows):
				return errors.New("storage: contact neither inserted nor found")
			default:
				return err
			}
		}
		if err := tx.writeContactLists(c.ID, row); err != nil {
			return err
		}
		if err := tx.refreshReach(); err != nil { // reach facts, storage/reach.go
			return err
		}
		created = true
		return tx.audit(actor, "create", "contact", c.ID, "")
	})
	if err != nil {
		return nil, false, err
	}
	if !created {
		stored, err := s.FindContactByID(ctx, actor, c.ID)
		return stored, false, err
	}
	return c, true, nil
}

// contactInsert writes a new contact unless its id exists (ON CONFLICT) or
// its resident is not a record of the contact's organisation (WHERE): then it
// writes nothing and contactOrganisation tells which. One prepared statement
// instead of three queries on the path of every logged contact.
const contactInsert = `INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id, occurred_at,
	neighbourhood_id, kind_id, note, version, created_at, updated_at)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
	WHERE ?5 IS NULL OR EXISTS (SELECT 1 FROM residents WHERE id = ?5 AND organisation_id = ?2)
	ON CONFLICT (id) DO NOTHING`

const (
	contactOrganisation  = `SELECT organisation_id FROM contacts WHERE id = ?`
	contactTopicInsert   = `INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`
	contactOutcomeInsert = `INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`
)

// insertContact writes a contact made by another use case (a handover's
// first contact) and brings the reach facts up to date with it.
func (tx *Tx) insertContact(c *cases.Contact, row contactRow) error {
	_, err := tx.Exec(`INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id, occurred_at,
		neighbourhood_id, kind_id, note, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.OrganisationID, row.programmeID, c.WorkerID, nullString(c.ResidentID), cases.FormatTime(c.OccurredAt),
		row.neighbourhoodID, row.kindID, c.Note, c.Version, cases.FormatTime(c.CreatedAt), cases.FormatTime(c.UpdatedAt))
	if err != nil {
		return err
	}
	if err := tx.writeContactLists(c.ID, row); err != nil {
		return err
	}
	return tx.refreshReach()
}

func (tx *Tx) writeContactLists(id string, row contactRow) error {
	for _, t := range row.topicIDs {
		if _, err := tx.execPrepared(contactTopicInsert, id, t); err != nil {
			return err
		}
	}
	for _, o := range row.outcomeIDs {
		if _, err := tx.execPrepared(contactOutcomeInsert, id, o); err != nil {
			return err
		}
	}
	return nil
}

const contactSelect = `SELECT c.id, c.organisation_id, c.programme_id, c.worker_id, u.username,
	COALESCE(c.resident_id, ''), c.occurred_at, c.neighbourhood_id, c.kind_id, c.note, c.version,
	c.created_at, c.updated_at, COALESCE(c.voided_at, ''), COALESCE(c.void_reason, ''),
	COALESCE((SELECT group_concat(topic_id) FROM contact_topics WHERE contact_id = c.id), ''),
	COALESCE((SELECT group_concat(outcome_id) FROM contact_outcomes WHERE contact_id = c.id), '')
	FROM contacts c JOIN users u ON u.id = c.worker_id `

func (s *ContactService) scanContact(row interface{ Scan(...any) error }) (*cases.Contact, error) {
	var c cases.Contact
	var programmeID, hoodID, kindID int64
	var occurred, created, updated, voided, topics, outcomes string
	err := row.Scan(&c.ID, &c.OrganisationID, &programmeID, &c.WorkerID, &c.Worker, &c.ResidentID, &occurred,
		&hoodID, &kindID, &c.Note, &c.Version, &created, &updated, &voided, &c.VoidReason, &topics, &outcomes)
	if err != nil {
		return nil, err
	}
	idx := s.ref.index()
	c.Programme = idx.programmeSlug[programmeID]
	c.Neighbourhood = idx.neighbourhoodSlug[hoodID]
	c.Kind = idx.kindSlug[kindID]
	c.Anonymous = c.ResidentID == ""
	c.Topics = slugList(topics, idx.topicSlug)
	c.Outcomes = slugList(outcomes, idx.outcomeSlug)
	c.OccurredAt, _ = cases.ParseTime(occurred)
	c.CreatedAt, _ = cases.ParseTime(created)
	c.UpdatedAt, _ = cases.ParseTime(updated)
	if voided != "" {
		t, _ := cases.ParseTime(voided)
		c.VoidedAt = &t
	}
	return &c, nil
}

// slugList maps "3,1" to the slugs of those IDs, in list order.
func slugList(ids string, slugs map[int64]string) []string {
	out := []string{}
	for _, s := range strings.Split(ids, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, slugs[id])
		}
	}
	slices.Sort(out)
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// FindContactByID reads one contact of the actor's organisation with its history.
func (s *ContactService) FindContactByID(ctx context.Context, actor cases.Actor, id string) (*cases.Contact, error) {
	c, err := s.findContact(ctx, s.db.Read, actor, id)
	if err != nil {
		return nil, err
	}
	if c.History, err = s.history(ctx, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *ContactService) findContact(ctx context.Context, q queryer, actor cases.Actor, id string) (*cases.Contact, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, cases.NotFound("contact")
	}
	c, err := s.scanContact(q.QueryRowContext(ctx, contactSelect+`WHERE c.id = ? AND c.organisation_id = ?`,
		strings.ToLower(id), actor.OrganisationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("contact")
	}
	return c, err
}

func (s *ContactService) history(ctx context.Context, id string) ([]cases.ContactVersion, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT snapshot FROM contact_versions WHERE contact_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.ContactVersion
	for rows.Next() {
		var snapshot string
		var v cases.ContactVersion
		if err := rows.Scan(&snapshot); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(snapshot), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindContacts lists contacts of the actor's organisation, newest first.
func (s *ContactService) FindContacts(ctx context.Context, actor cases.Actor, f cases.ContactFilter) ([]*cases.Contact, error) {
	where := `WHERE c.organisation_id = ?`
	args := []any{actor.OrganisationID}
	if f.ResidentID != "" {
		where += ` AND c.resident_id = ?`
		args = append(args, strings.ToLower(f.ResidentID))
	}
	if f.WorkerID != 0 {
		where += ` AND c.worker_id = ?`
		args = append(args, f.WorkerID)
	}
	if f.From != nil {
		where += ` AND c.occurred_at >= ?`
		args = append(args, cases.FormatTime(*f.From))
	}
	if f.To != nil {
		where += ` AND c.occurred_at < ?`
		args = append(args, cases.FormatTime(*f.To))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.db.Read.QueryContext(ctx, contactSelect+where+` ORDER BY c.occurred_at DESC LIMIT `+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*cases.Contact{}
	for rows.Next() {
		c, err := s.scanContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.ResidentID != "" {
		err = s.db.inTx(ctx, func(tx *Tx) error {
			return tx.audit(actor, "list", "contact", "", "resident="+f.ResidentID)
		})
	}
	return out, err
}

// CorrectContact applies an author's correction, keeping the old version.
func (s *ContactService) CorrectContact(ctx context.Context, actor cases.Actor, id string, patch cases.ContactPatch) (*cases.Contact, error) {
	var out *cases.Contact
	err := s.db.inTx(ctx, func(tx *Tx) error {
		c, err := s.findContact(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := cases.CanCorrect(c, actor, tx.now); err != nil {
			return err
		}
		if err := patch.Validate(cases.ContactRules{Now: tx.now, Window: s.Window}); err != nil {
			return err
		}
		if patch.Version != nil && *patch.Version != c.Version {
			return cases.Errorf(cases.ECONFLICT, "contact_stale", c.Version)
		}
		next := patch.Apply(*c)
		row, err := s.resolve(actor, &next)
		if err != nil {
			return err
		}
		snapshot, err := json.Marshal(cases.ContactVersion{
			Version: c.Version, ChangedAt: tx.now, ChangedBy: actor.Username, Programme: c.Programme,
			OccurredAt: c.OccurredAt, Neighbourhood: c.Neighbourhood, Kind: c.Kind, Topics: c.Topics,
			Outcomes: c.Outcomes, Note: c.Note,
		})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO contact_versions (contact_id, version, snapshot, changed_by, changed_at)
			VALUES (?, ?, ?, ?, ?)`, c.ID, c.Version, string(snapshot), actor.UserID, cases.FormatTime(tx.now)); err != nil {
			return err
		}
		next.Version = c.Version + 1
		next.UpdatedAt = tx.now
		if _, err := tx.Exec(`UPDATE contacts SET programme_id = ?, occurred_at = ?, neighbourhood_id = ?, kind_id = ?,
			note = ?, version = ?, updated_at = ? WHERE id = ?`,
			row.programmeID, cases.FormatTime(next.OccurredAt), row.neighbourhoodID, row.kindID, next.Note,
			next.Version, cases.FormatTime(tx.now), c.ID); err != nil {
			return err
		}
		for _, table := range []string{"contact_topics", "contact_outcomes"} {
			if _, err := tx.Exec(`DELETE FROM `+table+` WHERE contact_id = ?`, c.ID); err != nil {
				return err
			}
		}
		if err := tx.writeContactLists(c.ID, row); err != nil {
			return err
		}
		if err := tx.refreshReach(); err != nil { // reach facts, storage/reach.go
			return err
		}
		out = &next
		slices.Sort(out.Topics)
		slices.Sort(out.Outcomes)
		return tx.audit(actor, "correct", "contact", c.ID, "version="+strconv.Itoa(next.Version))
	})
	if err != nil {
		return nil, err
	}
	out.History, err = s.history(ctx, out.ID)
	return out, err
}

// VoidContact marks a contact void; it no longer counts but stays stored.
func (s *ContactService) VoidContact(ctx context.Context, actor cases.Actor, id string, in cases.VoidInput) (*cases.Contact, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *cases.Contact
	err := s.db.inTx(ctx, func(tx *Tx) error {
		c, err := s.findContact(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if c.VoidedAt != nil {
			return cases.Errorf(cases.ECONFLICT, "contact_voided")
		}
		if _, err := tx.Exec(`UPDATE contacts SET voided_at = ?, voided_by = ?, void_reason = ?, updated_at = ? WHERE id = ?`,
			cases.FormatTime(tx.now), actor.UserID, in.Reason, cases.FormatTime(tx.now), c.ID); err != nil {
			return err
		}
		if err := tx.refreshReach(); err != nil { // reach facts, storage/reach.go
			return err
		}
		now := tx.now
		c.VoidedAt, c.VoidReason, c.UpdatedAt = &now, in.Reason, now
		out = c
		return tx.audit(actor, "void", "contact", c.ID, "")
	})
	return out, err
}

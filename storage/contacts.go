package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// contacts stores contacts, their topics, outcomes and earlier versions.
type contacts struct{ conn }

// contactIDs are a contact's reference values as stored.
type contactIDs struct {
	programme, hood, kind int64
	topics, outcomes      []int64
}

// ids resolves the slugs of c. The use case checked them against the same
// cache; a slug missing here was removed by another process meanwhile.
func (c contacts) ids(ct *cases.Contact) (contactIDs, error) {
	idx := c.db.ref.index()
	out := contactIDs{programme: idx.programmes[ct.Programme], hood: idx.neighbourhoods[ct.Neighbourhood],
		kind: idx.kinds[ct.Kind]}
	for _, t := range ct.Topics {
		out.topics = append(out.topics, idx.topics[t])
	}
	for _, o := range ct.Outcomes {
		out.outcomes = append(out.outcomes, idx.outcomes[o])
	}
	if out.programme == 0 || out.hood == 0 || out.kind == 0 || slices.Contains(out.topics, 0) || slices.Contains(out.outcomes, 0) {
		return out, cases.Errorf(cases.ECONFLICT, "reference_changed")
	}
	return out, nil
}

// contactInsert writes a new contact unless its id exists (ON CONFLICT) or
// its resident is not a record of the contact's organisation (WHERE): then it
// writes nothing and contactOrganisation tells which. A record merged into
// another gets the contact of the one it was merged into (a tablet's outbox
// may send it after the merge). One prepared statement instead of three
// queries on the path of every logged contact.
const contactInsert = `INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id, occurred_at,
	neighbourhood_id, kind_id, note, version, created_at, updated_at)
	SELECT ?1, ?2, ?3, ?4, COALESCE((SELECT merged_into FROM residents WHERE id = ?5), ?5), ?6, ?7, ?8, ?9, ?10, ?11, ?12
	WHERE ?5 IS NULL OR EXISTS (SELECT 1 FROM residents WHERE id = ?5 AND organisation_id = ?2 AND erased_at IS NULL)
	ON CONFLICT (id) DO NOTHING`

const (
	contactOrganisation  = `SELECT organisation_id FROM contacts WHERE id = ?`
	contactTopicInsert   = `INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`
	contactOutcomeInsert = `INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`
)

func (c contacts) InsertContact(ctx context.Context, ct *cases.Contact) (cases.ContactInsert, error) {
	ids, err := c.ids(ct)
	if err != nil {
		return cases.ContactInsert{}, err
	}
	res, err := c.tx.execPrepared(contactInsert, ct.ID, ct.OrganisationID, ids.programme, ct.WorkerID,
		nullString(ct.ResidentID), cases.FormatTime(ct.OccurredAt), ids.hood, ids.kind, ct.Note,
		ct.Version, cases.FormatTime(ct.CreatedAt), cases.FormatTime(ct.UpdatedAt))
	if err != nil {
		return cases.ContactInsert{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return cases.ContactInsert{}, err
	} else if n == 0 {
		var owner int64
		err := c.tx.queryRowPrepared(contactOrganisation, ct.ID).Scan(&owner)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return cases.ContactInsert{}, err
		}
		return cases.ContactInsert{Owner: owner}, nil
	}
	c.tx.countsStale = true
	return cases.ContactInsert{Inserted: true}, c.writeLists(ct.ID, ids)
}

func (c contacts) writeLists(id string, ids contactIDs) error {
	for _, t := range ids.topics {
		if _, err := c.tx.execPrepared(contactTopicInsert, id, t); err != nil {
			return err
		}
	}
	for _, o := range ids.outcomes {
		if _, err := c.tx.execPrepared(contactOutcomeInsert, id, o); err != nil {
			return err
		}
	}
	return nil
}

const contactSelect = `SELECT c.rowid, c.id, c.organisation_id, c.programme_id, c.worker_id, u.username,
	COALESCE(c.resident_id, ''), c.occurred_at, c.neighbourhood_id, c.kind_id, c.note, c.version,
	c.created_at, c.updated_at, COALESCE(c.voided_at, ''), COALESCE(c.void_reason, ''),
	` + reachTopicKeys + `,
	COALESCE((SELECT string_agg(CAST(outcome_id AS TEXT), ',') FROM contact_outcomes WHERE contact_id = c.id), ''),
	cr.erased_at IS NOT NULL
	FROM contacts c JOIN users u ON u.id = c.worker_id LEFT JOIN residents cr ON cr.id = c.resident_id `

func (c contacts) scan(row scanner) (*cases.Contact, error) {
	var ct cases.Contact
	var programmeID, hoodID, kindID int64
	var occurred, created, updated, voided, topics, outcomes string
	err := row.Scan(&ct.Seq, &ct.ID, &ct.OrganisationID, &programmeID, &ct.WorkerID, &ct.Worker, &ct.ResidentID, &occurred,
		&hoodID, &kindID, &ct.Note, &ct.Version, &created, &updated, &voided, &ct.VoidReason, &topics, &outcomes,
		&ct.ResidentErased)
	if err != nil {
		return nil, err
	}
	idx := c.db.ref.index()
	ct.Programme = slugOf(idx.programmeSlug, programmeID)
	ct.Neighbourhood = slugOf(idx.neighbourhoodSlug, hoodID)
	ct.Kind = slugOf(idx.kindSlug, kindID)
	ct.Anonymous = ct.ResidentID == ""
	ct.Topics = slugList(topics, idx.topicSlug)
	ct.Outcomes = slugList(outcomes, idx.outcomeSlug)
	ct.OccurredAt, _ = cases.ParseTime(occurred)
	ct.CreatedAt, _ = cases.ParseTime(created)
	ct.UpdatedAt, _ = cases.ParseTime(updated)
	if voided != "" {
		t, _ := cases.ParseTime(voided)
		ct.VoidedAt = &t
	}
	return &ct, nil
}

// slugList maps "3,1" to the slugs of those IDs, sorted.
func slugList(ids string, slugs map[int64]string) []string {
	out := []string{}
	for _, id := range cases.ParseKeys(ids) {
		out = append(out, slugOf(slugs, id))
	}
	slices.Sort(out)
	return out
}

func (c contacts) Contact(ctx context.Context, orgID int64, id string) (*cases.Contact, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, cases.NotFound("contact")
	}
	ct, err := c.scan(c.q.QueryRowContext(ctx, contactSelect+`WHERE c.id = ? AND c.organisation_id = ?`,
		strings.ToLower(id), orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("contact")
	}
	return ct, err
}

func (c contacts) ContactHistory(ctx context.Context, id string) ([]cases.ContactVersion, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT snapshot FROM contact_versions WHERE contact_id = ? ORDER BY version DESC`, id)
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

// contactWhere is a ContactQuery as conditions, the cursor aside.
func (c contacts) contactWhere(q cases.ContactQuery) where {
	idx := c.db.ref.index()
	w := where{`c.organisation_id = ?`, []any{q.OrganisationID}}
	if q.ResidentID != "" {
		w = w.and(`c.resident_id = ?`, strings.ToLower(q.ResidentID))
	}
	if q.WorkerID != 0 {
		w = w.and(`c.worker_id = ?`, q.WorkerID)
	}
	if q.Programme != "" {
		w = w.and(`c.programme_id = ?`, idx.programmes[q.Programme])
	}
	if q.Neighbourhood != "" {
		w = w.and(`c.neighbourhood_id = ?`, idx.neighbourhoods[q.Neighbourhood])
	}
	if q.Kind != "" {
		w = w.and(`c.kind_id = ?`, idx.kinds[q.Kind])
	}
	if q.Topic != "" {
		w = w.and(`EXISTS (SELECT 1 FROM contact_topics t WHERE t.contact_id = c.id AND t.topic_id = ?)`, idx.topics[q.Topic])
	}
	if q.From != nil {
		w = w.and(`c.occurred_at >= ?`, cases.FormatTime(*q.From))
	}
	if q.To != nil {
		w = w.and(`c.occurred_at < ?`, cases.FormatTime(*q.To))
	}
	return w
}

// FindContacts reads a page newest first. The order (time, then row) is
// the one the indexes on (organisation, time), (resident, time) and
// (worker, time) hold, so a page after a cursor starts with a seek.
func (c contacts) FindContacts(ctx context.Context, q cases.ContactQuery) (*cases.ContactResult, error) {
	w := c.contactWhere(q)
	out := &cases.ContactResult{Contacts: []*cases.Contact{}}
	if err := c.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts c WHERE `+w.sql, w.args...).Scan(&out.Total); err != nil {
		return nil, err
	}
	if k := q.After; k != nil {
		at := cases.FormatTime(k.OccurredAt)
		w = w.and(`c.occurred_at <= ? AND (c.occurred_at < ? OR c.rowid < ?)`, at, at, k.Seq)
	}
	rows, err := c.q.QueryContext(ctx, contactSelect+`WHERE `+w.sql+` ORDER BY c.occurred_at DESC, c.rowid DESC LIMIT ?`,
		append(w.args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		ct, err := c.scan(rows)
		if err != nil {
			return nil, err
		}
		out.Contacts = append(out.Contacts, ct)
	}
	return out, rows.Err()
}

func (c contacts) CorrectContact(ctx context.Context, ct *cases.Contact, previous cases.ContactVersion) error {
	ids, err := c.ids(ct)
	if err != nil {
		return err
	}
	snapshot, err := json.Marshal(previous)
	if err != nil {
		return err
	}
	if _, err := c.q.ExecContext(ctx, `INSERT INTO contact_versions (contact_id, version, snapshot, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?)`, ct.ID, previous.Version, string(snapshot), previous.ChangedByID, cases.FormatTime(previous.ChangedAt)); err != nil {
		return err
	}
	if _, err := c.q.ExecContext(ctx, `UPDATE contacts SET programme_id = ?, occurred_at = ?, neighbourhood_id = ?, kind_id = ?,
		note = ?, version = ?, updated_at = ? WHERE id = ?`,
		ids.programme, cases.FormatTime(ct.OccurredAt), ids.hood, ids.kind, ct.Note, ct.Version,
		cases.FormatTime(ct.UpdatedAt), ct.ID); err != nil {
		return err
	}
	for _, table := range []string{"contact_topics", "contact_outcomes"} {
		if _, err := c.q.ExecContext(ctx, `DELETE FROM `+table+` WHERE contact_id = ?`, ct.ID); err != nil {
			return err
		}
	}
	c.tx.countsStale = true
	return c.writeLists(ct.ID, ids)
}

func (c contacts) VoidContact(ctx context.Context, ct *cases.Contact) error {
	c.tx.countsStale = true
	_, err := c.q.ExecContext(ctx, `UPDATE contacts SET voided_at = ?, voided_by = ?, void_reason = ?, updated_at = ? WHERE id = ?`,
		cases.FormatTime(*ct.VoidedAt), ct.VoidedBy, ct.VoidReason, cases.FormatTime(ct.UpdatedAt), ct.ID)
	return err
}

// itoa is for audit details and IDs in text.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// residents stores residents' records and the persons they link to. An
// erased record keeps its row (id, organisation, person) and nothing else;
// every read but ResidentOwner passes it by (live).
type residents struct{ conn }

const live = ` AND r.erased_at IS NULL`

const residentColumns = `r.rowid, r.id, r.organisation_id, r.person_id, r.given_name, r.family_name,
	COALESCE(r.birth_date, ''), COALESCE(r.birth_year, 0), r.phone, COALESCE(n.slug, ''),
	COALESCE(r.gender, ''), r.note, r.created_by, r.created_at, r.updated_at,
	COALESCE(r.merged_into, ''), COALESCE(r.merged_at, ''), COALESCE(r.own_ground, '')`

const residentFrom = ` FROM residents r LEFT JOIN neighbourhoods n ON n.id = r.neighbourhood_id `

func scanResident(row scanner, more ...any) (*cases.Resident, error) {
	var r cases.Resident
	var created, updated, merged string
	err := row.Scan(append([]any{&r.Seq, &r.ID, &r.OrganisationID, &r.PersonID, &r.GivenName, &r.FamilyName, &r.BirthDate,
		&r.BirthYear, &r.Phone, &r.Neighbourhood, &r.Gender, &r.Note, &r.CreatedBy, &created, &updated,
		&r.MergedInto, &merged, &r.OwnGround}, more...)...)
	if err != nil {
		return nil, err
	}
	r.CreatedAt, _ = cases.ParseTime(created)
	r.UpdatedAt, _ = cases.ParseTime(updated)
	r.MergedAt = optTime(merged)
	return &r, nil
}

// scanResidents reads every row of a residents query.
func scanResidents(rows *sql.Rows, err error) ([]*cases.Resident, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*cases.Resident{}
	for rows.Next() {
		res, err := scanResident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, rows.Err()
}

func (r residents) Resident(ctx context.Context, orgID int64, id string) (*cases.Resident, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, cases.NotFound("resident")
	}
	res, err := scanResident(r.q.QueryRowContext(ctx, `SELECT `+residentColumns+residentFrom+
		`WHERE r.id = ? AND r.organisation_id = ?`+live, strings.ToLower(id), orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("resident")
	}
	return res, err
}

func (r residents) ResidentOwner(ctx context.Context, id string) (int64, error) {
	var orgID int64
	err := r.q.QueryRowContext(ctx, `SELECT organisation_id FROM residents WHERE id = ?`, strings.ToLower(id)).Scan(&orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cases.NotFound("resident")
	}
	return orgID, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (r residents) ResidentNames(ctx context.Context, orgID int64, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	args := []any{orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT r.id, trim(r.given_name || ' ' || r.family_name) FROM residents r
		WHERE r.organisation_id = ?`+live+` AND r.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}

func (r residents) PersonByPseudonym(ctx context.Context, pseudonym string) (int64, error) {
	var id int64
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(merged_into, id) FROM persons WHERE pseudonym = ?`, pseudonym).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func (r residents) PersonFor(ctx context.Context, pseudonym string) (int64, error) {
	if pseudonym != "" {
		if id, err := r.PersonByPseudonym(ctx, pseudonym); id != 0 || err != nil {
			return id, err
		}
	}
	var id int64
	err := r.q.QueryRowContext(ctx, `INSERT INTO persons (pseudonym, created_at) VALUES (?, ?) RETURNING id`,
		nullString(pseudonym), cases.FormatTime(r.tx.now)).Scan(&id)
	return id, err
}

// hoodID resolves a neighbourhood slug ("" for none).
func (c conn) hoodID(slug string) (any, error) {
	if slug == "" {
		return nil, nil
	}
	id, ok := c.db.ref.index().neighbourhoods[slug]
	if !ok {
		return nil, cases.FieldInvalid("neighbourhood", "unknown", slug)
	}
	return id, nil
}

func (r residents) InsertResident(ctx context.Context, res *cases.Resident, search string) error {
	hood, err := r.hoodID(res.Neighbourhood)
	if err != nil {
		return err
	}
	r.tx.countsStale = true
	_, err = r.q.ExecContext(ctx, `INSERT INTO residents (id, organisation_id, person_id, given_name, family_name,
		birth_date, birth_year, phone, neighbourhood_id, gender, note, created_by, created_at, updated_at, search_text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		res.ID, res.OrganisationID, res.PersonID, res.GivenName, res.FamilyName, nullString(res.BirthDate),
		nullInt(int64(res.BirthYear)), res.Phone, hood, nullString(res.Gender), res.Note, res.CreatedBy,
		cases.FormatTime(res.CreatedAt), cases.FormatTime(res.UpdatedAt), search)
	return err
}

func (r residents) UpdateResident(ctx context.Context, res *cases.Resident, search string, previous cases.ResidentVersion) error {
	hood, err := r.hoodID(res.Neighbourhood)
	if err != nil {
		return err
	}
	snapshot, err := json.Marshal(previous.Record)
	if err != nil {
		return err
	}
	if _, err := r.q.ExecContext(ctx, `INSERT INTO resident_versions (resident_id, changed_at, changed_by, snapshot)
		VALUES (?, ?, ?, ?)`, res.ID, cases.FormatTime(previous.ChangedAt), previous.ChangedByID, string(snapshot)); err != nil {
		return err
	}
	r.tx.countsStale = true
	_, err = r.q.ExecContext(ctx, `UPDATE residents SET person_id = ?, given_name = ?, family_name = ?, birth_date = ?,
		birth_year = ?, phone = ?, neighbourhood_id = ?, gender = ?, note = ?, updated_at = ?, search_text = ?
		WHERE id = ? AND organisation_id = ? AND erased_at IS NULL`,
		res.PersonID, res.GivenName, res.FamilyName, nullString(res.BirthDate), nullInt(int64(res.BirthYear)),
		res.Phone, hood, nullString(res.Gender), res.Note, cases.FormatTime(res.UpdatedAt), search,
		res.ID, res.OrganisationID)
	return err
}

func (r residents) ResidentVersions(ctx context.Context, id string) ([]cases.ResidentVersion, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT v.changed_at, u.username, v.snapshot FROM resident_versions v
		JOIN users u ON u.id = v.changed_by WHERE v.resident_id = ? ORDER BY v.rowid DESC`, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.ResidentVersion{}
	for rows.Next() {
		var v cases.ResidentVersion
		var at, snapshot string
		if err := rows.Scan(&at, &v.ChangedBy, &snapshot); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(snapshot), &v.Record); err != nil {
			return nil, err
		}
		v.ChangedAt, _ = cases.ParseTime(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// erasures blank, in order, everything of record ?1 that holds personal
// data. The contacts stay, without their notes, so the person still counts;
// the person link and the reach facts stay for the same reason. Earlier
// versions go. Handovers keep their dates, states and consent (the proof
// that sharing was allowed), not their texts or the shared copy: all of it
// for a handover sent from the record, the copy and the receiver's own
// notes for one received into it.
var erasures = []string{
	`UPDATE residents SET given_name = '', family_name = '', birth_date = NULL, birth_year = NULL, phone = '',
		neighbourhood_id = NULL, gender = NULL, note = '', search_text = '', own_ground = NULL, erased_at = ?2,
		updated_at = ?2 WHERE id = ?1`,
	`DELETE FROM resident_versions WHERE resident_id = ?1`,
	`DELETE FROM contact_versions WHERE contact_id IN (SELECT id FROM contacts WHERE resident_id = ?1)`,
	`UPDATE contacts SET note = '', void_reason = CASE WHEN voided_at IS NULL THEN NULL ELSE '' END
		WHERE resident_id = ?1`,
	`UPDATE handovers SET question = '', preferred_way = '', preferred_time = '', shared_given_name = NULL,
		shared_family_name = NULL, shared_phone = NULL, shared_birth_date = NULL, shared_neighbourhood_id = NULL,
		shared_story = NULL, contact_note = NULL, completion_note = NULL, decline_note = NULL, withdraw_reason = NULL
		WHERE from_resident_id = ?1`,
	`UPDATE handover_consents SET withdrawal_note = NULL
		WHERE handover_id IN (SELECT id FROM handovers WHERE from_resident_id = ?1)`,
	`UPDATE handovers SET shared_given_name = NULL, shared_family_name = NULL, shared_phone = NULL,
		shared_birth_date = NULL, shared_neighbourhood_id = NULL, shared_story = NULL, contact_note = NULL,
		completion_note = NULL WHERE to_resident_id = ?1`,
}

func (r residents) EraseResident(ctx context.Context, id string, at time.Time) error {
	r.tx.erased = true
	args := []any{strings.ToLower(id), cases.FormatTime(at)}
	for _, stmt := range erasures {
		n := 1
		if strings.Contains(stmt, "?2") {
			n = 2
		}
		if _, err := r.q.ExecContext(ctx, stmt, args[:n]...); err != nil {
			return err
		}
	}
	return nil
}

func (r residents) SetOwnGround(ctx context.Context, id, ground string, at time.Time, by int64) error {
	_, err := r.q.ExecContext(ctx, `UPDATE residents SET own_ground = ?, own_ground_at = ?, own_ground_by = ?
		WHERE id = ? AND erased_at IS NULL`, ground, cases.FormatTime(at), by, strings.ToLower(id))
	return err
}

func (r residents) RetentionDue(ctx context.Context, orgID int64, before time.Time) ([]string, error) {
	t := cases.FormatTime(before)
	rows, err := r.q.QueryContext(ctx, `SELECT r.id FROM residents r
		WHERE r.organisation_id = ?1`+live+` AND r.updated_at < ?2
		AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.resident_id = r.id AND (c.occurred_at >= ?2 OR c.updated_at >= ?2))
		AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.from_resident_id = r.id AND h.updated_at >= ?2)
		AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.to_resident_id = r.id AND h.updated_at >= ?2)
		ORDER BY r.updated_at, r.id`, orgID, t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (r residents) HasPseudonyms(ctx context.Context) (bool, error) {
	var ok bool
	err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM persons WHERE pseudonym IS NOT NULL)`).Scan(&ok)
	return ok, err
}

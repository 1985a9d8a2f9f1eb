package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// residents stores residents' records and the persons they link to.
type residents struct{ conn }

const residentColumns = `r.rowid, r.id, r.organisation_id, r.person_id, r.given_name, r.family_name,
	COALESCE(r.birth_date, ''), COALESCE(r.birth_year, 0), r.phone, COALESCE(n.slug, ''),
	COALESCE(r.gender, ''), r.note, r.created_by, r.created_at, r.updated_at,
	COALESCE(r.merged_into, ''), COALESCE(r.merged_at, '')`

const residentFrom = ` FROM residents r LEFT JOIN neighbourhoods n ON n.id = r.neighbourhood_id `

func scanResident(row scanner, more ...any) (*cases.Resident, error) {
	var r cases.Resident
	var created, updated, merged string
	err := row.Scan(append([]any{&r.Seq, &r.ID, &r.OrganisationID, &r.PersonID, &r.GivenName, &r.FamilyName, &r.BirthDate,
		&r.BirthYear, &r.Phone, &r.Neighbourhood, &r.Gender, &r.Note, &r.CreatedBy, &created, &updated,
		&r.MergedInto, &merged}, more...)...)
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
		`WHERE r.id = ? AND r.organisation_id = ?`, strings.ToLower(id), orgID))
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
	rows, err := r.q.QueryContext(ctx, `SELECT id, trim(given_name || ' ' || family_name) FROM residents
		WHERE organisation_id = ? AND id IN (`+placeholders(len(ids))+`)`, args...)
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
	res, err := r.q.ExecContext(ctx, `INSERT INTO persons (pseudonym, created_at) VALUES (?, ?)`,
		nullString(pseudonym), cases.FormatTime(r.tx.now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
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

func (r residents) UpdateResident(ctx context.Context, res *cases.Resident, search string) error {
	hood, err := r.hoodID(res.Neighbourhood)
	if err != nil {
		return err
	}
	r.tx.countsStale = true
	_, err = r.q.ExecContext(ctx, `UPDATE residents SET person_id = ?, given_name = ?, family_name = ?, birth_date = ?,
		birth_year = ?, phone = ?, neighbourhood_id = ?, gender = ?, note = ?, updated_at = ?, search_text = ?
		WHERE id = ? AND organisation_id = ?`,
		res.PersonID, res.GivenName, res.FamilyName, nullString(res.BirthDate), nullInt(int64(res.BirthYear)),
		res.Phone, hood, nullString(res.Gender), res.Note, cases.FormatTime(res.UpdatedAt), search,
		res.ID, res.OrganisationID)
	return err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

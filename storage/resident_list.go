package storage

import (
	"context"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The residents list and the look-ups of duplicates and merges.

// lastContactSQL is when a record's latest contact that counts happened
// (contacts_resident is indexed on the resident and the time).
const lastContactSQL = `(SELECT MAX(c.occurred_at) FROM contacts c WHERE c.resident_id = r.id AND c.voided_at IS NULL)`

// residentWhere is a ResidentQuery as conditions, the cursor aside.
func (r residents) residentWhere(q cases.ResidentQuery) (where, error) {
	w := where{`r.organisation_id = ? AND r.merged_into IS NULL` + live, []any{q.OrganisationID}}
	for _, word := range q.Words {
		w = w.and(`r.search_text LIKE ? ESCAPE '\'`, "%"+escapeLike(word)+"%")
	}
	if q.Neighbourhood != "" {
		hood, err := r.hoodID(q.Neighbourhood)
		if err != nil {
			return w, err
		}
		w = w.and(`r.neighbourhood_id = ?`, hood)
	}
	if q.LastContactFrom != nil {
		w = w.and(lastContactSQL+` >= ?`, cases.FormatTime(*q.LastContactFrom))
	}
	if q.LastContactTo != nil {
		w = w.and(lastContactSQL+` < ?`, cases.FormatTime(*q.LastContactTo))
	}
	if q.NoContact {
		w = w.and(`NOT EXISTS (SELECT 1 FROM contacts c WHERE c.resident_id = r.id AND c.voided_at IS NULL)`)
	}
	return w, nil
}

func (r residents) FindResidents(ctx context.Context, q cases.ResidentQuery) (*cases.ResidentResult, error) {
	w, err := r.residentWhere(q)
	if err != nil {
		return nil, err
	}
	out := &cases.ResidentResult{}
	if err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM residents r WHERE `+w.sql, w.args...).Scan(&out.Total); err != nil {
		return nil, err
	}
	if k := q.After; k != nil {
		at := cases.FormatTime(k.UpdatedAt)
		w = w.and(`r.updated_at <= ? AND (r.updated_at < ? OR r.rowid < ?)`, at, at, k.Seq)
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+residentColumns+`, COALESCE(`+lastContactSQL+`, '')`+residentFrom+
		`WHERE `+w.sql+` ORDER BY r.updated_at DESC, r.rowid DESC LIMIT ?`, append(w.args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out.Residents = []*cases.Resident{}
	for rows.Next() {
		var last string
		res, err := scanResident(rows, &last)
		if err != nil {
			return nil, err
		}
		res.LastContactAt = optTime(last)
		out.Residents = append(out.Residents, res)
	}
	return out, rows.Err()
}

func (r residents) ResidentsOfPerson(ctx context.Context, orgID, personID int64) ([]*cases.Resident, error) {
	return scanResidents(r.q.QueryContext(ctx, `SELECT `+residentColumns+residentFrom+
		`WHERE r.organisation_id = ? AND r.person_id = ?`+live, orgID, personID))
}

func (r residents) ResidentsBornIn(ctx context.Context, orgID int64, year int) ([]*cases.Resident, error) {
	return scanResidents(r.q.QueryContext(ctx, `SELECT `+residentColumns+residentFrom+
		`WHERE r.organisation_id = ? AND r.birth_year = ?`+live, orgID, year))
}

func (r residents) MergedInto(ctx context.Context, orgID int64, id string) ([]*cases.Resident, error) {
	return scanResidents(r.q.QueryContext(ctx, `SELECT `+residentColumns+residentFrom+
		`WHERE r.organisation_id = ? AND r.merged_into = ?`+live+` ORDER BY r.merged_at DESC`, orgID, id))
}

// MergeResident moves from's contacts and handovers to into. The reach
// triggers mark the contacts moved, so the counters follow in this
// transaction.
func (r residents) MergeResident(ctx context.Context, from, into *cases.Resident, m cases.Merge) (cases.MergeCounts, error) {
	var n cases.MergeCounts
	res, err := r.q.ExecContext(ctx, `UPDATE contacts SET resident_id = ? WHERE resident_id = ?`, into.ID, from.ID)
	if err != nil {
		return n, err
	}
	contacts, _ := res.RowsAffected()
	var handovers int64
	for _, col := range []string{"from_resident_id", "to_resident_id"} {
		res, err := r.q.ExecContext(ctx, `UPDATE handovers SET `+col+` = ? WHERE `+col+` = ?`, into.ID, from.ID)
		if err != nil {
			return n, err
		}
		moved, _ := res.RowsAffected()
		handovers += moved
	}
	// Records merged into from before now point at into: one step away.
	at := cases.FormatTime(m.At)
	if _, err := r.q.ExecContext(ctx, `UPDATE residents SET merged_into = ? WHERE merged_into = ?`, into.ID, from.ID); err != nil {
		return n, err
	}
	if _, err := r.q.ExecContext(ctx, `UPDATE residents SET merged_into = ?, merged_at = ?, merged_by = ? WHERE id = ?`,
		into.ID, at, m.By, from.ID); err != nil {
		return n, err
	}
	r.tx.countsStale = true
	return cases.MergeCounts{Contacts: int(contacts), Handovers: int(handovers)}, nil
}

// MergePerson relinks every record of person from, of any organisation, to
// person into (the reach triggers mark both persons), and lets from's
// pseudonym, and those that already led to from, lead to into.
func (r residents) MergePerson(ctx context.Context, from, into int64) error {
	if _, err := r.q.ExecContext(ctx, `UPDATE residents SET person_id = ? WHERE person_id = ?`, into, from); err != nil {
		return err
	}
	if _, err := r.q.ExecContext(ctx, `UPDATE persons SET merged_into = ? WHERE id = ? OR merged_into = ?`, into, from, from); err != nil {
		return err
	}
	r.tx.countsStale = true
	return nil
}

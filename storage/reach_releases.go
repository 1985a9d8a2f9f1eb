package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// Releases of reach figures (migration 00014): drafts, published versions
// and discarded drafts, with their tables as served and their internal
// records. Triggers keep published and discarded ones frozen.

const releaseColumns = `r.id, r.period, r.version, r.status, r.origin, COALESCE(r.parent_id, 0), r.created_at,
	COALESCE(r.created_by, 0), COALESCE(c.username, ''), COALESCE(r.published_at, ''), COALESCE(r.published_by, 0),
	COALESCE(p.username, ''), COALESCE(r.discarded_at, ''), COALESCE(r.discarded_by, 0), COALESCE(d.username, ''),
	r.threshold, r.rounding_base
	FROM reach_releases r LEFT JOIN users c ON c.id = r.created_by LEFT JOIN users p ON p.id = r.published_by
	LEFT JOIN users d ON d.id = r.discarded_by `

func scanRelease(row scanner) (cases.StoredRelease, error) {
	var r cases.StoredRelease
	var created, published, discarded string
	if err := row.Scan(&r.ID, &r.Period, &r.Version, &r.Status, &r.Origin, &r.ParentID, &created, &r.CreatedByID,
		&r.CreatedBy, &published, &r.PublishedByID, &r.PublishedBy, &discarded, &r.DiscardedByID, &r.DiscardedBy,
		&r.Rules.Threshold, &r.Rules.RoundingBase); err != nil {
		return r, err
	}
	r.CreatedAt, _ = cases.ParseTime(created)
	r.PublishedAt, r.DiscardedAt = optTime(published), optTime(discarded)
	r.Tables = cases.TablesOf(r.Origin)
	return r, nil
}

func (r reach) Releases(ctx context.Context, year int) ([]cases.StoredRelease, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+releaseColumns+`WHERE r.year = ? ORDER BY r.id`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.StoredRelease
	for rows.Next() {
		rel, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, rows.Err()
}

func (r reach) Publications(ctx context.Context) ([]cases.ReachPublication, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+releaseColumns+`WHERE r.status = 'published'
		ORDER BY r.published_at DESC, r.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.ReachPublication{}
	for rows.Next() {
		rel, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rel.Publication())
	}
	return out, rows.Err()
}

func (r reach) ReleaseTables(ctx context.Context, id int64) (map[string]*cases.ReachTable, error) {
	var data string
	err := r.q.QueryRowContext(ctx, `SELECT tables FROM reach_releases WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("reach_version")
	} else if err != nil {
		return nil, err
	}
	tables := map[string]*cases.ReachTable{}
	if err := json.Unmarshal([]byte(data), &tables); err != nil {
		return nil, fmt.Errorf("reach release %d: %w", id, err)
	}
	return tables, nil
}

func (r reach) ReleaseRecords(ctx context.Context, year int) ([]cases.ReleaseRecord, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT period, version, origin, created_at, record FROM reach_releases
		WHERE year = ? AND origin <> 'columns' ORDER BY id`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.ReleaseRecord
	for rows.Next() {
		var period, origin, at, data string
		var version int
		if err := rows.Scan(&period, &version, &origin, &at, &data); err != nil {
			return nil, err
		}
		var rec cases.ReleaseRecord
		var err error
		if origin == cases.OriginLegacy {
			rec, err = legacyRecord(period, at, data)
		} else {
			err = json.Unmarshal([]byte(data), &rec)
		}
		if err != nil {
			return nil, fmt.Errorf("reach release %s v%d: %w", period, version, err)
		}
		rec.Version = version
		out = append(out, rec)
	}
	return out, rows.Err()
}

func (r reach) NextVersion(ctx context.Context, p cases.Period) (int, error) {
	var version int
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM reach_releases WHERE period = ?`,
		p.String()).Scan(&version)
	return version, err
}

func (r reach) InsertRelease(ctx context.Context, rel *cases.StoredRelease, tables map[string]*cases.ReachTable,
	record *cases.ReleaseRecord) (int64, error) {
	p, err := cases.ParsePeriod(rel.Period)
	if err != nil {
		return 0, err
	}
	tablesJSON, err := json.Marshal(tables)
	if err != nil {
		return 0, err
	}
	recordJSON := []byte{}
	if record != nil {
		if recordJSON, err = json.Marshal(record); err != nil {
			return 0, err
		}
	}
	var published any
	if rel.PublishedAt != nil {
		published = cases.FormatTime(*rel.PublishedAt)
	}
	var id int64
	err = r.q.QueryRowContext(ctx, `INSERT INTO reach_releases (period, year, version, status, origin, parent_id,
		created_at, created_by, published_at, published_by, threshold, rounding_base, tables, record)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		rel.Period, p.Year, rel.Version, rel.Status, rel.Origin, nullInt(rel.ParentID), cases.FormatTime(rel.CreatedAt),
		nullInt(rel.CreatedByID), published, nullInt(rel.PublishedByID), rel.Rules.Threshold, rel.Rules.RoundingBase,
		string(tablesJSON), string(recordJSON)).Scan(&id)
	return id, err
}

func (r reach) SetReleaseStatus(ctx context.Context, id int64, status string, at time.Time, by int64) error {
	column := map[string]string{cases.ReleasePublished: "published", cases.ReleaseDiscarded: "discarded"}[status]
	if column == "" {
		return fmt.Errorf("reach release %d: cannot become %q", id, status)
	}
	res, err := r.q.ExecContext(ctx, `UPDATE reach_releases SET status = ?, `+column+`_at = ?, `+column+`_by = ?
		WHERE id = ? AND status = 'draft'`, status, cases.FormatTime(at), nullInt(by), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return cases.Errorf(cases.ECONFLICT, "reach_draft_gone")
	}
	return nil
}

// legacyRecord turns the figures a version published before releases
// existed kept (its own period's counts and cells) into a record that
// holds that period only.
func legacyRecord(period, at, data string) (cases.ReleaseRecord, error) {
	var sf struct {
		Cells []struct {
			cases.CellKey
			N      int `json:"n"`
			Status int `json:"s"`
			Value  int `json:"v,omitempty"`
		} `json:"cells"`
		Withheld []cases.CellKey `json:"withheld,omitempty"`
	}
	if err := json.Unmarshal([]byte(data), &sf); err != nil {
		return cases.ReleaseRecord{}, err
	}
	rec := cases.ReleaseRecord{Period: period, Periods: []string{period}}
	rec.At, _ = cases.ParseTime(at)
	for _, c := range sf.Cells {
		if c.N != 0 {
			rec.Counts = append(rec.Counts, cases.RecordedCount{Period: period, CellKey: c.CellKey, N: c.N})
		}
		rec.Cells = append(rec.Cells, cases.RecordedCell{Period: period, CellKey: c.CellKey,
			Status: disclosure.Status(c.Status), Value: c.Value})
	}
	for _, k := range sf.Withheld {
		rec.Cells = append(rec.Cells, cases.RecordedCell{Period: period, CellKey: k, Withheld: true})
	}
	slices.SortFunc(rec.Cells, func(a, b cases.RecordedCell) int { return compareCellKeys(a.CellKey, b.CellKey) })
	return rec, nil
}

func compareCellKeys(a, b cases.CellKey) int {
	return cmp.Or(cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col))
}

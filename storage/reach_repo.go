package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// reach reads the counters kept by reach.go and stores publications.
type reach struct{ conn }

func (r reach) ReachProgrammes(ctx context.Context) ([]cases.ReachProgramme, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT p.slug, p.name, o.slug, p.active
		FROM programmes p JOIN organisations o ON o.id = p.organisation_id ORDER BY p.name, p.slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.ReachProgramme
	for rows.Next() {
		var p cases.ReachProgramme
		if err := rows.Scan(&p.Key, &p.NameNL, &p.Organisation, &p.Active); err != nil {
			return nil, err
		}
		p.NameEN = p.NameNL
		out = append(out, p)
	}
	return out, rows.Err()
}

func (r reach) ReachCounts(ctx context.Context, periods []cases.Period) (map[cases.Period]cases.ReachCounts, error) {
	programmes := map[int64]string{}
	prow, err := r.q.QueryContext(ctx, `SELECT id, slug FROM programmes`)
	if err != nil {
		return nil, err
	}
	for prow.Next() {
		var id int64
		var slug string
		if err := prow.Scan(&id, &slug); err != nil {
			prow.Close()
			return nil, err
		}
		programmes[id] = slug
	}
	prow.Close()
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p.String()
	}
	rows, err := r.q.QueryContext(ctx, `SELECT period, programme_id, measure, key, n FROM reach_counts
		WHERE period IN (`+placeholders(len(periods))+`) AND n <> 0`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counters := map[cases.CounterKey]int{}
	for rows.Next() {
		var k cases.CounterKey
		var n int
		if err := rows.Scan(&k.Period, &k.Programme, &k.Measure, &k.Key, &n); err != nil {
			return nil, err
		}
		counters[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	idx := r.db.ref.index()
	return cases.CountsOf(counters, periods, cases.CounterNames{
		Programme: func(id int64) (string, bool) { slug, ok := programmes[id]; return slug, ok },
		Hood:      func(id int64) string { return slugOf(idx.neighbourhoodSlug, id) },
		Topic:     func(id int64) string { return slugOf(idx.topicSlug, id) },
	}), nil
}

func (r reach) HandoverFlows(ctx context.Context, from, to time.Time) ([]cases.HandoverFlowRecord, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT f.slug, f.name, t.slug, t.name, h.requested_at,
		COALESCE(h.accepted_at, ''), COALESCE(h.contacted_at, ''), COALESCE(h.contact_at, h.contacted_at, ''),
		COALESCE(h.completed_at, ''), COALESCE(h.declined_at, '')
		FROM handovers h JOIN organisations f ON f.id = h.from_org_id JOIN organisations t ON t.id = h.to_org_id
		WHERE h.requested_at >= ? AND h.requested_at < ? ORDER BY f.name, t.name`,
		cases.FormatTime(from), cases.FormatTime(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.HandoverFlowRecord
	for rows.Next() {
		var f cases.HandoverFlowRecord
		var requested, accepted, contacted, first, completed, declined string
		if err := rows.Scan(&f.From, &f.FromName, &f.To, &f.ToName, &requested, &accepted, &contacted, &first,
			&completed, &declined); err != nil {
			return nil, err
		}
		sent, err := cases.ParseTime(requested)
		if err != nil {
			continue
		}
		f.RequestedAt = sent
		f.AcceptedAt, f.ContactedAt, f.FirstContactAt = optTime(accepted), optTime(contacted), optTime(first)
		f.CompletedAt, f.DeclinedAt = optTime(completed), optTime(declined)
		out = append(out, f)
	}
	return out, rows.Err()
}

func (r reach) ReachPending(ctx context.Context) (bool, error) {
	var pending bool
	err := r.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reach_dirty_contacts)
		OR EXISTS (SELECT 1 FROM reach_dirty_persons)`).Scan(&pending)
	return pending, err
}

func (r reach) RefreshReach(context.Context) error { return r.tx.refreshReachAll() }
func (r reach) RebuildReach(context.Context) error { return r.tx.rebuildReach() }

func (r reach) Publications(ctx context.Context) ([]cases.ReachPublication, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT p.period, p.version, p.published_at, COALESCE(u.username, ''),
		p.threshold, p.rounding_base FROM reach_publications p LEFT JOIN users u ON u.id = p.published_by
		ORDER BY p.published_at DESC, p.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.ReachPublication{}
	for rows.Next() {
		var p cases.ReachPublication
		var at string
		if err := rows.Scan(&p.Period, &p.Version, &at, &p.PublishedBy, &p.Rules.Threshold, &p.Rules.RoundingBase); err != nil {
			return nil, err
		}
		p.PublishedAt, _ = cases.ParseTime(at)
		p.Tables = slices.Clone(cases.ReachTables)
		out = append(out, p)
	}
	return out, rows.Err()
}

const publicationColumns = `p.period, p.version, p.published_at, COALESCE(u.username, ''), p.threshold,
	p.rounding_base, p.tables, p.figures FROM reach_publications p LEFT JOIN users u ON u.id = p.published_by `

func scanPublication(row scanner) (*cases.StoredPublication, error) {
	var pub cases.StoredPublication
	var at, tables, figures string
	if err := row.Scan(&pub.Period, &pub.Version, &at, &pub.PublishedBy, &pub.Rules.Threshold, &pub.Rules.RoundingBase,
		&tables, &figures); err != nil {
		return nil, err
	}
	p, err := cases.ParsePeriod(pub.Period)
	if err != nil {
		return nil, err
	}
	pub.PublishedAt, _ = cases.ParseTime(at)
	pub.ReachPublication.Tables = slices.Clone(cases.ReachTables)
	if err := json.Unmarshal([]byte(tables), &pub.Tables); err != nil {
		return nil, err
	}
	if pub.Figures, err = decodeFigures(p, figures); err != nil {
		return nil, err
	}
	return &pub, nil
}

func (r reach) Publication(ctx context.Context, p cases.Period, version int) (*cases.StoredPublication, error) {
	query := `SELECT ` + publicationColumns + `WHERE p.period = ? ORDER BY p.version DESC LIMIT 1`
	args := []any{p.String()}
	if version != 0 {
		query = `SELECT ` + publicationColumns + `WHERE p.period = ? AND p.version = ?`
		args = append(args, version)
	}
	pub, err := scanPublication(r.q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("reach_version")
	}
	return pub, err
}

func (r reach) NewestPublications(ctx context.Context, periods []cases.Period) (map[cases.Period]*cases.StoredPublication, error) {
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p.String()
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+publicationColumns+`WHERE p.period IN (`+placeholders(len(periods))+`)
		AND p.version = (SELECT MAX(version) FROM reach_publications WHERE period = p.period)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[cases.Period]*cases.StoredPublication{}
	for rows.Next() {
		pub, err := scanPublication(rows)
		if err != nil {
			return nil, err
		}
		out[pub.Figures.Period] = pub
	}
	return out, rows.Err()
}

func (r reach) NextVersion(ctx context.Context, p cases.Period) (int, error) {
	var version int
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM reach_publications WHERE period = ?`,
		p.String()).Scan(&version)
	return version, err
}

func (r reach) InsertPublication(ctx context.Context, pub *cases.StoredPublication, by int64) error {
	tables, err := json.Marshal(pub.Tables)
	if err != nil {
		return err
	}
	figures, err := encodeFigures(pub.Figures)
	if err != nil {
		return err
	}
	_, err = r.q.ExecContext(ctx, `INSERT INTO reach_publications (period, version, published_at, published_by,
		threshold, rounding_base, tables, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		pub.Period, pub.Version, cases.FormatTime(pub.PublishedAt), nullInt(by), pub.Rules.Threshold,
		pub.Rules.RoundingBase, string(tables), string(figures))
	return err
}

// storedCell is one cell of a published period's figures: internal count
// and how it was published. Stored for later differencing, never served.
type storedCell struct {
	cases.CellKey
	N      int `json:"n"`
	Status int `json:"s"`
	Value  int `json:"v,omitempty"`
}

type storedFigures struct {
	Layout   cases.ReachLayout `json:"layout"`
	Cells    []storedCell      `json:"cells"`
	Withheld []cases.CellKey   `json:"withheld,omitempty"`
}

func encodeFigures(m *cases.PeriodFigures) ([]byte, error) {
	sf := storedFigures{Layout: m.Layout}
	for k, c := range m.Cells {
		sf.Cells = append(sf.Cells, storedCell{CellKey: k, N: m.Counts[k], Status: int(c.Status), Value: c.Value})
	}
	slices.SortFunc(sf.Cells, func(a, b storedCell) int { return compareCellKeys(a.CellKey, b.CellKey) })
	for k, w := range m.Withheld {
		if w {
			sf.Withheld = append(sf.Withheld, k)
		}
	}
	slices.SortFunc(sf.Withheld, compareCellKeys)
	return json.Marshal(sf)
}

func decodeFigures(p cases.Period, data string) (*cases.PeriodFigures, error) {
	var sf storedFigures
	if err := json.Unmarshal([]byte(data), &sf); err != nil {
		return nil, err
	}
	m := &cases.PeriodFigures{Period: p, Layout: sf.Layout, Frozen: true, Counts: cases.ReachCounts{},
		Cells: map[cases.CellKey]disclosure.PublishedCell{}, Withheld: map[cases.CellKey]bool{}}
	for _, c := range sf.Cells {
		m.Counts[c.CellKey] = c.N
		m.Cells[c.CellKey] = disclosure.PublishedCell{Status: disclosure.Status(c.Status), Value: c.Value}
	}
	for _, k := range sf.Withheld {
		m.Withheld[k] = true
	}
	return m, nil
}

func compareCellKeys(a, b cases.CellKey) int {
	return cmp.Or(cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col))
}

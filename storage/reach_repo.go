package storage

import (
	"context"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// reach reads the counters kept by reach.go; its releases are in
// reach_releases.go.
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

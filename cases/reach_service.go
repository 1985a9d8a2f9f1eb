package cases

import (
	"context"
	"sync"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// ReachService serves reach tables and prepares, publishes and discards
// releases (reach_release_service.go). Published and draft tables are read
// as stored: nothing is protected while a table is read.
type ReachService struct {
	store Store
	// Rules are the disclosure rules of new releases and live figures.
	Rules disclosure.Rules
	// OnCache, when set, hears whether a release's tables came from memory
	// (metrics).
	OnCache func(hit bool)

	mu     sync.Mutex
	tables map[int64]map[string]*ReachTable // by release ID; releases never change
	memo   workdayMemo
}

// tableCacheSize caps the releases whose tables are kept decoded.
const tableCacheSize = 64

// NewReachService returns the service with the default rules.
func NewReachService(store Store) *ReachService {
	return &ReachService{store: store, Rules: disclosure.DefaultRules()}
}

// ForgetTables drops the release tables kept in memory, so the next read
// decodes them from storage (benchmarks).
func (s *ReachService) ForgetTables() {
	s.mu.Lock()
	s.tables = nil
	s.mu.Unlock()
}

// Refresh folds pending changes into the counters: changes made outside
// the use cases that keep them (a bulk load, an older version's data).
func (s *ReachService) Refresh(ctx context.Context) error {
	pending, err := s.store.View(ctx).Reach().ReachPending(ctx)
	if err != nil || !pending {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error { return tx.Reach().RefreshReach(ctx) })
}

// Rebuild recomputes all counters from the contacts.
func (s *ReachService) Rebuild(ctx context.Context) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error { return tx.Reach().RebuildReach(ctx) })
}

// MsgLiveCoordinators refuses live figures to anyone but a coordinator.
const MsgLiveCoordinators = "reach_live_coordinators"

// Table answers one table: a stored release, or a coordinator's live
// figures. Without a version it is the newest published version holding
// the table; failing that, programme staff get the newest draft (made when
// there is none), a coordinator the live figures, a monitor token nothing.
// Only programme staff read drafts.
func (s *ReachService) Table(ctx context.Context, viewer ReachViewer, q ReachQuery) (*ReachTable, error) {
	if !IsReachTable(q.Table) {
		return nil, FieldInvalid("table", "reach_table", q.Table)
	}
	if q.Live {
		if !viewer.Coordinator {
			return nil, Errorf(EFORBIDDEN, MsgLiveCoordinators)
		}
		return s.live(ctx, viewer, q)
	}
	all, err := s.store.View(ctx).Reach().Releases(ctx, q.Period.Year)
	if err != nil {
		return nil, err
	}
	list := releasesOf(all, q.Period)
	if q.Version != 0 {
		for _, r := range list {
			if r.Version != q.Version || (r.Status != ReleasePublished && !viewer.Staff) {
				continue
			}
			if !r.Has(q.Table) {
				return nil, NotFound("reach_table")
			}
			return s.serve(ctx, viewer, r, q.Table)
		}
		return nil, NotFound("reach_version")
	}
	if r, ok := newest(list, ReleasePublished, q.Table); ok {
		return s.serve(ctx, viewer, r, q.Table)
	}
	switch {
	case viewer.Staff:
		r, ok := newest(list, ReleaseDraft, q.Table)
		if !ok {
			if r, err = s.makeDraft(ctx, viewer.Actor, q.Period); err != nil {
				return nil, err
			}
		}
		return s.serve(ctx, viewer, r, q.Table)
	case viewer.Coordinator:
		return s.live(ctx, viewer, q)
	}
	return nil, Errorf(ENOTFOUND, "reach_not_published")
}

// serve reads table id of release r as viewer may see it.
func (s *ReachService) serve(ctx context.Context, viewer ReachViewer, r StoredRelease, id string) (*ReachTable, error) {
	tables, err := s.releaseTables(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	stored, ok := tables[id]
	if !ok {
		return nil, NotFound("reach_table")
	}
	t := *stored
	t.Status, t.Version, t.PublishedAt = r.Status, r.Version, r.PublishedAt
	return t.FilterRows(viewer), nil
}

// releaseTables reads a release's tables, kept decoded in memory: a
// release's tables never change.
func (s *ReachService) releaseTables(ctx context.Context, id int64) (map[string]*ReachTable, error) {
	s.mu.Lock()
	tables, hit := s.tables[id]
	s.mu.Unlock()
	if s.OnCache != nil {
		s.OnCache(hit)
	}
	if hit {
		return tables, nil
	}
	tables, err := s.store.View(ctx).Reach().ReleaseTables(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.tables == nil || len(s.tables) >= tableCacheSize {
		s.tables = map[int64]map[string]*ReachTable{}
	}
	s.tables[id] = tables
	s.mu.Unlock()
	return tables, nil
}

// live builds a coordinator's live table of their own organisation's
// programmes (LiveFigures: no complementary suppression, see there).
func (s *ReachService) live(ctx context.Context, viewer ReachViewer, q ReachQuery) (*ReachTable, error) {
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	in, err := s.inputs(ctx, s.store.View(ctx), q.Period, q.Table == TableHandoverFlow)
	if err != nil {
		return nil, err
	}
	family := LiveFigures(s.Rules, in.layout, q.Period, in.counts, in.medians)
	t, err := BuildReachTable(q.Table, q.Period, family, s.Rules, s.store.Now())
	if err != nil {
		return nil, err
	}
	return t.FilterRows(ReachViewer{Organisation: viewer.Organisation}), nil
}

// reachInputs are what figures of a year are computed from.
type reachInputs struct {
	layout  ReachLayout
	counts  map[Period]ReachCounts
	medians map[Period]map[CellKey]float64
}

// inputs reads the layout and the counts of every period of p's year, with
// the handovers when flows is set.
func (s *ReachService) inputs(ctx context.Context, v View, p Period, flows bool) (reachInputs, error) {
	var in reachInputs
	var err error
	if in.layout, err = s.layout(ctx, v); err != nil {
		return in, err
	}
	year := Period{Year: p.Year, Kind: Year}
	if in.counts, err = v.Reach().ReachCounts(ctx, year.Family()); err != nil {
		return in, err
	}
	if flows {
		records, err := v.Reach().HandoverFlows(ctx, year.Start(), year.End())
		if err != nil {
			return in, err
		}
		in.layout.Flows, in.medians = handoverCounts(records, in.counts, s.memo.between)
	}
	return in, nil
}

// layout is the rows and columns from the reference data: active
// programmes (inactive ones join when they have counts), neighbourhoods and
// topics in their order.
func (s *ReachService) layout(ctx context.Context, v View) (ReachLayout, error) {
	var l ReachLayout
	programmes, err := v.Reach().ReachProgrammes(ctx)
	if err != nil {
		return l, err
	}
	for _, p := range programmes {
		if p.Active {
			l.Programmes = append(l.Programmes, p.ProgrammeLabel)
		}
	}
	ref, err := v.Reference(ctx)
	if err != nil {
		return l, err
	}
	for _, t := range ref.Neighbourhoods {
		l.Neighbourhoods = append(l.Neighbourhoods, Label{Key: t.Slug, NameNL: t.NameNL, NameEN: t.NameEN})
	}
	for _, t := range ref.Topics {
		l.Topics = append(l.Topics, Label{Key: t.Slug, NameNL: t.NameNL, NameEN: t.NameEN})
	}
	return l, nil
}

// Published lists the published versions, newest first.
func (s *ReachService) Published(ctx context.Context) ([]ReachPublication, error) {
	return s.store.View(ctx).Reach().Publications(ctx)
}

// Releases lists the releases of period p that viewer may read, newest
// first: programme staff every draft and version, others the published
// versions.
func (s *ReachService) Releases(ctx context.Context, viewer ReachViewer, p Period) ([]ReachRelease, error) {
	all, err := s.store.View(ctx).Reach().Releases(ctx, p.Year)
	if err != nil {
		return nil, err
	}
	out := []ReachRelease{}
	for _, r := range releasesOf(all, p) {
		if viewer.Staff || r.Status == ReleasePublished {
			out = append(out, r.ReachRelease)
		}
	}
	return out, nil
}

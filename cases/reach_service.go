package cases

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// ReachService computes, publishes and serves reach tables.
type ReachService struct {
	store Store
	// Rules are the disclosure rules of new publications and live figures.
	Rules disclosure.Rules
	// OnCache, when set, hears whether a family's protection came from the
	// cache (metrics).
	OnCache func(hit bool)

	// cache keeps the last protected family per year: protection is the
	// costly part of a table, and a monitor pulls several tables of the
	// same figures in a row. It is keyed by everything protection reads.
	mu    sync.Mutex
	cache map[int]familyCache
	memo  workdayMemo
}

type familyCache struct {
	key    [sha256.Size]byte
	family map[Period]*PeriodFigures
}

// NewReachService returns the service with the default rules.
func NewReachService(store Store) *ReachService {
	return &ReachService{store: store, Rules: disclosure.DefaultRules()}
}

// ForgetCache drops the protected figures kept in memory, so the next table
// is computed from scratch (benchmarks).
func (s *ReachService) ForgetCache() {
	s.mu.Lock()
	s.cache = nil
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

// Table answers one table: a published version, or the live figures.
func (s *ReachService) Table(ctx context.Context, viewer ReachViewer, q ReachQuery) (*ReachTable, error) {
	if !IsReachTable(q.Table) {
		return nil, FieldInvalid("table", "reach_table", q.Table)
	}
	if !q.Live {
		pub, err := s.store.View(ctx).Reach().Publication(ctx, q.Period, q.Version)
		switch {
		case err == nil:
			t, ok := pub.Tables[q.Table]
			if !ok {
				return nil, NotFound("reach_table")
			}
			return t.FilterRows(viewer), nil
		case ErrorCode(err) != ENOTFOUND:
			return nil, err
		case q.Version != 0:
			return nil, NotFound("reach_version")
		}
	}
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	family, err := s.family(ctx, q.Period)
	if err != nil {
		return nil, err
	}
	t, err := BuildReachTable(q.Table, q.Period, family, s.Rules, s.store.Now())
	if err != nil {
		return nil, err
	}
	return t.FilterRows(viewer), nil
}

// Figures returns the protected figures of the year of p, with p live. For
// tests and benchmarks; the counts are internal.
func (s *ReachService) Figures(ctx context.Context, p Period) (map[Period]*PeriodFigures, error) {
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	return s.family(ctx, p)
}

// family loads and protects the periods of p's year: published periods as
// frozen at their newest version, p and the others live, all protected from
// the year down (ProtectFamily).
func (s *ReachService) family(ctx context.Context, p Period) (map[Period]*PeriodFigures, error) {
	v := s.store.View(ctx)
	periods := p.Family()
	layout, err := s.layout(ctx, v)
	if err != nil {
		return nil, err
	}
	counts, err := v.Reach().ReachCounts(ctx, periods)
	if err != nil {
		return nil, err
	}
	flows, err := v.Reach().HandoverFlows(ctx, Period{Year: p.Year, Kind: Year}.Start(), Period{Year: p.Year, Kind: Year}.End())
	if err != nil {
		return nil, err
	}
	var medians map[Period]map[CellKey]float64
	layout.Flows, medians = handoverCounts(flows, counts, s.memo.between)
	frozen, err := v.Reach().NewestPublications(ctx, periods)
	if err != nil {
		return nil, err
	}
	// The cache key: rules, layout and, per period, its live counts or the
	// version it is frozen at.
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.Encode(s.Rules)
	enc.Encode(layout)
	out := map[Period]*PeriodFigures{}
	members := make([]*PeriodFigures, 0, len(periods))
	for _, period := range periods {
		m := &PeriodFigures{Period: period, Counts: counts[period], Medians: medians[period]}
		if pub, ok := frozen[period]; ok && period != p {
			m = pub.Figures
			enc.Encode([]string{period.String(), "v" + strconv.Itoa(pub.Version)})
		} else {
			enc.Encode([]any{period.String(), sortedCounts(m.Counts), sortedMedians(m.Medians)})
		}
		out[period] = m
		members = append(members, m)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	s.mu.Lock()
	cached, ok := s.cache[p.Year]
	s.mu.Unlock()
	hit := ok && cached.key == key
	if s.OnCache != nil {
		s.OnCache(hit)
	}
	if hit {
		return cached.family, nil
	}
	if err := ProtectFamily(s.Rules, layout, members); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[int]familyCache{}
	}
	s.cache[p.Year] = familyCache{key: key, family: out}
	s.mu.Unlock()
	return out, nil
}

type keyedCount struct {
	CellKey
	N int `json:"n"`
}

func sortedCounts(c ReachCounts) []keyedCount {
	out := make([]keyedCount, 0, len(c))
	for k, n := range c {
		out = append(out, keyedCount{k, n})
	}
	slices.SortFunc(out, func(a, b keyedCount) int { return compareKeys(a.CellKey, b.CellKey) })
	return out
}

type keyedMedian struct {
	CellKey
	V float64 `json:"v"`
}

func sortedMedians(m map[CellKey]float64) []keyedMedian {
	out := make([]keyedMedian, 0, len(m))
	for k, v := range m {
		out = append(out, keyedMedian{k, v})
	}
	slices.SortFunc(out, func(a, b keyedMedian) int { return compareKeys(a.CellKey, b.CellKey) })
	return out
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

// Publish freezes every table of period as a new version. Earlier versions
// are kept; later corrections of contacts change only live figures.
func (s *ReachService) Publish(ctx context.Context, actor Actor, period Period) (*ReachPublication, error) {
	var out *ReachPublication
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.Reach().RefreshReach(ctx); err != nil {
			return err
		}
		family, err := s.family(ctx, period)
		if err != nil {
			return err
		}
		now := tx.Now()
		version, err := tx.Reach().NextVersion(ctx, period)
		if err != nil {
			return err
		}
		pub := &StoredPublication{Tables: map[string]*ReachTable{}, Figures: family[period],
			ReachPublication: ReachPublication{Period: period.String(), Version: version, PublishedAt: now, PublishedBy: actor.Username,
				Tables: slices.Clone(ReachTables), Rules: ReachRules{Threshold: s.Rules.Threshold, RoundingBase: s.Rules.RoundingBase}}}
		for _, id := range ReachTables {
			t, err := BuildReachTable(id, period, family, s.Rules, now)
			if err != nil {
				return err
			}
			t.Status, t.Version, t.PublishedAt = ReachPublished, version, &now
			pub.Tables[id] = t
		}
		if err := tx.Reach().InsertPublication(ctx, pub, actor.UserID); err != nil {
			return err
		}
		out = &pub.ReachPublication
		return tx.Audit(AuditRecord{Actor: actor, Action: "publish", Entity: "reach", EntityID: period.String(),
			Detail: "version=" + strconv.Itoa(pub.Version)})
	})
	return out, err
}

// Published lists the published versions, newest first.
func (s *ReachService) Published(ctx context.Context) ([]ReachPublication, error) {
	return s.store.View(ctx).Reach().Publications(ctx)
}

// handoverCounts adds the handover counts (table T5) of flows to counts
// and returns the flows as rows and the medians of working days to
// acceptance and to first contact. between counts working days.
func handoverCounts(flows []HandoverFlowRecord, counts map[Period]ReachCounts,
	between func(from, to time.Time) int) ([]FlowLabel, map[Period]map[CellKey]float64) {
	type days struct{ accept, contact []int }
	spans := map[Period]map[string]*days{}
	var labels []FlowLabel
	seen := map[string]bool{}
	for _, f := range flows {
		flow := FlowKey(f.From, f.To)
		if !seen[flow] {
			seen[flow] = true
			name := f.FromName + " → " + f.ToName
			labels = append(labels, FlowLabel{From: f.From, To: f.To, Label: Label{Key: flow, NameNL: name, NameEN: name}})
		}
		for _, p := range PeriodsOf(f.RequestedAt) {
			c := counts[p]
			if c == nil {
				continue
			}
			if spans[p] == nil {
				spans[p] = map[string]*days{}
			}
			for _, row := range []string{flow, AllProgrammes} {
				add := func(col string, on bool) {
					if on {
						c[CellKey{Measure: MeasureHandover, Row: row, Col: col}]++
					}
				}
				add(HandoverMade, true)
				add(HandoverAccepted, f.AcceptedAt != nil)
				add(HandoverContacted, f.ContactedAt != nil)
				add(HandoverCompleted, f.CompletedAt != nil)
				add(HandoverDeclined, f.DeclinedAt != nil)
				d := spans[p][row]
				if d == nil {
					d = &days{}
					spans[p][row] = d
				}
				if f.AcceptedAt != nil {
					d.accept = append(d.accept, between(f.RequestedAt, *f.AcceptedAt))
				}
				if f.ContactedAt != nil && f.FirstContactAt != nil {
					d.contact = append(d.contact, between(f.RequestedAt, *f.FirstContactAt))
				}
			}
		}
	}
	medians := map[Period]map[CellKey]float64{}
	for p, byRow := range spans {
		m := map[CellKey]float64{}
		for row, d := range byRow {
			if len(d.accept) > 0 {
				m[CellKey{Measure: MeasureHandoverMedian, Row: row, Col: HandoverDaysToAccept}] = median(d.accept)
			}
			if len(d.contact) > 0 {
				m[CellKey{Measure: MeasureHandoverMedian, Row: row, Col: HandoverDaysToContact}] = median(d.contact)
			}
		}
		medians[p] = m
	}
	return labels, medians
}

func median(xs []int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// workdayMemo is WorkdaysBetween remembered per pair of dates: every table
// of a year recounts the same handovers.
type workdayMemo struct {
	mu sync.Mutex
	m  map[[2]int]int
}

func (w *workdayMemo) between(from, to time.Time) int {
	y1, m1, d1 := from.In(Amsterdam).Date()
	y2, m2, d2 := to.In(Amsterdam).Date()
	key := [2]int{y1*10000 + int(m1)*100 + d1, y2*10000 + int(m2)*100 + d2}
	w.mu.Lock()
	n, ok := w.m[key]
	w.mu.Unlock()
	if ok {
		return n
	}
	n = WorkdaysBetween(from, to)
	w.mu.Lock()
	if w.m == nil || len(w.m) > 100_000 {
		w.m = map[[2]int]int{}
	}
	w.m[key] = n
	w.mu.Unlock()
	return n
}

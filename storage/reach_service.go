package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// ReachService implements cases.ReachService.
type ReachService struct {
	db  *DB
	ref *ReferenceService
	// Rules are the disclosure rules of new publications and live figures.
	Rules disclosure.Rules

	// cache keeps the last protected family per year: protection is the
	// costly part of a table, and a monitor pulls several tables of the same
	// figures in a row. It is keyed by everything protection reads.
	cacheMu     sync.Mutex
	cache       map[int]familyCache
	workdayMemo map[[2]int]int
}

type familyCache struct {
	key    [sha256.Size]byte
	family map[cases.Period]*cases.PeriodFigures
}

var _ cases.ReachService = (*ReachService)(nil)

// NewReachService returns the service with the default rules.
func NewReachService(db *DB, ref *ReferenceService) *ReachService {
	return &ReachService{db: db, ref: ref, Rules: disclosure.DefaultRules()}
}

// reachQueryer is the read side shared by the read pool and a transaction.
type reachQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ForgetCache drops the protected figures kept in memory, so the next table
// is computed from scratch (benchmarks).
func (s *ReachService) ForgetCache() {
	s.cacheMu.Lock()
	s.cache = nil
	s.cacheMu.Unlock()
}

// Refresh folds pending changes into the reach facts. Reads call it, so
// figures include changes made outside the contact service.
func (s *ReachService) Refresh(ctx context.Context) error {
	var pending bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reach_dirty_contacts)
		OR EXISTS (SELECT 1 FROM reach_dirty_persons)`).Scan(&pending)
	if err != nil || !pending {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error { return tx.refreshReachAll() })
}

// Rebuild recomputes all reach facts and counters from the contacts.
func (s *ReachService) Rebuild(ctx context.Context) error {
	return s.db.inTx(ctx, func(tx *Tx) error { return tx.rebuildReach() })
}

// Table answers one table: a published version, or the live figures.
func (s *ReachService) Table(ctx context.Context, viewer cases.ReachViewer, q cases.ReachQuery) (*cases.ReachTable, error) {
	if !cases.IsReachTable(q.Table) {
		return nil, cases.FieldInvalid("table", "reach_table", q.Table)
	}
	if !q.Live {
		tables, found, err := s.publishedTables(ctx, q.Period, q.Version)
		switch {
		case err != nil:
			return nil, err
		case found:
			t, ok := tables[q.Table]
			if !ok {
				return nil, cases.NotFound("reach_table")
			}
			return t.FilterRows(viewer), nil
		case q.Version != 0:
			return nil, cases.NotFound("reach_version")
		}
	}
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	family, err := s.family(ctx, s.db.Read, q.Period, s.Rules)
	if err != nil {
		return nil, err
	}
	t, err := cases.BuildReachTable(q.Table, q.Period, family, s.Rules, s.db.Now())
	if err != nil {
		return nil, err
	}
	return t.FilterRows(viewer), nil
}

// Figures returns the protected figures of the year of p, with p live. For
// tests and benchmarks; the counts are internal.
func (s *ReachService) Figures(ctx context.Context, p cases.Period) (map[cases.Period]*cases.PeriodFigures, error) {
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	return s.family(ctx, s.db.Read, p, s.Rules)
}

// family loads and protects the periods of p's year: published periods as
// frozen at their newest version, p and the others live, all protected from
// the year down (cases.ProtectFamily).
func (s *ReachService) family(ctx context.Context, q reachQueryer, p cases.Period, rules disclosure.Rules) (map[cases.Period]*cases.PeriodFigures, error) {
	periods := p.Family()
	layout, programmes, err := s.layout(ctx, q)
	if err != nil {
		return nil, err
	}
	counts, err := s.counts(ctx, q, periods, programmes)
	if err != nil {
		return nil, err
	}
	medians, flows, err := s.handoverCounts(ctx, q, p.Year, counts)
	if err != nil {
		return nil, err
	}
	layout.Flows = flows
	frozen, raw, err := s.frozenFigures(ctx, q, periods)
	if err != nil {
		return nil, err
	}
	// The cache key: rules, layout and, per period, its live counts or the
	// published figures it is frozen at.
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.Encode(rules)
	enc.Encode(layout)
	out := map[cases.Period]*cases.PeriodFigures{}
	members := make([]*cases.PeriodFigures, 0, len(periods))
	for _, period := range periods {
		m := &cases.PeriodFigures{Period: period, Counts: counts[period], Medians: medians[period]}
		if f, ok := frozen[period]; ok && period != p {
			m = f
			enc.Encode([]string{period.String(), raw[period]})
		} else {
			enc.Encode([]any{period.String(), sortedCounts(m.Counts), sortedMedians(m.Medians)})
		}
		out[period] = m
		members = append(members, m)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	s.cacheMu.Lock()
	cached, ok := s.cache[p.Year]
	s.cacheMu.Unlock()
	if ok && cached.key == key {
		return cached.family, nil
	}
	if err := cases.ProtectFamily(rules, layout, members); err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	if s.cache == nil {
		s.cache = map[int]familyCache{}
	}
	s.cache[p.Year] = familyCache{key: key, family: out}
	s.cacheMu.Unlock()
	return out, nil
}

type keyedCount struct {
	cases.CellKey
	N int `json:"n"`
}

func sortedCounts(c cases.ReachCounts) []keyedCount {
	out := make([]keyedCount, 0, len(c))
	for k, n := range c {
		out = append(out, keyedCount{k, n})
	}
	slices.SortFunc(out, func(a, b keyedCount) int { return compareCellKeys(a.CellKey, b.CellKey) })
	return out
}

type keyedMedian struct {
	cases.CellKey
	V float64 `json:"v"`
}

func sortedMedians(m map[cases.CellKey]float64) []keyedMedian {
	out := make([]keyedMedian, 0, len(m))
	for k, v := range m {
		out = append(out, keyedMedian{k, v})
	}
	slices.SortFunc(out, func(a, b keyedMedian) int { return compareCellKeys(a.CellKey, b.CellKey) })
	return out
}

func compareCellKeys(a, b cases.CellKey) int {
	if c := strings.Compare(a.Measure, b.Measure); c != 0 {
		return c
	}
	if c := strings.Compare(a.Row, b.Row); c != 0 {
		return c
	}
	return strings.Compare(a.Col, b.Col)
}

// workdays is cases.WorkdaysBetween, remembered per pair of dates: every
// table of a year recounts the same handovers.
func (s *ReachService) workdays(from, to time.Time) int {
	y1, m1, d1 := from.In(cases.Amsterdam).Date()
	y2, m2, d2 := to.In(cases.Amsterdam).Date()
	key := [2]int{y1*10000 + int(m1)*100 + d1, y2*10000 + int(m2)*100 + d2}
	s.cacheMu.Lock()
	n, ok := s.workdayMemo[key]
	s.cacheMu.Unlock()
	if ok {
		return n
	}
	n = cases.WorkdaysBetween(from, to)
	s.cacheMu.Lock()
	if s.workdayMemo == nil || len(s.workdayMemo) > 100_000 {
		s.workdayMemo = map[[2]int]int{}
	}
	s.workdayMemo[key] = n
	s.cacheMu.Unlock()
	return n
}

type programmeRow struct {
	cases.ProgrammeLabel
	active bool
}

// layout reads the rows and columns from the reference data: active
// programmes (inactive ones join when they have counts), neighbourhoods and
// topics in their order.
func (s *ReachService) layout(ctx context.Context, q reachQueryer) (cases.ReachLayout, map[int64]programmeRow, error) {
	var l cases.ReachLayout
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.slug, p.name, o.slug, p.active
		FROM programmes p JOIN organisations o ON o.id = p.organisation_id ORDER BY p.name, p.slug`)
	if err != nil {
		return l, nil, err
	}
	defer rows.Close()
	programmes := map[int64]programmeRow{}
	for rows.Next() {
		var id int64
		var p programmeRow
		if err := rows.Scan(&id, &p.Key, &p.NameNL, &p.Organisation, &p.active); err != nil {
			return l, nil, err
		}
		p.NameEN = p.NameNL
		programmes[id] = p
		if p.active {
			l.Programmes = append(l.Programmes, p.ProgrammeLabel)
		}
	}
	if err := rows.Err(); err != nil {
		return l, nil, err
	}
	ref, err := s.ref.Reference(ctx, 0)
	if err != nil {
		return l, nil, err
	}
	for _, t := range ref.Neighbourhoods {
		l.Neighbourhoods = append(l.Neighbourhoods, cases.Label{Key: t.Slug, NameNL: t.NameNL, NameEN: t.NameEN})
	}
	for _, t := range ref.Topics {
		l.Topics = append(l.Topics, cases.Label{Key: t.Slug, NameNL: t.NameNL, NameEN: t.NameEN})
	}
	return l, programmes, nil
}

// counts reads the counters of periods as cell keys of slugs.
func (s *ReachService) counts(ctx context.Context, q reachQueryer, periods []cases.Period, programmes map[int64]programmeRow) (map[cases.Period]cases.ReachCounts, error) {
	idx := s.ref.index()
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p.String()
	}
	rows, err := q.QueryContext(ctx, `SELECT period, programme_id, measure, key, n FROM reach_counts
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
	return cases.CountsOf(counters, periods, cases.CounterNames{
		Programme: func(id int64) (string, bool) { p, ok := programmes[id]; return p.Key, ok },
		Hood:      func(id int64) string { return slugOf(idx.neighbourhoodSlug, id) },
		Topic:     func(id int64) string { return slugOf(idx.topicSlug, id) },
	}), nil
}

func slugOf(slugs map[int64]string, id int64) string {
	if s, ok := slugs[id]; ok {
		return s
	}
	return "id-" + strconv.FormatInt(id, 10)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// handoverCounts adds the handover counts (table T5) of the year to counts,
// when the handover tables exist, and returns the medians and the flows.
func (s *ReachService) handoverCounts(ctx context.Context, q reachQueryer, year int, counts map[cases.Period]cases.ReachCounts) (map[cases.Period]map[cases.CellKey]float64, []cases.FlowLabel, error) {
	medians := map[cases.Period]map[cases.CellKey]float64{}
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'handovers')`).Scan(&exists); err != nil || !exists {
		return medians, nil, err
	}
	y := cases.Period{Year: year, Kind: cases.Year}
	rows, err := q.QueryContext(ctx, `SELECT f.slug, f.name, t.slug, t.name, h.requested_at,
		COALESCE(h.accepted_at, ''), COALESCE(h.contacted_at, ''), COALESCE(h.contact_at, h.contacted_at, ''),
		COALESCE(h.completed_at, ''), COALESCE(h.declined_at, '')
		FROM handovers h JOIN organisations f ON f.id = h.from_org_id JOIN organisations t ON t.id = h.to_org_id
		WHERE h.requested_at >= ? AND h.requested_at < ? ORDER BY f.name, t.name`,
		cases.FormatTime(y.Start()), cases.FormatTime(y.End()))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type days struct{ accept, contact []int }
	spans := map[cases.Period]map[string]*days{}
	var flows []cases.FlowLabel
	seen := map[string]bool{}
	for rows.Next() {
		var from, fromName, to, toName, requested, accepted, contacted, firstContact, completed, declined string
		if err := rows.Scan(&from, &fromName, &to, &toName, &requested, &accepted, &contacted, &firstContact,
			&completed, &declined); err != nil {
			return nil, nil, err
		}
		sent, err := cases.ParseTime(requested)
		if err != nil {
			continue
		}
		flow := cases.FlowKey(from, to)
		if !seen[flow] {
			seen[flow] = true
			flows = append(flows, cases.FlowLabel{From: from, To: to, Label: cases.Label{Key: flow,
				NameNL: fromName + " → " + toName, NameEN: fromName + " → " + toName}})
		}
		for _, p := range cases.PeriodsOf(sent) {
			c := counts[p]
			if c == nil {
				continue
			}
			if spans[p] == nil {
				spans[p] = map[string]*days{}
			}
			for _, row := range []string{flow, cases.AllProgrammes} {
				add := func(col string, on bool) {
					if on {
						c[cases.CellKey{Measure: cases.MeasureHandover, Row: row, Col: col}]++
					}
				}
				add(cases.HandoverMade, true)
				add(cases.HandoverAccepted, accepted != "")
				add(cases.HandoverContacted, contacted != "")
				add(cases.HandoverCompleted, completed != "")
				add(cases.HandoverDeclined, declined != "")
				d := spans[p][row]
				if d == nil {
					d = &days{}
					spans[p][row] = d
				}
				if t, err := cases.ParseTime(accepted); err == nil {
					d.accept = append(d.accept, s.workdays(sent, t))
				}
				if t, err := cases.ParseTime(firstContact); err == nil && contacted != "" {
					d.contact = append(d.contact, s.workdays(sent, t))
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for p, byRow := range spans {
		m := map[cases.CellKey]float64{}
		for row, d := range byRow {
			if len(d.accept) > 0 {
				m[cases.CellKey{Measure: cases.MeasureHandoverMedian, Row: row, Col: cases.HandoverDaysToAccept}] = median(d.accept)
			}
			if len(d.contact) > 0 {
				m[cases.CellKey{Measure: cases.MeasureHandoverMedian, Row: row, Col: cases.HandoverDaysToContact}] = median(d.contact)
			}
		}
		medians[p] = m
	}
	return medians, flows, nil
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

// frozenFigures loads the newest published version of each period, decoded
// and as stored.
func (s *ReachService) frozenFigures(ctx context.Context, q reachQueryer, periods []cases.Period) (map[cases.Period]*cases.PeriodFigures, map[cases.Period]string, error) {
	byName := map[string]cases.Period{}
	args := make([]any, len(periods))
	for i, p := range periods {
		byName[p.String()] = p
		args[i] = p.String()
	}
	rows, err := q.QueryContext(ctx, `SELECT period, figures FROM reach_publications p
		WHERE period IN (`+placeholders(len(periods))+`)
		AND version = (SELECT MAX(version) FROM reach_publications WHERE period = p.period)`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, raw := map[cases.Period]*cases.PeriodFigures{}, map[cases.Period]string{}
	for rows.Next() {
		var period, figures string
		if err := rows.Scan(&period, &figures); err != nil {
			return nil, nil, err
		}
		m, err := decodeFigures(byName[period], figures)
		if err != nil {
			return nil, nil, err
		}
		out[m.Period], raw[m.Period] = m, figures
	}
	return out, raw, rows.Err()
}

// publishedTables reads the tables of a published version (0 = newest).
func (s *ReachService) publishedTables(ctx context.Context, p cases.Period, version int) (map[string]*cases.ReachTable, bool, error) {
	query := `SELECT tables FROM reach_publications WHERE period = ? ORDER BY version DESC LIMIT 1`
	args := []any{p.String()}
	if version != 0 {
		query = `SELECT tables FROM reach_publications WHERE period = ? AND version = ?`
		args = append(args, version)
	}
	var data string
	err := s.db.Read.QueryRowContext(ctx, query, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	tables := map[string]*cases.ReachTable{}
	if err := json.Unmarshal([]byte(data), &tables); err != nil {
		return nil, false, err
	}
	return tables, true, nil
}

// Publish freezes every table of period as a new version. Earlier versions
// are kept; later corrections of contacts change only live figures.
func (s *ReachService) Publish(ctx context.Context, actor cases.Actor, period cases.Period) (*cases.ReachPublication, error) {
	var out *cases.ReachPublication
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.refreshReachAll(); err != nil {
			return err
		}
		family, err := s.family(ctx, tx, period, s.Rules)
		if err != nil {
			return err
		}
		tables := map[string]*cases.ReachTable{}
		for _, id := range cases.ReachTables {
			t, err := cases.BuildReachTable(id, period, family, s.Rules, tx.now)
			if err != nil {
				return err
			}
			tables[id] = t
		}
		var version int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) + 1 FROM reach_publications WHERE period = ?`,
			period.String()).Scan(&version); err != nil {
			return err
		}
		publishedAt := tx.now
		for _, t := range tables {
			t.Status, t.Version, t.PublishedAt = cases.ReachPublished, version, &publishedAt
		}
		tablesJSON, err := json.Marshal(tables)
		if err != nil {
			return err
		}
		figures, err := encodeFigures(family[period])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO reach_publications (period, version, published_at, published_by,
			threshold, rounding_base, tables, figures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			period.String(), version, cases.FormatTime(publishedAt), nullInt(actor.UserID), s.Rules.Threshold,
			s.Rules.RoundingBase, string(tablesJSON), string(figures)); err != nil {
			return err
		}
		out = &cases.ReachPublication{Period: period.String(), Version: version, PublishedAt: publishedAt,
			PublishedBy: actor.Username, Tables: slices.Clone(cases.ReachTables),
			Rules: cases.ReachRules{Threshold: s.Rules.Threshold, RoundingBase: s.Rules.RoundingBase}}
		return tx.audit(actor, "publish", "reach", period.String(), "version="+strconv.Itoa(version))
	})
	return out, err
}

// Published lists the published versions, newest period and version first.
func (s *ReachService) Published(ctx context.Context) ([]cases.ReachPublication, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.period, p.version, p.published_at, COALESCE(u.username, ''),
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

// tokenPrefix marks Buurtbrug monitor tokens, so a leaked one is recognisable.
const tokenPrefix = "bbr_"

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a read-only reach token; the secret is shown once.
func (s *ReachService) CreateToken(ctx context.Context, actor cases.Actor, in cases.ReachTokenInput) (*cases.ReachToken, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var out *cases.ReachToken
	err := s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO reach_tokens (name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?)`,
			in.Name, hashToken(secret), nullInt(actor.UserID), cases.FormatTime(tx.now))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		out = &cases.ReachToken{ID: id, Name: in.Name, CreatedAt: tx.now, CreatedBy: actor.Username}
		return tx.audit(actor, "create", "reach_token", strconv.FormatInt(id, 10), "")
	})
	if err != nil {
		return nil, "", err
	}
	return out, secret, nil
}

// Tokens lists the tokens, newest first, without secrets.
func (s *ReachService) Tokens(ctx context.Context) ([]cases.ReachToken, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, COALESCE(u.username, ''),
		COALESCE(t.last_used_at, ''), COALESCE(t.revoked_at, '')
		FROM reach_tokens t LEFT JOIN users u ON u.id = t.created_by ORDER BY t.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.ReachToken{}
	for rows.Next() {
		var t cases.ReachToken
		var created, used, revoked string
		if err := rows.Scan(&t.ID, &t.Name, &created, &t.CreatedBy, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, _ = cases.ParseTime(created)
		if at, err := cases.ParseTime(used); err == nil {
			t.LastUsedAt = &at
		}
		if at, err := cases.ParseTime(revoked); err == nil {
			t.RevokedAt = &at
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token for good.
func (s *ReachService) RevokeToken(ctx context.Context, actor cases.Actor, id int64) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE reach_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
			cases.FormatTime(tx.now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return cases.NotFound("reach_token")
		}
		return tx.audit(actor, "revoke", "reach_token", strconv.FormatInt(id, 10), "")
	})
}

// tokenUseInterval is how often a token's last use is written down.
const tokenUseInterval = 5 * time.Minute

// AuthenticateToken accepts the secret of a token that is not revoked.
func (s *ReachService) AuthenticateToken(ctx context.Context, secret string) (*cases.ReachToken, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "token_invalid")
	}
	var t cases.ReachToken
	var created, used string
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, name, created_at, COALESCE(last_used_at, '')
		FROM reach_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hashToken(secret)).Scan(&t.ID, &t.Name, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.Errorf(cases.EUNAUTHORIZED, "token_invalid")
	} else if err != nil {
		return nil, err
	}
	t.CreatedAt, _ = cases.ParseTime(created)
	now := s.db.Now()
	if last, err := cases.ParseTime(used); err != nil || now.Sub(last) > tokenUseInterval {
		if err := s.db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE reach_tokens SET last_used_at = ? WHERE id = ?`, cases.FormatTime(tx.now), t.ID)
			return err
		}); err != nil {
			return nil, err
		}
		t.LastUsedAt = &now
	}
	return &t, nil
}

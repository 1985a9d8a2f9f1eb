package cases

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// Releases. Programme staff ask for a release of a period: its figures are
// computed, protected and frozen as a draft, which they review and then
// publish or discard. ProtectRelease protects a candidate against every
// earlier draft and release of the year (a reader may have seen them all)
// and returns its figures, ready for BuildReachTable, with the record to
// store so that later releases are protected against it in turn.

// ReleaseRequest is everything ProtectRelease needs.
type ReleaseRequest struct {
	Rules  disclosure.Rules
	Layout ReachLayout
	// Period is the period released. A half-year or a year also releases
	// the sub-period columns of its T1 (reached, helped and moments of
	// each quarter and half-year in it).
	Period Period
	// Counts are the true counts of every period of Period's year now;
	// Medians the T5 medians of the periods released (shown, not audited:
	// they are published only over at least threshold handovers).
	Counts  map[Period]ReachCounts
	Medians map[Period]map[CellKey]float64
	// Now says which periods are complete: a period still running never
	// forces a suppression in a complete one.
	Now time.Time
	// Earlier are the records of every earlier draft and release of the
	// year, published or discarded, in any order.
	Earlier []ReleaseRecord
}

// Release is a protected candidate.
type Release struct {
	// Figures hold the released period and, for a half-year or year, its
	// sub-periods (their T1 cells only): the family BuildReachTable reads.
	Figures map[Period]*PeriodFigures
	// Record is what storage must keep with the draft or version.
	Record ReleaseRecord
	// Audit describes the final audit of all releases of the year.
	Audit AuditSummary
}

// ProtectRelease protects a release candidate: small counts are shown
// "<threshold", breakdowns of small totals are withheld, and complementary
// cells are suppressed until the audit of this candidate with every earlier
// release is clean. Reached totals of programmes and of all programmes are
// never chosen as complementary cells while anything else can protect.
func ProtectRelease(req ReleaseRequest) (*Release, error) {
	if err := req.Rules.Validate(); err != nil {
		return nil, err
	}
	layout, history, err := releaseContext(req.Layout, req.Period.Year, req.Counts, req.Earlier)
	if err != nil {
		return nil, err
	}
	cand := snapshot{counts: req.Counts, released: initialCells(req.Rules, layout, req.Period, req.Counts),
		late: lateAt(req.Period.Year, req.Now)}
	shown, rep, err := protectSnapshot(req.Rules, layout, req.Period.Year, cand, history)
	if err != nil {
		return nil, fmt.Errorf("reach %s: %w", req.Period, err)
	}
	rel := &Release{Figures: figuresOf(layout, shown, req.Counts, req.Medians), Audit: rep}
	rel.Record = newRecord(req.Period, req.Now, req.Counts, shown)
	return rel, nil
}

// LiveFigures are the live figures of period p for a coordinator, about
// their own organisation's records only: small counts shown "<threshold",
// the breakdowns of small totals withheld, everything rounded, and no
// complementary suppression. A coordinator may read every record the
// figures count, so nothing in them is new to the reader; they are not
// released (see docs/reach-method.md).
func LiveFigures(rules disclosure.Rules, l ReachLayout, p Period, counts map[Period]ReachCounts,
	medians map[Period]map[CellKey]float64) map[Period]*PeriodFigures {
	for _, q := range p.Parts() {
		l.complete(counts[q])
	}
	return figuresOf(l, initialCells(rules, l, p, counts), counts, medians)
}

// figuresOf turns cells as shown into the figures BuildReachTable reads.
func figuresOf(l ReachLayout, shown map[Period]map[CellKey]shownCell, counts map[Period]ReachCounts,
	medians map[Period]map[CellKey]float64) map[Period]*PeriodFigures {
	out := map[Period]*PeriodFigures{}
	for p, cells := range shown {
		f := &PeriodFigures{Period: p, Counts: counts[p], Medians: medians[p], Layout: l,
			Cells: map[CellKey]disclosure.PublishedCell{}, Withheld: map[CellKey]bool{}}
		for k, c := range cells {
			if c.withheld {
				f.Withheld[k] = true
			} else {
				f.Cells[k] = c.PublishedCell
			}
		}
		out[p] = f
	}
	return out
}

// releaseContext completes the layout with every count seen and turns the
// earlier records into snapshots.
func releaseContext(l ReachLayout, year int, counts map[Period]ReachCounts, earlier []ReleaseRecord) (ReachLayout, []snapshot, error) {
	layout := l
	var history []snapshot
	for _, r := range earlier {
		s, err := r.snapshot()
		if err != nil {
			return layout, nil, err
		}
		for p := range s.counts {
			if p.Year != year {
				return layout, nil, fmt.Errorf("reach: record of %s is not of %d", p, year)
			}
		}
		history = append(history, s)
	}
	for _, p := range (Period{Year: year, Kind: Year}).Family() {
		layout.complete(counts[p])
		for _, s := range history {
			layout.complete(s.counts[p])
		}
	}
	return layout, history, nil
}

// lateAt returns the periods of year still running at now.
func lateAt(year int, now time.Time) map[Period]bool {
	late := map[Period]bool{}
	for _, p := range (Period{Year: year, Kind: Year}).Family() {
		late[p] = now.Before(p.End())
	}
	return late
}

// initialCells are the cells a release of p shows before complementary
// suppression: every cell of p's tables, and for a half-year or year the
// T1 cells of its sub-periods; small counts primary, the breakdowns of a
// small total withheld.
func initialCells(rules disclosure.Rules, l ReachLayout, p Period, counts map[Period]ReachCounts) map[Period]map[CellKey]shownCell {
	out := map[Period]map[CellKey]shownCell{}
	for _, q := range p.Parts() {
		out[q] = map[CellKey]shownCell{}
		keys := l.cellKeys()
		if q != p {
			keys = l.periodColumnKeys()
		}
		for _, k := range keys {
			out[q][k] = shownCell{PublishedCell: rules.Cell(counts[q][k])}
		}
	}
	for k := range withheldCells(rules, l, counts[p]) {
		out[p][k] = shownCell{withheld: true}
	}
	return out
}

// periodColumnKeys are the cells of one period's columns in T1.
func (l ReachLayout) periodColumnKeys() []CellKey {
	var keys []CellKey
	for _, r := range l.programmeRows() {
		for _, m := range []string{MeasureReached, MeasureHelped, MeasureMoments} {
			keys = append(keys, CellKey{m, r, ""})
		}
	}
	return keys
}

// withheldCells are the breakdowns of every total from 1 to threshold-1:
// the neighbourhood, age and gender of a programme that reached fewer than
// threshold persons, and the flows of a handover column with fewer than
// threshold handovers. Such a breakdown holds small counts and zeros only;
// with its zeros shown it would tell in which few categories all of those
// persons are.
func withheldCells(rules disclosure.Rules, l ReachLayout, counts ReachCounts) map[CellKey]bool {
	out := map[CellKey]bool{}
	small := func(k CellKey) bool { n := counts[k]; return n >= 1 && n < rules.Threshold }
	cols := l.personColumns()
	for _, r := range l.programmeRows() {
		if !small(CellKey{MeasureReached, r, ""}) {
			continue
		}
		for _, m := range []string{MeasureHood, MeasureAge, MeasureGender} {
			for _, c := range cols[m] {
				out[CellKey{m, r, c}] = true
			}
		}
	}
	flows := l.flowRows()
	for _, c := range HandoverCountColumns {
		if small(CellKey{MeasureHandover, AllProgrammes, c}) {
			for _, f := range flows[:len(flows)-1] {
				out[CellKey{MeasureHandover, f, c}] = true
			}
		}
	}
	return out
}

// headline reports whether a cell is never a complementary cell while
// anything else can protect: a reached total, or any cell of the "all
// programmes" row.
func headline(k CellKey) bool {
	return k.Measure == MeasureReached || k.Row == AllProgrammes
}

// protectSnapshot suppresses complementary cells of cand until the audit of
// history with cand is clean, and returns cand's cells as released.
func protectSnapshot(rules disclosure.Rules, l ReachLayout, year int, cand snapshot, history []snapshot) (map[Period]map[CellKey]shownCell, AuditSummary, error) {
	snaps := append(slices.Clone(history), cand)
	rm := buildModel(rules, l, year, snaps)
	ci := len(snaps) - 1
	owner := map[int]periodCell{}
	for p, cells := range cand.released {
		for k, c := range cells {
			v := rm.varOf(ci, p, k)
			if v < 0 || c.withheld || c.Status != disclosure.Published || rm.Vars[v].Count == 0 || rm.shownByHistory(v, history) {
				continue
			}
			owner[v] = periodCell{p, k}
			x := &rm.Vars[v]
			x.Candidate, x.LastResort = !headline(k), headline(k)
			x.Late, x.Cost = cand.late[p], float64(x.Count)
			if k.Measure == MeasureMoments || k.Measure == MeasureHandover {
				// Not persons: what hiding them costs is the persons
				// behind them, which is fewer.
				x.Cost /= 2
			}
		}
	}
	out := map[Period]map[CellKey]shownCell{}
	for p, cells := range cand.released {
		out[p] = maps.Clone(cells)
	}
	auditor := &disclosure.Auditor{Rules: rules}
	for {
		suppressed, rep, err := auditor.Suppress(&rm.Model)
		for _, v := range suppressed {
			o := owner[v]
			out[o.period][o.cell] = shownCell{PublishedCell: disclosure.PublishedCell{Status: disclosure.Secondary}}
		}
		var stuck *disclosure.CannotProtectError
		if !errors.As(err, &stuck) {
			if err != nil {
				return nil, AuditSummary{}, err
			}
			return out, summarise(rep, rm), nil
		}
		// Nothing left to suppress repairs it: withhold the breakdown it
		// is part of in the candidate, as for a small total, and go on;
		// failing that, every breakdown of the candidate.
		if len(rm.withholdLine(ci, rm.keys[stuck.Var], out)) == 0 && len(rm.withholdBreakdowns(ci, out)) == 0 {
			return nil, AuditSummary{}, err
		}
	}
}

// withholdLine withholds, in snapshot ci, the breakdown of the cell k names
// (all of its row's categories of that measure; for a handover, the flows of
// the period) where it still shows something, and returns what it withheld.
// A cell of an earlier release has its line withheld in every period of
// the candidate.
func (rm *reachModel) withholdLine(ci int, k varKey, out map[Period]map[CellKey]shownCell) []CellKey {
	var line []CellKey
	for p, cells := range out {
		if _, ok := out[k.period]; ok && p != k.period {
			continue // the cell is the candidate's: its own line
		}
		line = append(line, rm.withholdIn(ci, p, k.cell, cells)...)
	}
	return line
}

// withholdBreakdowns withholds every cell of the candidate but those of
// T1 and the totals: the figures then hold no breakdown at all.
func (rm *reachModel) withholdBreakdowns(ci int, out map[Period]map[CellKey]shownCell) []CellKey {
	var done []CellKey
	for p, cells := range out {
		for c, shown := range cells {
			if tableOf(c) == TableProgrammePeriod || c.Row == AllProgrammes || shown.withheld {
				continue
			}
			done = append(done, rm.withholdIn(ci, p, c, cells)...)
		}
	}
	return done
}

// withholdIn withholds the line of cell among cells of period p.
func (rm *reachModel) withholdIn(ci int, p Period, k CellKey, cells map[CellKey]shownCell) []CellKey {
	var line []CellKey
	for c, shown := range cells {
		sameLine := c.Measure == k.Measure && c.Row == k.Row
		if k.Measure == MeasureHandover {
			sameLine = c.Measure == MeasureHandover && c.Row != AllProgrammes
		}
		if !sameLine || c.Col == "" || shown.withheld {
			continue
		}
		line = append(line, c)
		cells[c] = shownCell{withheld: true}
		if v := rm.varOf(ci, p, c); v >= 0 {
			x := &rm.Vars[v]
			x.Lo, x.Hi = 0, disclosure.Unbounded
			x.Audit, x.Candidate, x.LastResort = x.Count > 0, false, false
		}
	}
	return line
}

// periodCell names a cell of a period.
type periodCell struct {
	period Period
	cell   CellKey
}

// shownByHistory reports whether an earlier release published v with a
// value: suppressing it now would hide nothing.
func (rm *reachModel) shownByHistory(v int, history []snapshot) bool {
	for si, s := range history {
		k := rm.keys[v]
		if c, ok := s.released[k.period][k.cell]; ok && !c.withheld && c.Status == disclosure.Published && rm.epochs[si][k.period] == k.epoch {
			return true
		}
	}
	return false
}

// tableOf names the table a cell is shown in (a reached total, shown in
// T1–T4, counts as T1's).
func tableOf(k CellKey) string {
	switch k.Measure {
	case MeasureHood:
		return TableProgrammeHood
	case MeasureTopic:
		return TableProgrammeTopic
	case MeasureAge, MeasureGender:
		return TableProgrammeAge
	case MeasureHandover:
		return TableHandoverFlow
	}
	return TableProgrammePeriod
}

package cases

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// A snapshot is the reach figures of one year at one moment: the true counts
// of its periods then, and the cells released from them at that moment (a
// draft or a published version, with the sub-period columns of its T1).
// Every release is one snapshot; a reader combines them all.
type snapshot struct {
	counts   map[Period]ReachCounts
	released map[Period]map[CellKey]shownCell
	late     map[Period]bool // periods still running at that moment
}

// shownCell is how a released cell was shown: a published cell, or withheld
// (a breakdown of a small total, shown "x" without the ≥ threshold promise).
type shownCell struct {
	disclosure.PublishedCell
	withheld bool
}

// varKey names a true count: a cell of a period in one epoch of the period,
// that is one distinct state of its counts. Snapshots in which a period's
// counts are the same share its variables, so a figure released twice from
// unchanged counts is one unknown to the reader.
type varKey struct {
	period Period
	epoch  int
	cell   CellKey
}

// reachModel is the disclosure model of a set of snapshots.
type reachModel struct {
	disclosure.Model
	keys   []varKey
	index  map[varKey]int
	epochs []map[Period]int // per snapshot
	// shownValue marks counts some snapshot published with a value.
	shownValue map[int]bool
	// dropped counts relations that did not hold for the true counts (a
	// row missing from the layout, say); they are left out, as a reader
	// cannot rely on them either.
	dropped int
}

// cellKeys lists every cell a period's tables show.
func (l ReachLayout) cellKeys() []CellKey {
	var keys []CellKey
	cols := l.personColumns()
	for _, r := range l.programmeRows() {
		keys = append(keys, CellKey{MeasureMoments, r, ""})
		for _, m := range personMeasures {
			for _, c := range cols[m] {
				keys = append(keys, CellKey{m, r, c})
			}
		}
	}
	for _, f := range l.flowRows() {
		for _, c := range HandoverCountColumns {
			keys = append(keys, CellKey{MeasureHandover, f, c})
		}
	}
	return keys
}

// buildModel turns snapshots into what a reader knows: a variable per cell
// and epoch, bounded by every release that showed it; the relations of
// every snapshot; and between two epochs of a period, that no count moved
// by more than the largest change of its kind (persons, moments or
// handovers) between them, which a reader who knows how many persons
// changed can assume.
func buildModel(rules disclosure.Rules, layout ReachLayout, year int, snaps []snapshot) *reachModel {
	rm := &reachModel{index: map[varKey]int{}, shownValue: map[int]bool{}}
	keys := layout.cellKeys()
	// Periods no snapshot releases are unknown to the reader throughout:
	// they are left out, and relations that went through them are written
	// directly (see containments).
	shown := map[Period]bool{}
	for _, s := range snaps {
		for p := range s.released {
			shown[p] = true
		}
	}
	states := map[Period][]ReachCounts{}
	for _, s := range snaps {
		ep := map[Period]int{}
		for p, c := range s.counts {
			if !shown[p] {
				continue
			}
			i := slices.IndexFunc(states[p], func(o ReachCounts) bool { return sameCounts(o, c) })
			if i < 0 {
				i = len(states[p])
				states[p] = append(states[p], c)
				for _, k := range keys {
					rm.addVar(varKey{p, i, k}, c[k])
				}
			}
			ep[p] = i
		}
		rm.epochs = append(rm.epochs, ep)
	}
	for si, s := range snaps {
		for p, cells := range s.released {
			for k, shown := range cells {
				rm.show(rules, rm.varOf(si, p, k), shown)
			}
		}
	}
	rm.relate(buildRelations(layout, year), len(snaps))
	for p, list := range states {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				rm.link(p, i, j, keys, list[i], list[j])
			}
		}
	}
	return rm
}

func (rm *reachModel) addVar(k varKey, count int) {
	rm.index[k] = len(rm.Vars)
	rm.keys = append(rm.keys, k)
	rm.Vars = append(rm.Vars, disclosure.Var{Count: count, Lo: 0, Hi: disclosure.Unbounded})
}

func (rm *reachModel) varOf(snap int, p Period, k CellKey) int {
	ep, ok := rm.epochs[snap][p]
	if !ok {
		return -1
	}
	v, ok := rm.index[varKey{p, ep, k}]
	if !ok {
		return -1
	}
	return v
}

// show narrows a variable by one release of it.
func (rm *reachModel) show(rules disclosure.Rules, v int, shown shownCell) {
	if v < 0 {
		return
	}
	x := &rm.Vars[v]
	if shown.withheld {
		x.Audit = x.Audit || x.Count > 0
		return
	}
	lo, hi := rules.Range(shown.PublishedCell)
	x.Lo, x.Hi = max(x.Lo, lo), min(x.Hi, hi)
	if shown.Status == disclosure.Published {
		rm.shownValue[v] = true
	} else {
		x.Audit = x.Audit || x.Count > 0
	}
}

// relate adds the relations of every snapshot, once per distinct row.
func (rm *reachModel) relate(rels []relation, snaps int) {
	seen := map[string]bool{}
	for si := range snaps {
	next:
		for _, rel := range rels {
			row := disclosure.Row{Lo: rel.lo, Hi: rel.hi}
			for _, t := range rel.terms {
				v := rm.varOf(si, t.period, t.cell)
				if v < 0 {
					continue next
				}
				row.Terms = append(row.Terms, disclosure.Term{Var: v, Coef: t.coef})
			}
			key := rowKey(row)
			if seen[key] {
				continue
			}
			seen[key] = true
			if !rm.Holds(row) {
				rm.dropped++
				continue
			}
			rm.Rows = append(rm.Rows, row)
		}
	}
}

func rowKey(row disclosure.Row) string {
	var b strings.Builder
	for _, t := range row.Terms {
		fmt.Fprintf(&b, "%d*%d ", t.Coef, t.Var)
	}
	b.WriteString(strconv.Itoa(row.Lo) + ":" + strconv.Itoa(row.Hi))
	return b.String()
}

// unit is what a measure counts: between two moments each person, contact
// or handover that changed moves a count of its unit by at most one.
func unit(measure string) string {
	switch measure {
	case MeasureMoments, MeasureHandover:
		return measure
	}
	return "persons"
}

// link bounds the change of every cell of period p between epochs i and j
// by the largest change of its unit.
func (rm *reachModel) link(p Period, i, j int, keys []CellKey, a, b ReachCounts) {
	largest := map[string]int{}
	for _, k := range keys {
		u := unit(k.Measure)
		largest[u] = max(largest[u], abs(a[k]-b[k]))
	}
	for _, k := range keys {
		d := largest[unit(k.Measure)]
		rm.Rows = append(rm.Rows, disclosure.Row{Lo: -d, Hi: d, Terms: []disclosure.Term{
			{Var: rm.index[varKey{p, i, k}], Coef: 1}, {Var: rm.index[varKey{p, j, k}], Coef: -1}}})
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// sameCounts compares counts, a missing cell being 0.
func sameCounts(a, b ReachCounts) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}

package cases

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// An audit written apart from the engine, for the tests: it reads only the
// release records, writes down its own reader's knowledge (every record its
// own copy of the year, no shared states) and propagates bounds through it.
// Propagation is weaker than the engine's reasoning, so it cannot prove a
// release safe; it finds the disclosures the issue names (a half-year over
// its quarters, versions a few persons apart) independently, and any cell
// it pins the engine has let through.

type checkVar struct {
	record int
	period Period
	cell   CellKey
}

type checker struct {
	rules  disclosure.Rules
	lo, hi map[checkVar]float64
	truth  map[checkVar]int
	audit  map[checkVar]bool
	sums   [][]checkTerm // Σ terms ≤ 0, or = 0 when eq
	eq     []bool
	links  []checkLink
	// vars and number index the variables for the integer-programming
	// audit (components).
	vars   []checkVar
	number map[checkVar]int
}

type checkTerm struct {
	v    checkVar
	coef float64
}

func newChecker(rules disclosure.Rules, layout ReachLayout, records []ReleaseRecord) *checker {
	c := &checker{rules: rules, lo: map[checkVar]float64{}, hi: map[checkVar]float64{}, truth: map[checkVar]int{}, audit: map[checkVar]bool{}}
	shown := map[Period]bool{}
	for _, r := range records {
		for _, cell := range r.Cells {
			p, _ := ParsePeriod(cell.Period)
			shown[p] = true
		}
	}
	for ri, r := range records {
		for _, n := range r.Counts {
			p, _ := ParsePeriod(n.Period)
			if shown[p] {
				c.truth[checkVar{ri, p, n.CellKey}] = n.N
			}
		}
		for _, cell := range r.Cells {
			p, _ := ParsePeriod(cell.Period)
			v := checkVar{ri, p, cell.CellKey}
			switch {
			case cell.Withheld:
				c.audit[v] = c.truth[v] > 0
			case cell.Status == disclosure.Primary:
				c.lo[v], c.hi[v], c.audit[v] = 1, float64(rules.Threshold-1), true
			case cell.Status == disclosure.Secondary:
				c.lo[v], c.audit[v] = float64(rules.Threshold), true
			case cell.Value == 0:
				c.hi[v] = 0
			default:
				b := rules.RoundingBase
				c.lo[v], c.hi[v] = float64(max(cell.Value-b/2, rules.Threshold)), float64(cell.Value+b-b/2-1)
			}
		}
	}
	year := 0
	for v := range c.truth {
		year = v.period.Year
		break
	}
	for ri := range records {
		c.relateRecord(ri, layout, year, shown)
	}
	c.linkRecords(len(records), layout, shown)
	return c
}

// flows are the handover flows the records count.
func (c *checker) flows() []string {
	seen := map[string]bool{}
	for v := range c.truth {
		if v.cell.Measure == MeasureHandover && v.cell.Row != AllProgrammes {
			seen[v.cell.Row] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func (c *checker) bounds(v checkVar) (float64, float64) {
	lo, ok := c.lo[v]
	if !ok {
		lo = 0
	}
	hi, ok := c.hi[v]
	if !ok {
		hi = math.Inf(1)
	}
	return lo, hi
}

func (c *checker) add(eq bool, terms ...checkTerm) {
	for _, t := range terms {
		if _, ok := c.truth[t.v]; !ok {
			return
		}
	}
	c.sums, c.eq = append(c.sums, terms), append(c.eq, eq)
}

// relateRecord writes the relations within one record's copy of the year.
func (c *checker) relateRecord(ri int, l ReachLayout, year int, shown map[Period]bool) {
	at := func(p Period, m, r, col string, coef float64) checkTerm {
		return checkTerm{checkVar{ri, p, CellKey{m, r, col}}, coef}
	}
	rows := append(labelKeys(programmeLabels(l.Programmes)), AllProgrammes)
	flows := c.flows()
	hoods, topics := labelKeys(l.Neighbourhoods), labelKeys(l.Topics)
	for _, p := range (Period{Year: year, Kind: Year}).Family() {
		for _, r := range rows {
			for m, cols := range map[string][]string{MeasureHood: hoods, MeasureAge: AgeBands, MeasureGender: GenderColumns} {
				terms := []checkTerm{at(p, MeasureReached, r, "", 1)}
				for _, col := range cols {
					terms = append(terms, at(p, m, r, col, -1))
				}
				c.add(true, terms...)
			}
			c.add(false, at(p, MeasureHelped, r, "", 1), at(p, MeasureReached, r, "", -1))
			c.add(false, at(p, MeasureReached, r, "", 1), at(p, MeasureMoments, r, "", -1))
			for _, t := range topics {
				c.add(false, at(p, MeasureTopic, r, t, 1), at(p, MeasureReached, r, "", -1))
			}
		}
		// Handovers: the flows add up to all; stages in order; a declined
		// handover was never contacted.
		for _, col := range HandoverCountColumns {
			sum := []checkTerm{at(p, MeasureHandover, AllProgrammes, col, 1)}
			for _, f := range flows {
				sum = append(sum, at(p, MeasureHandover, f, col, -1))
			}
			c.add(true, sum...)
		}
		for _, f := range append(flows, AllProgrammes) {
			h := func(col string, coef float64) checkTerm { return at(p, MeasureHandover, f, col, coef) }
			c.add(false, h(HandoverCompleted, 1), h(HandoverContacted, -1))
			c.add(false, h(HandoverContacted, 1), h(HandoverAccepted, -1))
			c.add(false, h(HandoverAccepted, 1), h(HandoverMade, -1))
			c.add(false, h(HandoverContacted, 1), h(HandoverDeclined, 1), h(HandoverMade, -1))
		}
		// Age and gender of a programme read its own organisation's records
		// only: nothing relates them to all programmes.
		for _, m := range []string{MeasureReached, MeasureHelped, MeasureTopic, MeasureHood} {
			cols := map[string][]string{MeasureReached: {""}, MeasureHelped: {""}, MeasureTopic: topics, MeasureHood: hoods}[m]
			for _, col := range cols {
				sum := []checkTerm{at(p, m, AllProgrammes, col, 1)}
				for _, r := range rows[:len(rows)-1] {
					sum = append(sum, at(p, m, r, col, -1))
					if m != MeasureHood {
						c.add(false, at(p, m, r, col, 1), at(p, m, AllProgrammes, col, -1))
					}
				}
				c.add(false, sum...)
			}
		}
	}
	q := func(n int) Period { return Period{year, Quarter, n} }
	h := func(n int) Period { return Period{year, Half, n} }
	for _, pair := range [][3]Period{{h(1), q(1), q(2)}, {h(2), q(3), q(4)}, {{year, Year, 0}, h(1), h(2)}} {
		outer, first, second := pair[0], pair[1], pair[2]
		for _, r := range rows {
			for m, cols := range map[string][]string{MeasureReached: {""}, MeasureHelped: {""}, MeasureGender: GenderColumns, MeasureTopic: topics, MeasureHood: hoods} {
				for _, col := range cols {
					c.add(false, at(outer, m, r, col, 1), at(first, m, r, col, -1), at(second, m, r, col, -1))
					c.add(false, at(first, m, r, col, 1), at(outer, m, r, col, -1))
					if m != MeasureHood {
						c.add(false, at(second, m, r, col, 1), at(outer, m, r, col, -1))
					}
				}
			}
			c.add(true, at(outer, MeasureMoments, r, "", 1), at(first, MeasureMoments, r, "", -1), at(second, MeasureMoments, r, "", -1))
		}
		for _, f := range flows {
			for _, col := range HandoverCountColumns {
				c.add(true, at(outer, MeasureHandover, f, col, 1), at(first, MeasureHandover, f, col, -1),
					at(second, MeasureHandover, f, col, -1))
			}
		}
	}
}

// linkRecords: between two records, no count of a period moves by more than
// the largest change of its kind in that period.
func (c *checker) linkRecords(n int, l ReachLayout, shown map[Period]bool) {
	for a := range n {
		for b := a + 1; b < n; b++ {
			largest := map[[2]string]int{}
			for v, x := range c.truth {
				if v.record != a {
					continue
				}
				w := checkVar{b, v.period, v.cell}
				k := [2]string{v.period.String(), unitOf(v.cell.Measure)}
				largest[k] = max(largest[k], int(math.Abs(float64(x-c.truth[w]))))
			}
			for v := range c.truth {
				if v.record != a {
					continue
				}
				w := checkVar{b, v.period, v.cell}
				d := float64(largest[[2]string{v.period.String(), unitOf(v.cell.Measure)}])
				c.addShifted(v, w, d)
			}
		}
	}
}

func unitOf(measure string) string {
	if measure == MeasureMoments || measure == MeasureHandover {
		return measure
	}
	return "persons"
}

// addShifted adds |v - w| ≤ d as two rows with a constant.
func (c *checker) addShifted(v, w checkVar, d float64) {
	if _, ok := c.truth[w]; !ok {
		return
	}
	c.links = append(c.links, checkLink{v, w, d})
}

type checkLink struct {
	v, w checkVar
	d    float64
}

// propagate narrows the bounds to a fixpoint and returns the audited cells
// left with fewer values than they must keep.
func (c *checker) propagate() []checkVar {
	for range 200 {
		changed := false
		for i, terms := range c.sums {
			changed = c.tighten(terms, c.eq[i]) || changed
		}
		for _, k := range c.links {
			vlo, vhi := c.bounds(k.v)
			wlo, whi := c.bounds(k.w)
			if nl, nh := math.Max(vlo, wlo-k.d), math.Min(vhi, whi+k.d); nl > vlo || nh < vhi {
				c.lo[k.v], c.hi[k.v], changed = nl, nh, true
			}
			vlo, vhi = c.bounds(k.v)
			if nl, nh := math.Max(wlo, vlo-k.d), math.Min(whi, vhi+k.d); nl > wlo || nh < whi {
				c.lo[k.w], c.hi[k.w], changed = nl, nh, true
			}
		}
		if !changed {
			break
		}
	}
	var out []checkVar
	for v, a := range c.audit {
		if !a || c.truth[v] == 0 {
			continue
		}
		if lo, hi := c.bounds(v); hi-lo+1 < float64(c.need(v)) {
			out = append(out, v)
		}
	}
	return out
}

// need is how many values a suppressed count must keep.
func (c *checker) need(v checkVar) int {
	if c.truth[v] < c.rules.Threshold {
		return 3
	}
	return 2
}

// tighten bounds each term of Σ terms ≤ 0 (= 0 when eq) by the others.
func (c *checker) tighten(terms []checkTerm, eq bool) bool {
	changed := false
	for i, t := range terms {
		restLo, restHi := 0.0, 0.0
		for j, u := range terms {
			if j == i {
				continue
			}
			lo, hi := c.bounds(u.v)
			if u.coef > 0 {
				restLo, restHi = restLo+lo, restHi+hi
			} else {
				restLo, restHi = restLo-hi, restHi-lo
			}
		}
		lo, hi := c.bounds(t.v)
		// coef·x ≤ -restLo, and ≥ -restHi when eq.
		if t.coef > 0 {
			if nh := math.Floor(-restLo); nh < hi {
				c.hi[t.v], changed = nh, true
			}
			if eq {
				if nl := math.Ceil(-restHi); nl > lo {
					c.lo[t.v], changed = nl, true
				}
			}
		} else {
			if nl := math.Ceil(restLo); nl > lo {
				c.lo[t.v], changed = nl, true
			}
			if eq {
				if nh := math.Floor(restHi); nh < hi {
					c.hi[t.v], changed = nh, true
				}
			}
		}
	}
	return changed
}

// independentAudit fails the test for every cell the checker pins.
func independentAudit(t *testing.T, rules disclosure.Rules, layout ReachLayout, records []ReleaseRecord) {
	t.Helper()
	c := newChecker(rules, layout, records)
	for _, v := range c.propagate() {
		lo, hi := c.bounds(v)
		t.Errorf("independent audit: record %d %s %v (count %d) narrowed to %v..%v", v.record, v.period, v.cell, c.truth[v], lo, hi)
	}
}

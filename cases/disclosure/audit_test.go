package disclosure

import (
	"testing"
)

// rowModel is total = Σ parts, each part and the total shown as given.
func rowModel(r Rules, counts []int, shown []PublishedCell) *Model {
	m := &Model{}
	row := Row{Lo: 0, Hi: 0}
	for i, n := range counts {
		lo, hi := r.Range(shown[i])
		m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi, Audit: shown[i].Status != Published})
		coef := -1
		if i == 0 {
			coef = 1
		}
		row.Terms = append(row.Terms, Term{Var: i, Coef: coef})
	}
	m.Rows = []Row{row}
	return m
}

func TestAuditRoundingProtectsALoneSmallCount(t *testing.T) {
	r := DefaultRules()
	// 15 = 6 + 9 shown as "15", "<10", "<10": 6 could be 4..9.
	m := rowModel(r, []int{15, 6, 9}, []PublishedCell{r.Cell(15), r.Cell(6), r.Cell(9)})
	rep, err := (&Auditor{Rules: r}).Audit(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Ranges[1]; got.Values() < 3 || got.Lo < 4 || got.OuterLo != 4 || got.OuterHi != 9 {
		t.Errorf("range of 6: %+v, want at least three values within 4..9", got)
	}
	if vals := enumerate(m, 40); len(vals[1]) != 6 {
		t.Errorf("enumeration gives %v, want 4..9", vals[1])
	}
	if !rep.Clean() {
		t.Errorf("findings %v", rep.Findings)
	}
}

func TestRangeMatchesRounding(t *testing.T) {
	for _, r := range []Rules{DefaultRules(), {Threshold: 10, RoundingBase: 10}, {Threshold: 12, RoundingBase: 5}, {Threshold: 5, RoundingBase: 1}} {
		for count := 0; count < 300; count++ {
			lo, hi := r.Range(r.Cell(count))
			if count < lo || count > hi {
				t.Fatalf("%+v: count %d outside the range %d..%d of its cell", r, count, lo, hi)
			}
			for other := 0; other < 320; other++ {
				if inside := other >= lo && other <= hi; inside != (r.Cell(other) == r.Cell(count)) {
					t.Fatalf("%+v: %d shown as %v; range of %d's cell is %d..%d", r, other, r.Cell(other), count, lo, hi)
				}
			}
		}
	}
}

// enumerate is an independent check by exhaustive integer enumeration: the
// values each variable takes over all integer points within its range
// (capped at limit) that satisfy every row. A row is checked as soon as its
// last variable (by index) has a value, so models whose sums follow their
// parts enumerate quickly.
func enumerate(m *Model, limit int) []map[int]bool {
	values := make([]map[int]bool, len(m.Vars))
	for i := range values {
		values[i] = map[int]bool{}
	}
	closes := make([][]Row, len(m.Vars)) // rows by their last variable
	for _, row := range m.Rows {
		last := 0
		for _, t := range row.Terms {
			last = max(last, t.Var)
		}
		closes[last] = append(closes[last], row)
	}
	point := make([]int, len(m.Vars))
	var walk func(i int)
	walk = func(i int) {
		if i == len(point) {
			for j, v := range point {
				values[j][v] = true
			}
			return
		}
		for v := m.Vars[i].Lo; v <= min(m.Vars[i].Hi, limit); v++ {
			point[i] = v
			if holds(closes[i], point) {
				walk(i + 1)
			}
		}
	}
	walk(0)
	return values
}

// holds reports whether point satisfies every row.
func holds(rows []Row, point []int) bool {
	for _, row := range rows {
		sum := 0
		for _, t := range row.Terms {
			sum += t.Coef * point[t.Var]
		}
		if (row.Lo != -NoLimit && sum < row.Lo) || (row.Hi != NoLimit && sum > row.Hi) {
			return false
		}
	}
	return true
}

// TestHalfYearQuarterPattern: a half-year's cell published "20" with both
// quarters "<10" forces both quarters to 9 (half ≤ Q3 + Q4). The audit
// finds it; suppression hides the half-year's cell; exhaustive enumeration
// confirms each quarter then keeps at least three values.
func TestHalfYearQuarterPattern(t *testing.T) {
	r := DefaultRules()
	m := &Model{}
	for _, n := range []int{18, 9, 9} {
		lo, hi := r.Range(r.Cell(n))
		m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi, Audit: r.isSmall(n)})
	}
	m.Vars[0].Candidate, m.Vars[0].Cost = true, 18
	m.Rows = []Row{
		{Terms: []Term{{0, 1}, {1, -1}, {2, -1}}, Lo: -NoLimit, Hi: 0}, // H ≤ Q3 + Q4
		{Terms: []Term{{1, 1}, {0, -1}}, Lo: -NoLimit, Hi: 0},          // Q3 ≤ H
		{Terms: []Term{{2, 1}, {0, -1}}, Lo: -NoLimit, Hi: 0},          // Q4 ≤ H
	}
	a := &Auditor{Rules: r}
	rep, err := a.Audit(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) < 2 {
		t.Fatalf("findings %v, want both quarters", rep.Findings)
	}
	if vals := enumerate(m, 60); len(vals[1]) != 1 {
		t.Fatalf("enumeration gives Q3 %v, want pinned", vals[1])
	}
	suppressed, rep, err := a.Suppress(m)
	if err != nil || !rep.Clean() || len(suppressed) != 1 || suppressed[0] != 0 {
		t.Fatalf("suppress: %v %v %v", suppressed, rep, err)
	}
	for _, q := range []int{1, 2} {
		if vals := enumerate(m, 60); len(vals[q]) < 3 {
			t.Errorf("quarter %d keeps %v", q, vals[q])
		}
	}
}

// TestVersionDifferencing: "vrouw" of all programmes published 395 in
// version 1 (397 persons) and 400 in version 2 after one person more: with
// the change known to be one person, both counts are determined.
func TestVersionDifferencing(t *testing.T) {
	r := DefaultRules()
	m := &Model{}
	for _, n := range []int{397, 398} {
		lo, hi := r.Range(r.Cell(n))
		m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi})
	}
	m.Rows = []Row{{Terms: []Term{{0, 1}, {1, -1}}, Lo: -1, Hi: 1}}
	rep, err := (&Auditor{Rules: r}).Audit(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 2 {
		t.Errorf("findings %v, want both versions", rep.Findings)
	}
}

package disclosure

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tableModel is a random 2×3 table with its row, column and grand totals,
// every count shown as the rules show it.
func tableModel(rng *rand.Rand, r Rules) *Model {
	m := &Model{}
	add := func(n int) int {
		c := r.Cell(n)
		lo, hi := r.Range(c)
		m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi, Audit: c.Status != Published && n > 0})
		return len(m.Vars) - 1
	}
	var cell [2][3]int
	rows, cols, all := [2]int{}, [3]int{}, 0
	for i := range 2 {
		for j := range 3 {
			n := rng.IntN(14)
			cell[i][j] = add(n)
			rows[i] += n
			cols[j] += n
			all += n
		}
	}
	sum := func(total int, parts ...int) {
		row := Row{Terms: []Term{{add(total), 1}}}
		for _, p := range parts {
			row.Terms = append(row.Terms, Term{p, -1})
		}
		m.Rows = append(m.Rows, row)
	}
	for i := range 2 {
		sum(rows[i], cell[i][0], cell[i][1], cell[i][2])
	}
	for j := range 3 {
		sum(cols[j], cell[0][j], cell[1][j])
	}
	sum(all, cell[0][0], cell[0][1], cell[0][2], cell[1][0], cell[1][1], cell[1][2])
	return m
}

// TestProgramsWithinEnumeration drives the linear programs (the audit's
// last step, after the witness search) on their own: for every audited
// count of random tables, the values they prove possible are values an
// exhaustive enumeration of the integer points finds, and the outer range
// holds every value it finds. A table's sums are a network: the programs'
// optima are integer points.
func TestProgramsWithinEnumeration(t *testing.T) {
	r := DefaultRules()
	rng := rand.New(rand.NewPCG(3, 5))
	a := &Auditor{Rules: r}
	checked, programs := 0, 0
	for range 30 {
		m := tableModel(rng, r)
		vals := enumerateTable(m)
		lo, hi := propagate(m)
		red := reduce(m, lo, hi)
		for _, c := range red.components() {
			res := a.solve(m, red, c, map[int][2]int{})
			programs += res.programs
			for v, b := range res.ranges {
				emin, emax := math.Inf(1), math.Inf(-1)
				for x := range vals[v] {
					emin, emax = math.Min(emin, float64(x)), math.Max(emax, float64(x))
				}
				if b.inner[0] < emin-roundingTol || b.inner[1] > emax+roundingTol {
					t.Errorf("count %d (%d): programs prove %v..%v, enumeration finds %v..%v", v, m.Vars[v].Count, b.inner[0], b.inner[1], emin, emax)
				}
				if b.outer[0] > emin || b.outer[1] < emax {
					t.Errorf("count %d: outer range %v..%v leaves out values of %v..%v", v, b.outer[0], b.outer[1], emin, emax)
				}
				checked++
			}
		}
	}
	if checked == 0 || programs == 0 {
		t.Fatalf("%d ranges, %d programs: the programs were not driven", checked, programs)
	}
	t.Logf("%d ranges checked, %d programs", checked, programs)
}

// enumerateTable enumerates tableModel's integer points by its six cells
// (each up to 20), the totals following from them.
func enumerateTable(m *Model) []map[int]bool {
	values := make([]map[int]bool, len(m.Vars))
	for i := range values {
		values[i] = map[int]bool{}
	}
	point := make([]int, len(m.Vars))
	var walk func(i int)
	walk = func(i int) {
		if i < 6 {
			for x := m.Vars[i].Lo; x <= min(m.Vars[i].Hi, 20); x++ {
				point[i] = x
				walk(i + 1)
			}
			return
		}
		for _, row := range m.Rows { // total - Σ parts = 0
			total := 0
			for _, t := range row.Terms[1:] {
				total += point[t.Var]
			}
			v := row.Terms[0].Var
			if total < m.Vars[v].Lo || total > m.Vars[v].Hi {
				return
			}
			point[v] = total
		}
		for j, x := range point {
			values[j][x] = true
		}
	}
	walk(0)
	return values
}

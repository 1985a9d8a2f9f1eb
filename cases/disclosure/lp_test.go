package disclosure

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tableModel is a random 2×3 table with its row, column and grand totals,
// every count shown as the rules show it; each total comes after its parts
// (enumerate prunes by it).
func tableModel(rng *rand.Rand, r Rules) *Model {
	m := &Model{}
	sum := func(parts ...int) {
		total := 0
		row := Row{}
		for _, p := range parts {
			total += m.Vars[p].Count
			row.Terms = append(row.Terms, Term{p, -1})
		}
		row.Terms = append(row.Terms, Term{addShown(m, r, total), 1})
		m.Rows = append(m.Rows, row)
	}
	var cell [2][3]int
	for i := range 2 {
		for j := range 3 {
			cell[i][j] = addShown(m, r, rng.IntN(14))
		}
		sum(cell[i][:]...)
	}
	for j := range 3 {
		sum(cell[0][j], cell[1][j])
	}
	sum(cell[0][0], cell[0][1], cell[0][2], cell[1][0], cell[1][1], cell[1][2])
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
		vals := enumerate(m, 100)
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

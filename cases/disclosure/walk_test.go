package disclosure

import (
	"math/rand/v2"
	"testing"
)

// chainModel is a random table of periods like the reach tables': per
// flow, quarters, two half-years and a year with every tiling as an
// equality, stages made ≥ accepted per period, and a total of the flows
// per period, each count shown as the rules show it (small ones "<10",
// audited). A count moved in a quarter must move its half-year, its year
// and a total, or be paid back by another flow: the long chains the
// depth-first search gives up on.
func chainModel(rng *rand.Rand, r Rules, flows int) *Model {
	m := &Model{}
	add := func(n int) int { return addShown(m, r, n) }
	sum := func(lhs int, parts ...int) {
		row := Row{Terms: []Term{{lhs, 1}}}
		for _, p := range parts {
			row.Terms = append(row.Terms, Term{p, -1})
		}
		m.Rows = append(m.Rows, row)
	}
	const periods = 7                       // Q1..Q4, H1, H2, year
	cells := make([][2][periods]int, flows) // flow × stage × period
	for f := range flows {
		for st := range 2 {
			for q := range 4 {
				n := rng.IntN(6)
				if st == 1 {
					n = rng.IntN(m.Vars[cells[f][0][q]].Count + 1)
				}
				cells[f][st][q] = add(n)
			}
			count := func(q int) int { return m.Vars[cells[f][st][q]].Count }
			cells[f][st][4] = add(count(0) + count(1))
			cells[f][st][5] = add(count(2) + count(3))
			cells[f][st][6] = add(count(0) + count(1) + count(2) + count(3))
			c := cells[f][st]
			sum(c[4], c[0], c[1])
			sum(c[5], c[2], c[3])
			sum(c[6], c[4], c[5])
			sum(c[6], c[0], c[1], c[2], c[3])
		}
		for p := range periods {
			m.Rows = append(m.Rows, Row{Terms: []Term{{cells[f][1][p], 1}, {cells[f][0][p], -1}}, Lo: -NoLimit, Hi: 0})
		}
	}
	for st := range 2 {
		for p := range periods {
			var parts []int
			total := 0
			for f := range flows {
				parts = append(parts, cells[f][st][p])
				total += m.Vars[cells[f][st][p]].Count
			}
			sum(add(total), parts...)
		}
	}
	return m
}

// addShown adds a count shown as the rules show it (audited when it is not
// published and not zero) and returns its index.
func addShown(m *Model, r Rules, n int) int {
	c := r.Cell(n)
	lo, hi := r.Range(c)
	m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi, Audit: c.Status != Published && n > 0})
	return len(m.Vars) - 1
}

// TestWalkWitnessesFit: every point the local search returns fits every
// range and relation and has the audited count moved as asked; and on
// these tables, where every small count has room, it finds them.
func TestWalkWitnessesFit(t *testing.T) {
	r := DefaultRules()
	rng := rand.New(rand.NewPCG(7, 11))
	found, tried := 0, 0
	for range 20 {
		m := chainModel(rng, r, 2+rng.IntN(6))
		if err := m.check(); err != nil {
			t.Fatal(err)
		}
		w := newWitness(m, nil, nil)
		for v, x := range m.Vars {
			if !x.Audit {
				continue
			}
			for _, step := range []int{1, -1} {
				if w.reset(); !w.fits(v, step) {
					continue
				}
				tried++
				if !w.walk(v, step, 0) {
					continue
				}
				found++
				point := w.truth()
				for _, u := range w.moved {
					point[u] += w.delta[u]
				}
				if point[v] != x.Count+step {
					t.Fatalf("count %d at %d, want %d", v, point[v], x.Count+step)
				}
				for u, y := range m.Vars {
					if point[u] < y.Lo || point[u] > y.Hi {
						t.Fatalf("count %d at %d outside %d..%d (audited %d step %d, delta %d, moved %v)", u, point[u], y.Lo, y.Hi, v, step, w.delta[u], w.moved)
					}
				}
				for ri, row := range m.Rows {
					s := 0
					for _, tm := range row.Terms {
						s += tm.Coef * point[tm.Var]
					}
					if (row.Lo != -NoLimit && s < row.Lo) || (row.Hi != NoLimit && s > row.Hi) {
						t.Fatalf("row %d broken by the witness of count %d", ri, v)
					}
				}
			}
		}
	}
	t.Logf("%d of %d moves found", found, tried)
	if tried == 0 || found*10 < tried*9 {
		t.Errorf("%d of %d moves found, want at least 90%%", found, tried)
	}
}

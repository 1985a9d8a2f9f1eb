package disclosure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomCount draws zeros, small counts and large counts, about 3:3:4.
func randomCount(rng *rand.Rand) int {
	switch n := rng.IntN(10); {
	case n < 3:
		return 0
	case n < 6:
		return 1 + rng.IntN(9)
	default:
		return 10 + rng.IntN(150)
	}
}

func randomCounts(rng *rand.Rand, rows, cols int) [][]int {
	g := make([][]int, rows)
	for i := range g {
		g[i] = make([]int, cols)
		for j := range g[i] {
			g[i][j] = randomCount(rng)
		}
	}
	return g
}

// randomUnionGrid returns a table whose rows add up but whose column totals
// count distinct persons: each lies between the column's largest cell and
// its sum.
func randomUnionGrid(rng *rand.Rand, rows, cols int) Grid2D {
	g := Grid2D{
		Counts:           randomCounts(rng, rows, cols),
		RowTotals:        make([]int, rows),
		ColTotals:        make([]int, cols),
		RowTotalsAreSums: true,
	}
	for j := range cols {
		largest, sum := 0, 0
		for i := range rows {
			largest, sum = max(largest, g.Counts[i][j]), sum+g.Counts[i][j]
		}
		g.ColTotals[j] = largest + rng.IntN(sum-largest+1)
		g.Grand += g.ColTotals[j]
	}
	for i, row := range g.Counts {
		for _, c := range row {
			g.RowTotals[i] += c
		}
	}
	return g
}

// randomTables returns, for one seed, an additive 2-way table of 2×2 to
// 6×8, an additive 2×3×3 table and a 2-way table with union totals.
func randomTables(t *testing.T, seed uint64) map[string]Table {
	rng := rand.New(rand.NewPCG(seed, 0))
	additive2D, err := Additive2D(randomCounts(rng, 2+rng.IntN(5), 2+rng.IntN(7)))
	if err != nil {
		t.Fatal(err)
	}
	additive3D, err := Additive3D([][][]int{randomCounts(rng, 3, 3), randomCounts(rng, 3, 3)})
	if err != nil {
		t.Fatal(err)
	}
	union, err := randomUnionGrid(rng, 2+rng.IntN(5), 2+rng.IntN(7)).Table()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Table{"2-way": additive2D, "3-way": additive3D, "union": union}
}

func TestProtectProperties(t *testing.T) {
	for seed := range uint64(500) {
		r := DefaultRules()
		if seed%5 == 0 {
			r = Rules{Threshold: 15, RoundingBase: 10}
		}
		for name, tab := range randomTables(t, seed) {
			t.Run(fmt.Sprintf("seed %d %s", seed, name), func(t *testing.T) {
				p, err := Protect(tab, r)
				if err != nil {
					t.Fatal(err)
				}
				checkPublishedValues(t, tab, r, p)
				requireSafe(t, tab, r, p)
				checkLineSums(t, tab, r, p)
				checkNotDeterminedByRank(t, tab, p)
				checkBoundsHoldTruth(t, tab, r, p)
			})
		}
	}
}

// checkPublishedValues: small counts, and only they, are primary, and no
// published value looks like a small count.
func checkPublishedValues(t *testing.T, tab Table, r Rules, p Protection) {
	t.Helper()
	for i, c := range p.Cells {
		count := tab.counts[i]
		if small := count >= 1 && count < r.Threshold; small != (c.Status == Primary) {
			t.Errorf("cell %d (count %d) has status %v", i, count, c.Status)
		}
		if c.Status == Published && (c.Value >= 1 && c.Value < r.Threshold || c.Value%r.RoundingBase != 0) {
			t.Errorf("cell %d (count %d) published as %d", i, count, c.Value)
		}
		if c.Status == Secondary && count == 0 {
			t.Errorf("cell %d: a zero was suppressed", i)
		}
	}
}

// checkLineSums: where a line's total is published, its suppressed parts add
// up to 0 or at least the threshold.
func checkLineSums(t *testing.T, tab Table, r Rules, p Protection) {
	t.Helper()
	for ri, rel := range tab.relations {
		if p.Cells[rel.Total].Status != Published {
			continue
		}
		sum := 0
		for _, c := range rel.Parts {
			if p.Cells[c].Status != Published {
				sum += tab.counts[c]
			}
		}
		if sum > 0 && sum < r.Threshold {
			t.Errorf("relation %d: suppressed parts sum to %d", ri, sum)
		}
	}
}

// checkNotDeterminedByRank verifies the exact span test independently: a
// suppressed cell is determined iff its column of the relation matrix
// (restricted to suppressed cells) is not a combination of the others, that
// is iff removing it lowers the rank. Floating point suffices for these
// small 0/±1 matrices.
func checkNotDeterminedByRank(t *testing.T, tab Table, p Protection) {
	t.Helper()
	var suppressed []int
	for i, c := range p.Cells {
		if c.Status != Published {
			suppressed = append(suppressed, i)
		}
	}
	matrix := func(skip int) [][]float64 {
		var rows [][]float64
		for _, rel := range tab.relations {
			row := make([]float64, 0, len(suppressed))
			for _, c := range suppressed {
				switch {
				case c == skip:
				case c == rel.Total:
					row = append(row, 1)
				case slices.Contains(rel.Parts, c):
					row = append(row, -1)
				default:
					row = append(row, 0)
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	full := rank(matrix(-1))
	for _, c := range suppressed {
		if rank(matrix(c)) < full {
			t.Errorf("cell %d is determined by the relations", c)
		}
	}
}

// rank returns the rank of m by Gaussian elimination with partial pivoting.
func rank(m [][]float64) int {
	if len(m) == 0 {
		return 0
	}
	r := 0
	for col := 0; col < len(m[0]) && r < len(m); col++ {
		best := r
		for i := r + 1; i < len(m); i++ {
			if math.Abs(m[i][col]) > math.Abs(m[best][col]) {
				best = i
			}
		}
		if math.Abs(m[best][col]) < 1e-9 {
			continue
		}
		m[r], m[best] = m[best], m[r]
		for i := r + 1; i < len(m); i++ {
			f := m[i][col] / m[r][col]
			for j := col; j < len(m[i]); j++ {
				m[i][j] -= f * m[r][j]
			}
		}
		r++
	}
	return r
}

// checkBoundsHoldTruth: the bounds a reader derives always contain the true
// count, so a collapsed range really is a disclosure.
func checkBoundsHoldTruth(t *testing.T, tab Table, r Rules, p Protection) {
	t.Helper()
	status := make([]Status, len(p.Cells))
	for i, c := range p.Cells {
		status[i] = c.Status
	}
	lo, hi := bounds(tab, r, status)
	for i, count := range tab.counts {
		if count < lo[i] || count > hi[i] {
			t.Errorf("cell %d: count %d outside derived bounds [%d, %d]", i, count, lo[i], hi[i])
		}
	}
}

package disclosure

import "math/big"

// echelon holds the relations of a table as rows of the equation
// Total - Σ Parts = 0 over all cells, in exact rational arithmetic, reduced
// over the suppressed cells added so far: each such cell is either the
// pivot of one row, with a 1 there and 0 in every other row, or depends on
// the pivots. Rows without a pivot are 0 in every suppressed column.
type echelon struct {
	rows  [][]big.Rat
	pivot []int // pivot[r] is the pivot cell of row r, or -1
}

func newEchelon(t Table) echelon {
	e := echelon{rows: make([][]big.Rat, len(t.relations)), pivot: make([]int, len(t.relations))}
	for ri, rel := range t.relations {
		row := make([]big.Rat, len(t.counts))
		row[rel.Total].SetInt64(1)
		for _, p := range rel.Parts {
			row[p].SetInt64(-1)
		}
		e.rows[ri], e.pivot[ri] = row, -1
	}
	return e
}

// add brings a newly suppressed cell into the reduction. A row without a
// pivot is 0 in all earlier suppressed columns, so pivoting on it leaves
// those columns as they were.
func (e *echelon) add(cell int) {
	for r, row := range e.rows {
		if e.pivot[r] < 0 && row[cell].Sign() != 0 {
			e.eliminate(r, cell)
			e.pivot[r] = cell
			return
		}
	}
}

// eliminate scales row p so that its entry in column col is 1 and clears
// that column from every other row.
func (e *echelon) eliminate(p, col int) {
	pivotRow := e.rows[p]
	var nonZero []int
	for j := range pivotRow {
		if pivotRow[j].Sign() != 0 {
			nonZero = append(nonZero, j)
		}
	}
	inv := new(big.Rat).Inv(&pivotRow[col])
	for _, j := range nonZero {
		pivotRow[j].Mul(&pivotRow[j], inv)
	}
	var factor, term big.Rat
	for r, row := range e.rows {
		if r == p || row[col].Sign() == 0 {
			continue
		}
		factor.Set(&row[col])
		for _, j := range nonZero {
			row[j].Sub(&row[j], term.Mul(&factor, &pivotRow[j]))
		}
	}
}

// exposure is a suppressed cell whose value follows exactly from the
// published cells, with the proof: the published cells used by the
// combination of relations that isolates it.
type exposure struct {
	cell    int
	witness []int
}

// exposures returns the suppressed cells that the relations determine.
//
// With the published cells known, suppressed cell i is determined iff some
// linear combination of relations has, among suppressed cells, only cell i
// left: iff e_i lies in the row space of the relation matrix restricted to
// the suppressed columns. In the reduced form that holds iff i is a pivot
// and its row has no other suppressed entry; that row, over the published
// columns, is the witness.
func (e *echelon) exposures(suppressed []bool) []exposure {
	var found []exposure
	for r, pivot := range e.pivot {
		if pivot < 0 {
			continue
		}
		if x, ok := isolated(e.rows[r], pivot, suppressed); ok {
			found = append(found, x)
		}
	}
	return found
}

// isolated reports whether row leaves pivot as its only suppressed cell,
// and if so returns the exposure it proves.
func isolated(row []big.Rat, pivot int, suppressed []bool) (exposure, bool) {
	x := exposure{cell: pivot}
	for j := range row {
		switch {
		case j == pivot || row[j].Sign() == 0:
		case suppressed[j]:
			return exposure{}, false
		default:
			x.witness = append(x.witness, j)
		}
	}
	return x, true
}

package disclosure

import "math"

// maxVisits caps bound propagation per row. Every visit that changes a bound
// moves an integer bound towards the truth, so it ends anyway; the cap only
// keeps the cost predictable. Bounds are valid after any visit, just
// possibly looser; the linear programs make them tight.
const maxVisits = 200

// propagate returns bounds on every variable implied by the ranges and rows
// (interval constraint propagation over integers): each row bounds each of
// its variables by the bounds of the others, until nothing moves.
func propagate(m *Model) (lo, hi []float64) {
	lo, hi = make([]float64, len(m.Vars)), make([]float64, len(m.Vars))
	for i, v := range m.Vars {
		lo[i], hi[i] = toFloat(v.Lo), toFloat(v.Hi)
	}
	rowsOf := make([][]int, len(m.Vars))
	for ri, row := range m.Rows {
		for _, t := range row.Terms {
			rowsOf[t.Var] = append(rowsOf[t.Var], ri)
		}
	}
	queued := make([]bool, len(m.Rows))
	queue := make([]int, 0, len(m.Rows))
	for ri := range m.Rows {
		queue, queued[ri] = append(queue, ri), true
	}
	visits := make([]int, len(m.Rows))
	for len(queue) > 0 {
		ri := queue[0]
		queue, queued[ri] = queue[1:], false
		if visits[ri]++; visits[ri] > maxVisits {
			continue
		}
		for _, v := range tightenRow(m.Rows[ri], lo, hi) {
			for _, rj := range rowsOf[v] {
				if !queued[rj] {
					queue, queued[rj] = append(queue, rj), true
				}
			}
		}
	}
	return lo, hi
}

// activity is the range of Σ coef·x over a box, with the infinite
// contributions counted apart so each term can be left out exactly.
type activity struct {
	min, max       float64
	minInf, maxInf int
}

func activityOf(terms []Term, lo, hi []float64) activity {
	var a activity
	for _, t := range terms {
		a.add(termRange(t, lo, hi))
	}
	return a
}

// add adds a term's range l..h.
func (a *activity) add(l, h float64) {
	if math.IsInf(l, -1) {
		a.minInf++
	} else {
		a.min += l
	}
	if math.IsInf(h, 1) {
		a.maxInf++
	} else {
		a.max += h
	}
}

// without returns the range of the activity without term t.
func (a activity) without(t Term, lo, hi []float64) (minRest, maxRest float64) {
	l, h := termRange(t, lo, hi)
	minRest, maxRest = math.Inf(-1), math.Inf(1)
	switch {
	case math.IsInf(l, -1) && a.minInf == 1:
		minRest = a.min
	case !math.IsInf(l, -1) && a.minInf == 0:
		minRest = a.min - l
	}
	switch {
	case math.IsInf(h, 1) && a.maxInf == 1:
		maxRest = a.max
	case !math.IsInf(h, 1) && a.maxInf == 0:
		maxRest = a.max - h
	}
	return minRest, maxRest
}

func (a activity) lo() float64 {
	if a.minInf > 0 {
		return math.Inf(-1)
	}
	return a.min
}

func (a activity) hi() float64 {
	if a.maxInf > 0 {
		return math.Inf(1)
	}
	return a.max
}

func termRange(t Term, lo, hi []float64) (float64, float64) {
	c := float64(t.Coef)
	if c > 0 {
		return c * lo[t.Var], c * hi[t.Var]
	}
	return c * hi[t.Var], c * lo[t.Var]
}

// tightenRow narrows the bounds of the variables of row and returns those
// that moved.
func tightenRow(row Row, lo, hi []float64) []int {
	rowLo, rowHi := toFloat(row.Lo), toFloat(row.Hi)
	a := activityOf(row.Terms, lo, hi)
	var moved []int
	for _, t := range row.Terms {
		minRest, maxRest := a.without(t, lo, hi)
		c := float64(t.Coef)
		// rowLo - maxRest ≤ c·x ≤ rowHi - minRest
		cl, ch := rowLo-maxRest, rowHi-minRest
		var nl, nh float64
		if c > 0 {
			nl, nh = cl/c, ch/c
		} else {
			nl, nh = ch/c, cl/c
		}
		nl, nh = math.Ceil(nl-1e-9), math.Floor(nh+1e-9)
		changed := false
		if !math.IsNaN(nl) && nl > lo[t.Var] {
			lo[t.Var], changed = nl, true
		}
		if !math.IsNaN(nh) && nh < hi[t.Var] {
			hi[t.Var], changed = nh, true
		}
		if changed {
			moved = append(moved, t.Var)
			a = activityOf(row.Terms, lo, hi)
		}
	}
	return moved
}

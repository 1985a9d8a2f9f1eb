package disclosure

import (
	"math"
	"slices"
)

// frow is a row over the box: lo ≤ Σ terms ≤ hi, with infinite sides.
type frow struct {
	terms  []Term
	lo, hi float64
}

// reduction is a model cut down, without changing what it implies for the
// audited variables, to what a linear program must still decide:
//   - variables the box fixes are replaced by their value;
//   - rows the box alone satisfies are dropped (the box is implied by the
//     model, so they add nothing);
//   - a variable that is not audited and is left in a single row is
//     projected out of it: the row's range widens by the variable's range
//     (exact Fourier–Motzkin elimination for a variable in one row).
//
// What is left falls apart into independent components.
type reduction struct {
	lo, hi []float64
	rows   []frow
}

func reduce(m *Model, lo, hi []float64) *reduction {
	r := &reduction{lo: lo, hi: hi}
	for _, row := range m.Rows {
		r.rows = append(r.rows, frow{terms: slices.Clone(row.Terms), lo: toFloat(row.Lo), hi: toFloat(row.Hi)})
	}
	keep := make([]bool, len(m.Vars))
	for i, v := range m.Vars {
		keep[i] = v.Audit
	}
	for r.pass(keep) {
	}
	return r
}

// pass simplifies every row once and projects out lone variables; it
// reports whether anything changed.
func (r *reduction) pass(keep []bool) bool {
	changed := false
	out := r.rows[:0]
	for _, row := range r.rows {
		row, c := r.simplify(row)
		changed = changed || c
		if len(row.terms) == 1 {
			r.bound(row)
		}
		if r.redundant(row) {
			changed = true
			continue
		}
		out = append(out, row)
	}
	r.rows = out
	occurs := map[int][]int{}
	for ri, row := range r.rows {
		for _, t := range row.terms {
			occurs[t.Var] = append(occurs[t.Var], ri)
		}
	}
	for v, rows := range occurs {
		if keep[v] || len(rows) != 1 {
			continue
		}
		row := &r.rows[rows[0]]
		i := slices.IndexFunc(row.terms, func(t Term) bool { return t.Var == v })
		l, h := termRange(row.terms[i], r.lo, r.hi)
		row.lo, row.hi = row.lo-h, row.hi-l
		row.terms = slices.Delete(row.terms, i, i+1)
		changed = true
	}
	return changed
}

// bound moves a row of one variable into the box. Propagation has usually
// done so already; this covers rows it stopped visiting.
func (r *reduction) bound(row frow) {
	t := row.terms[0]
	c := float64(t.Coef)
	l, h := row.lo/c, row.hi/c
	if c < 0 {
		l, h = h, l
	}
	r.lo[t.Var] = max(r.lo[t.Var], math.Ceil(l-1e-9))
	r.hi[t.Var] = min(r.hi[t.Var], math.Floor(h+1e-9))
}

// simplify replaces fixed variables by their value.
func (r *reduction) simplify(row frow) (frow, bool) {
	changed := false
	terms := row.terms[:0]
	for _, t := range row.terms {
		if r.lo[t.Var] == r.hi[t.Var] {
			v := float64(t.Coef) * r.lo[t.Var]
			row.lo, row.hi = row.lo-v, row.hi-v
			changed = true
			continue
		}
		terms = append(terms, t)
	}
	row.terms = terms
	return row, changed
}

// redundant reports whether the box alone satisfies row. A row of one
// variable is a bound, already in the box.
func (r *reduction) redundant(row frow) bool {
	if len(row.terms) <= 1 || (math.IsInf(row.lo, -1) && math.IsInf(row.hi, 1)) {
		return true
	}
	a := activityOf(row.terms, r.lo, r.hi)
	return a.lo() >= row.lo-1e-9 && a.hi() <= row.hi+1e-9
}

// component is a set of variables and the rows among them.
type component struct {
	vars []int
	rows []frow
}

// components splits the rows into independent components (union-find).
func (r *reduction) components() []component {
	parent := map[int]int{}
	var find func(int) int
	find = func(v int) int {
		p, ok := parent[v]
		if !ok || p == v {
			parent[v] = v
			return v
		}
		root := find(p)
		parent[v] = root
		return root
	}
	for _, row := range r.rows {
		first := find(row.terms[0].Var)
		for _, t := range row.terms[1:] {
			if root := find(t.Var); root != first {
				parent[root] = first
			}
		}
	}
	index := map[int]int{}
	var out []component
	for _, row := range r.rows {
		root := find(row.terms[0].Var)
		ci, ok := index[root]
		if !ok {
			ci = len(out)
			index[root] = ci
			out = append(out, component{})
		}
		out[ci].rows = append(out[ci].rows, row)
	}
	for v := range parent {
		ci := index[find(v)]
		out[ci].vars = append(out[ci].vars, v)
	}
	for i := range out {
		slices.Sort(out[i].vars)
	}
	return out
}

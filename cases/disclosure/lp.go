package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// The linear programs are solved with gonum's simplex (optimize/convex/lp):
// pure Go, maintained, exact enough for these small integer systems, and
// its standard form accepts a starting basis, which saves Phase I. It is
// dense and refactorises the basis every step, so it is only used on the
// small components that reduce leaves.
//
// Each program is written in the deviation d = x - truth of the counts from
// their true values, every relation and bound as G·d ≤ h. The truth is
// feasible, so h ≥ 0 and the slack variables form a feasible starting
// basis. h is raised by a tiny amount per row so that start is not
// degenerate; the optima move by far less than the tolerance with which
// they are rounded to integers.
const (
	lpTol       = 1e-9
	perturb     = 1e-9
	roundingTol = 1e-6
)

// program is the standard form of one component.
type program struct {
	vars  []int // global variable of each local one
	truth []float64
	a     *mat.Dense
	b     []float64
}

// newProgram writes the program over vars (global indices) with rows that
// name only them, in the box lo..hi (by local index).
func newProgram(m *Model, lo, hi []float64, vars []int, rows []frow) *program {
	k := len(vars)
	local := make(map[int]int, k)
	p := &program{vars: vars, truth: make([]float64, k)}
	for j, v := range vars {
		local[v] = j
		p.truth[j] = float64(m.Vars[v].Count)
	}
	var g [][]float64
	add := func(coefs map[int]float64, sign, limit, at float64) {
		if math.IsInf(limit, 0) {
			return
		}
		row := make([]float64, k)
		for j, c := range coefs {
			row[j] = sign * c
		}
		g = append(g, row)
		p.b = append(p.b, sign*(limit-at)+perturb*float64(1+len(p.b)%7))
	}
	for j := range vars {
		one := map[int]float64{j: 1}
		add(one, 1, hi[j], p.truth[j])
		add(one, -1, lo[j], p.truth[j])
	}
	for _, row := range rows {
		coefs := map[int]float64{}
		at := 0.0
		for _, t := range row.terms {
			j := local[t.Var]
			coefs[j] += float64(t.Coef)
			at += float64(t.Coef) * p.truth[j]
		}
		add(coefs, 1, row.hi, at)
		add(coefs, -1, row.lo, at)
	}
	rowsN := len(g)
	p.a = mat.NewDense(rowsN, 2*k+rowsN, nil)
	for i, row := range g {
		for j, c := range row {
			p.a.Set(i, j, c)
			p.a.Set(i, k+j, -c)
		}
		p.a.Set(i, 2*k+i, 1)
	}
	return p
}

// errNoSolution is a solver failure (numerical trouble), not a property of
// the model: the caller falls back to the propagated bound.
var errNoSolution = errors.New("disclosure: linear program not solved")

// optimise maximises (sign 1) or minimises (sign -1) Σ x over the local
// variables in which, and returns the optimum and the counts at it. An
// unbounded program returns +Inf or -Inf and no counts.
func (p *program) optimise(which []int, sign float64) (float64, []float64, error) {
	k := len(p.vars)
	rows, cols := p.a.Dims()
	c := make([]float64, cols)
	for _, j := range which {
		c[j] -= sign
		c[k+j] += sign
	}
	basis := make([]int, rows)
	for i := range basis {
		basis[i] = 2*k + i
	}
	opt, x, err := lp.Simplex(c, p.a, p.b, lpTol, basis)
	switch {
	case errors.Is(err, lp.ErrUnbounded):
		return sign * math.Inf(1), nil, nil
	case err != nil:
		return 0, nil, errNoSolution
	}
	counts := make([]float64, k)
	at := 0.0
	for j := range counts {
		counts[j] = p.truth[j] + x[j] - x[k+j]
	}
	for _, j := range which {
		at += p.truth[j]
	}
	return at - sign*opt, counts, nil
}

// local holds one component for programs over neighbourhoods of a count,
// and the values proven possible so far for each count.
type local struct {
	m              *Model
	red            *reduction
	rows           []frow
	rowsOf         map[int][]int
	size           int
	seenLo, seenHi map[int]float64
}

func newLocal(m *Model, red *reduction, c component) *local {
	l := &local{m: m, red: red, rows: c.rows, rowsOf: map[int][]int{}, size: len(c.vars),
		seenLo: map[int]float64{}, seenHi: map[int]float64{}}
	for ri, row := range c.rows {
		for _, t := range row.terms {
			l.rowsOf[t.Var] = append(l.rowsOf[t.Var], ri)
		}
	}
	for _, v := range c.vars {
		l.seenLo[v], l.seenHi[v] = float64(m.Vars[v].Count), float64(m.Vars[v].Count)
	}
	return l
}

// ball returns the counts at most depth relations from v, at most limit
// of them (capped says some were left out), and whether they are the whole
// component.
func (l *local) ball(v, depth, limit int) (free []int, whole, capped bool) {
	seen := map[int]bool{v: true}
	frontier := []int{v}
	for d := 0; d < depth && len(frontier) > 0 && !capped; d++ {
		var next []int
		for _, u := range frontier {
			for _, ri := range l.rowsOf[u] {
				for _, t := range l.rows[ri].terms {
					if seen[t.Var] {
						continue
					}
					if len(seen) == limit {
						capped = true
						continue
					}
					seen[t.Var] = true
					next = append(next, t.Var)
				}
			}
		}
		frontier = next
	}
	for u := range seen {
		free = append(free, u)
	}
	slices.Sort(free)
	return free, len(free) == l.size, capped
}

// proven is how many integer values of v are proven possible.
func (l *local) proven(v int) int {
	hi := l.seenHi[v]
	if math.IsInf(hi, 1) {
		return 1000
	}
	return int(math.Floor(hi+roundingTol) - math.Ceil(l.seenLo[v]-roundingTol) + 1)
}

// program is the program over free counts, the others held at their true
// values, with a key naming everything it reads.
func (l *local) program(free []int) (*program, string) {
	isFree := map[int]bool{}
	for _, v := range free {
		isFree[v] = true
	}
	// The box of the free counts, by local index, narrowed by the rows
	// left with one free count; rows the box satisfies are left out. The
	// program is the same polytope with fewer rows: the dense simplex
	// refactorises a basis as large as its rows at every step.
	local := make(map[int]int, len(free))
	lo, hi := make([]float64, len(free)), make([]float64, len(free))
	for j, v := range free {
		local[v] = j
		lo[j], hi[j] = l.red.lo[v], l.red.hi[v]
	}
	done := map[int]bool{}
	var rows []frow
	for _, v := range free {
		for _, ri := range l.rowsOf[v] {
			if done[ri] {
				continue
			}
			done[ri] = true
			row := l.rows[ri]
			out := frow{lo: row.lo, hi: row.hi}
			for _, t := range row.terms {
				if isFree[t.Var] {
					out.terms = append(out.terms, t)
				} else {
					c := float64(t.Coef * l.m.Vars[t.Var].Count)
					out.lo, out.hi = out.lo-c, out.hi-c
				}
			}
			if len(out.terms) == 1 {
				t := out.terms[0]
				j, c := local[t.Var], float64(t.Coef)
				bl, bh := out.lo/c, out.hi/c
				if c < 0 {
					bl, bh = bh, bl
				}
				lo[j], hi[j] = max(lo[j], math.Ceil(bl-1e-9)), min(hi[j], math.Floor(bh+1e-9))
				continue
			}
			rows = append(rows, out)
		}
	}
	kept := rows[:0]
	for _, row := range rows {
		var a activity
		for _, t := range row.terms {
			a.add(termRange(Term{Var: local[t.Var], Coef: t.Coef}, lo, hi))
		}
		if a.lo() >= row.lo-1e-9 && a.hi() <= row.hi+1e-9 {
			continue
		}
		kept = append(kept, row)
	}
	rows = kept
	var key strings.Builder
	for j, v := range free {
		fmt.Fprintf(&key, "%d:%d:%g:%g,", v, l.m.Vars[v].Count, lo[j], hi[j])
	}
	for _, row := range rows {
		for _, t := range row.terms {
			fmt.Fprintf(&key, "%d*%d ", t.Coef, t.Var)
		}
		fmt.Fprintf(&key, "%g:%g|", row.lo, row.hi)
	}
	return newProgram(l.m, lo, hi, free, rows), key.String()
}

// reached reports whether v has been seen at its box bound on side sign.
func (l *local) reached(v int, sign float64) bool {
	if sign > 0 {
		return math.Abs(l.seenHi[v]-l.red.hi[v]) < roundingTol
	}
	return math.Abs(l.seenLo[v]-l.red.lo[v]) < roundingTol
}

func (l *local) unbounded(v int, sign float64) {
	if sign > 0 {
		l.seenHi[v] = math.Inf(1)
	} else {
		l.seenLo[v] = math.Inf(-1)
	}
}

// see records an optimum over free counts.
func (l *local) see(free []int, x []float64) {
	for j, v := range free {
		l.seenLo[v], l.seenHi[v] = min(l.seenLo[v], x[j]), max(l.seenHi[v], x[j])
	}
}

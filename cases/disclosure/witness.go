package disclosure

import "slices"

// Witness search proves values possible directly: it looks for integer
// counts that fit every range and relation and differ from the truth in the
// audited count by a given amount. Moving one count breaks the relations it
// is in; the search repairs each broken relation by moving another of its
// counts one step, depth first, and backtracks. Most moves are short
// chains (a small cell up, a neighbour down; a quarter up, its half-year
// and year with it), found in a few steps even in a large component where
// a linear program would be slow. A witness found is a proof; none found
// proves nothing, and the linear programs take over.
//
// The search deepens iteratively (short chains first: a chain that moves a
// cell and its neighbours around one rectangle of sums is four moves), within
// a budget of moves per depth and attempt.
//
// A broken relation is repaired first with the count whose move breaks the
// fewest of its other relations (given the moves made so far), so a chain
// ends as soon as some count has room; the audited count itself is never
// moved back. A search that fails is tried again in other orders of equal
// candidates (a fixed pseudo-random one per attempt): depth first search is
// sensitive to the order, and a second order often finds what the first
// missed.
const (
	witnessDepth        = 24
	witnessNodesDefault = 4000 // moves tried per attempt
	witnessAttempts     = 3
)

type witness struct {
	m      *Model
	rowsOf [][]int
	// base is the point searched from (the truth, or an earlier witness),
	// at the rows' Σ coef·base, delta the moves made from it, sums the rows'
	// Σ coef·delta.
	base    []int
	at      []int
	target  int
	delta   map[int]int
	sums    map[int]int
	touched []int // rows with a sum, in the order first touched
	nodes   int
	limit   int // the deepest chain searched now
	attempt int // 0: fewest relations first; later: shuffled
}

func newWitness(m *Model, rowsOf [][]int) *witness {
	w := &witness{m: m, rowsOf: rowsOf}
	w.setBase(w.truth())
	return w
}

// setBase searches from point from now on.
func (w *witness) setBase(point []int) {
	w.base = point
	w.at = make([]int, len(w.m.Rows))
	for ri, row := range w.m.Rows {
		for _, t := range row.Terms {
			w.at[ri] += t.Coef * point[t.Var]
		}
	}
}

func rowIndex(m *Model) [][]int {
	rowsOf := make([][]int, len(m.Vars))
	for ri, row := range m.Rows {
		for _, t := range row.Terms {
			rowsOf[t.Var] = append(rowsOf[t.Var], ri)
		}
	}
	return rowsOf
}

// slack is how far the sum of row may move down and up from base.
func (w *witness) slack(ri int) (down, up int) {
	row := w.m.Rows[ri]
	at := w.at[ri]
	down, up = NoLimit, NoLimit
	if row.Lo != -NoLimit {
		down = at - row.Lo
	}
	if row.Hi != NoLimit {
		up = row.Hi - at
	}
	return down, up
}

// find looks for a point with v moved by step (±1) from base; on success
// it returns the point. Chains are searched shortest first: each depth
// limit in turn, every attempt's order at each.
func (w *witness) find(v, step int) ([]int, bool) {
	found := false
	w.target = v
	for w.limit = 2; w.limit <= witnessDepth && !found; w.limit += 2 {
		for w.attempt = range witnessAttempts {
			w.delta, w.sums, w.touched, w.nodes = map[int]int{}, map[int]int{}, nil, 0
			if found = w.move(v, step, 0); found {
				break
			}
		}
	}
	if !found {
		return nil, false
	}
	out := slices.Clone(w.base)
	for u, d := range w.delta {
		out[u] += d
	}
	return out, true
}

// move moves u by step and repairs what breaks; on failure it undoes.
func (w *witness) move(u, step, depth int) bool {
	x := w.m.Vars[u]
	now := w.base[u] + w.delta[u] + step
	if now < x.Lo || (x.Hi != Unbounded && now > x.Hi) || depth > w.limit || w.nodes >= witnessNodes {
		return false
	}
	w.nodes++
	w.shift(u, step)
	if w.repair(depth) {
		return true
	}
	w.shift(u, -step)
	return false
}

func (w *witness) shift(u, step int) {
	w.delta[u] += step
	if w.delta[u] == 0 {
		delete(w.delta, u)
	}
	for _, ri := range w.rowsOf[u] {
		for _, t := range w.m.Rows[ri].Terms {
			if t.Var == u {
				if _, ok := w.sums[ri]; !ok {
					w.touched = append(w.touched, ri)
				}
				w.sums[ri] += t.Coef * step
			}
		}
	}
}

// repair fixes the first broken row by moving one of its counts, and
// recurses until no row is broken.
func (w *witness) repair(depth int) bool {
	broken, need := -1, 0
	for _, ri := range w.touched {
		s := w.sums[ri]
		down, up := w.slack(ri)
		switch {
		case up != NoLimit && s > up:
			broken, need = ri, -1
		case down != NoLimit && -s > down:
			broken, need = ri, 1
		default:
			continue
		}
		break
	}
	if broken < 0 {
		return true
	}
	for _, t := range w.candidates(broken, need) {
		// Moving t.Var by step changes the row's sum by coef·step.
		if w.move(t.Var, need*t.Coef, depth+1) {
			return true
		}
	}
	return false
}

// candidates orders a broken row's counts for a repair by need (±1 on
// the row's sum): never the audited count; those not moved yet first; then
// those whose move breaks the fewest of their other rows; then (first
// attempt) the fewest relations, or (later attempts) a shuffled order.
func (w *witness) candidates(ri, need int) []Term {
	type cand struct {
		t              Term
		moved          bool
		breaks, degree int
	}
	var cs []cand
	for _, t := range w.m.Rows[ri].Terms {
		if t.Var == w.target {
			continue
		}
		_, moved := w.delta[t.Var]
		cs = append(cs, cand{t, moved, w.breaks(t.Var, need*t.Coef, ri), len(w.rowsOf[t.Var])})
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		switch {
		case a.moved != b.moved:
			if a.moved {
				return 1
			}
			return -1
		case a.breaks != b.breaks:
			return a.breaks - b.breaks
		case w.attempt > 0:
			return shuffled(a.t.Var, w.attempt) - shuffled(b.t.Var, w.attempt)
		}
		return a.degree - b.degree
	})
	out := make([]Term, len(cs))
	for i, c := range cs {
		out[i] = c.t
	}
	return out
}

// breaks counts the rows other than skip that moving u by step would
// break, given the moves made so far; a move outside u's range counts as
// many.
func (w *witness) breaks(u, step, skip int) int {
	x := w.m.Vars[u]
	if now := w.base[u] + w.delta[u] + step; now < x.Lo || (x.Hi != Unbounded && now > x.Hi) {
		return len(w.m.Rows)
	}
	n := 0
	for _, ri := range w.rowsOf[u] {
		if ri == skip {
			continue
		}
		for _, t := range w.m.Rows[ri].Terms {
			if t.Var != u {
				continue
			}
			s := w.sums[ri] + t.Coef*step
			down, up := w.slack(ri)
			if (up != NoLimit && s > up) || (down != NoLimit && -s > down) {
				n++
			}
		}
	}
	return n
}

// proveRanges searches witnesses for every audited non-zero count and
// records in seen, per count, the lowest and highest values proven
// possible (keeping what seen already holds). Counts in failed are skipped;
// failed, when not nil, gets the counts left short.
func proveRanges(r Rules, m *Model, seen map[int][2]int, failed map[int]bool) {
	rowsOf := rowIndex(m)
	w := newWitness(m, rowsOf)
	note := func(point []int) {
		for v := range w.delta {
			if s, ok := seen[v]; ok {
				seen[v] = [2]int{min(s[0], point[v]), max(s[1], point[v])}
			}
		}
	}
	for v, x := range m.Vars {
		if _, ok := seen[v]; !ok && x.Audit && x.Count > 0 {
			seen[v] = [2]int{x.Count, x.Count}
		}
	}
	for v, x := range m.Vars {
		if !x.Audit || x.Count == 0 || failed[v] {
			continue
		}
		need := r.need(x.Count)
		for _, step := range []int{1, -1} {
			if s := seen[v]; s[1]-s[0]+1 >= need {
				break
			}
			point, ok := w.find(v, step)
			if !ok {
				continue
			}
			note(point)
			if s := seen[v]; s[1]-s[0]+1 < need {
				// One further step the same way, from this witness.
				truth := w.base
				w.setBase(point)
				if further, ok := w.find(v, step); ok {
					note(further)
				}
				w.setBase(truth)
			}
		}
		if s := seen[v]; failed != nil && s[1]-s[0]+1 < need {
			failed[v] = true
		}
	}
}

func (w *witness) truth() []int {
	base := make([]int, len(w.m.Vars))
	for i, v := range w.m.Vars {
		base[i] = v.Count
	}
	return base
}

// shuffled is a fixed pseudo-random rank of v for an attempt.
func shuffled(v, attempt int) int {
	return int(uint32(v*2654435761+attempt*40503) >> 1)
}

// WitnessNodes is the move budget per attempt (a variable for experiments).
var witnessNodes = witnessNodesDefault

// Probe is for experiments: whether a witness moves v by step in m.
func Probe(m *Model, v, step, nodes int) bool {
	old := witnessNodes
	witnessNodes = nodes
	defer func() { witnessNodes = old }()
	w := newWitness(m, rowIndex(m))
	_, ok := w.find(v, step)
	return ok
}

// ProveForProbe runs proveRanges (experiments).
func ProveForProbe(r Rules, m *Model) map[int][2]int {
	seen := map[int][2]int{}
	proveRanges(r, m, seen, nil)
	return seen
}

// ProveOneForProbe runs proveRanges for v alone (experiments).
func ProveOneForProbe(r Rules, m *Model, v int) [2]int {
	mm := *m
	mm.Vars = slices.Clone(m.Vars)
	for i := range mm.Vars {
		mm.Vars[i].Audit = mm.Vars[i].Audit && i == v
	}
	seen := map[int][2]int{}
	proveRanges(r, &mm, seen, nil)
	return seen[v]
}

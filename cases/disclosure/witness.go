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
// The search deepens iteratively (short chains first), within a budget of
// moves per search.
//
// A search that fails is tried again in other orders of the candidates (a
// fixed pseudo-random one per attempt): depth first search is sensitive to
// the order, and a second order often finds what the first missed.
const (
	witnessDepth    = 24
	witnessNodes    = 4000 // moves tried per attempt
	witnessAttempts = 3
)

type witness struct {
	m      *Model
	rowsOf [][]int
	// base is the point searched from (the truth, or an earlier witness),
	// delta the moves made from it, sums the rows' Σ coef·delta.
	base    []int
	delta   map[int]int
	sums    map[int]int
	touched []int // rows with a sum, in the order first touched
	nodes   int
	attempt int // 0: fewest relations first; later: shuffled
}

func newWitness(m *Model, rowsOf [][]int) *witness {
	w := &witness{m: m, rowsOf: rowsOf}
	w.base = w.truth()
	return w
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
	at := 0
	for _, t := range row.Terms {
		at += t.Coef * w.base[t.Var]
	}
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
// it returns the point.
func (w *witness) find(v, step int) ([]int, bool) {
	found := false
	for w.attempt = range witnessAttempts {
		w.delta, w.sums, w.touched, w.nodes = map[int]int{}, map[int]int{}, nil, 0
		if found = w.move(v, step, 0); found {
			break
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
	if now < x.Lo || (x.Hi != Unbounded && now > x.Hi) || depth > witnessDepth || w.nodes >= witnessNodes {
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
	for _, t := range w.candidates(broken) {
		// Moving t.Var by step changes the row's sum by coef·step.
		if w.move(t.Var, need*t.Coef, depth+1) {
			return true
		}
	}
	return false
}

// candidates orders a broken row's counts: those not moved yet, and with
// the fewest other relations, first.
func (w *witness) candidates(ri int) []Term {
	terms := slices.Clone(w.m.Rows[ri].Terms)
	slices.SortStableFunc(terms, func(a, b Term) int {
		_, am := w.delta[a.Var]
		_, bm := w.delta[b.Var]
		if am != bm {
			if am {
				return 1
			}
			return -1
		}
		if w.attempt > 0 {
			return shuffled(a.Var, w.attempt) - shuffled(b.Var, w.attempt)
		}
		return len(w.rowsOf[a.Var]) - len(w.rowsOf[b.Var])
	})
	return terms
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
				w.base = point
				if further, ok := w.find(v, step); ok {
					note(further)
				}
				w.base = w.truth()
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

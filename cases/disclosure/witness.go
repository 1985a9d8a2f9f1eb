package disclosure

import "slices"

// Witness search proves values possible directly: it looks for integer
// counts that fit every range and relation and differ from the truth in the
// audited count by a given amount. Moving one count breaks the relations it
// is in; the search repairs each broken relation by moving another of its
// counts one step, depth first, and backtracks. Most moves are short
// chains (a small cell up, a neighbour down; a quarter up, its half-year
// and year with it), found in a few steps even in a large component where
// a linear program would be slow. Where it finds none, the local search of
// walk.go tries. A witness found is a proof; none found proves nothing, and
// the linear programs take over.
//
// The search deepens iteratively (short chains first: a chain that moves a
// cell and its neighbours around one rectangle of sums is four moves), within
// a budget of moves per depth and attempt, and stops deepening when a depth
// was searched completely (no branch stopped at the limit or the budget).
// It stays inside the propagated box: a move out of it cannot be part of
// any witness.
//
// A broken relation is repaired first with the count whose move breaks the
// fewest of its other relations (given the moves made so far), so a chain
// ends as soon as some count has room; the audited count itself is never
// moved back. A search that fails is tried again in other orders of equal
// candidates (a fixed pseudo-random one per attempt): depth first search is
// sensitive to the order, and a second order often finds what the first
// missed.
const (
	witnessNodesDefault = 4000 // moves tried per attempt
	witnessAttempts     = 3
)

// witnessLimits are the depth limits searched in turn, doubling: a failed
// search costs each limit's budget again, so fewer limits cost less, and
// a chain found at a limit is at most twice as long as the shortest.
var witnessLimits = []int{2, 4, 8, 16, 24}

type witness struct {
	m *Model
	// occ lists, per count, the rows it is in with its coefficient there.
	occ [][]occurrence
	// lo and hi are the propagated box: no point outside it fits, so no
	// move leaves it.
	lo, hi []int
	// base is the point searched from (the truth, or an earlier witness),
	// at the rows' Σ coef·base, delta the moves made from it, sums the rows'
	// Σ coef·delta.
	base    []int
	at      []int
	target  int
	delta   []int // by count
	sums    []int // by row
	seen    []bool
	moved   []int  // counts with a delta at some point, for the reset
	isMoved []bool // by count: in moved
	touched []int  // rows with a sum, in the order first touched
	nodes   int
	deeper  bool // a branch stopped at the depth limit or the budget
	limit   int  // the deepest chain searched now
	attempt int  // 0: fewest relations first; later: shuffled
	cands   []cand
	ws      walkState
}

// occurrence is a count's place in a row.
type occurrence struct{ row, coef int }

type cand struct {
	t              Term
	moved          bool
	breaks, degree int
}

// newWitness searches m within the box lo..hi (the propagated bounds; nil
// for the counts' own ranges).
func newWitness(m *Model, lo, hi []float64) *witness {
	w := &witness{m: m, occ: occurrences(m), delta: make([]int, len(m.Vars)), sums: make([]int, len(m.Rows)),
		seen: make([]bool, len(m.Rows)), isMoved: make([]bool, len(m.Vars)),
		lo: make([]int, len(m.Vars)), hi: make([]int, len(m.Vars)), ws: newWalkState(len(m.Vars), len(m.Rows))}
	for i, x := range m.Vars {
		w.lo[i], w.hi[i] = x.Lo, x.Hi
		if lo != nil {
			w.lo[i], w.hi[i] = max(x.Lo, toInt(lo[i])), min(x.Hi, toInt(hi[i]))
		}
	}
	w.setBase(w.truth())
	return w
}

// occurrences indexes m's rows by count, a count named twice in a row
// once with the coefficients summed.
func occurrences(m *Model) [][]occurrence {
	occ := make([][]occurrence, len(m.Vars))
	for ri, row := range m.Rows {
		for _, t := range row.Terms {
			if o := occ[t.Var]; len(o) > 0 && o[len(o)-1].row == ri {
				o[len(o)-1].coef += t.Coef
				continue
			}
			occ[t.Var] = append(occ[t.Var], occurrence{ri, t.Coef})
		}
	}
	return occ
}

// reset undoes every move.
func (w *witness) reset() {
	for _, u := range w.moved {
		w.delta[u], w.isMoved[u] = 0, false
	}
	for _, ri := range w.touched {
		w.sums[ri], w.seen[ri] = 0, false
	}
	w.moved, w.touched, w.nodes = w.moved[:0], w.touched[:0], 0
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

// slack is how far the sum of row may move down and up from base.
func (w *witness) slack(ri int) (down, up int) {
	row := &w.m.Rows[ri]
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

// fits reports whether u may move by step from where it is now.
func (w *witness) fits(u, step int) bool {
	now := w.base[u] + w.delta[u] + step
	return now >= w.lo[u] && (w.hi[u] == Unbounded || now <= w.hi[u])
}

// find looks for a point with v moved by step (±1) from base; on success
// it returns the point. Chains are searched shortest first: each depth
// limit in turn, every attempt's order at each.
func (w *witness) find(v, step int) ([]int, bool) {
	w.reset() // fits reads the moves of the last search
	if !w.fits(v, step) {
		return nil, false
	}
	found := false
	w.target = v
	for _, w.limit = range witnessLimits {
		if found {
			break
		}
		w.deeper = false
		for w.attempt = range witnessAttempts {
			w.reset()
			if found = w.move(v, step, 0); found {
				break
			}
		}
		// A search that stopped short of the depth limit everywhere saw
		// every chain: deeper ones do not exist.
		if !found && !w.deeper {
			break
		}
	}
	for attempt := range walkAttempts {
		if found {
			break
		}
		found = w.walk(v, step, attempt)
	}
	if !found {
		return nil, false
	}
	out := slices.Clone(w.base)
	for _, u := range w.moved {
		out[u] += w.delta[u]
	}
	return out, true
}

// move moves u by step and repairs what breaks; on failure it undoes.
func (w *witness) move(u, step, depth int) bool {
	if depth > w.limit {
		w.deeper = true
		return false
	}
	if w.nodes >= witnessNodes {
		w.deeper = true
		return false
	}
	if !w.fits(u, step) {
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
	if !w.isMoved[u] {
		w.isMoved[u] = true
		w.moved = append(w.moved, u)
	}
	w.delta[u] += step
	for _, o := range w.occ[u] {
		if !w.seen[o.row] {
			w.seen[o.row] = true
			w.touched = append(w.touched, o.row)
		}
		w.sums[o.row] += o.coef * step
	}
}

// repair fixes the first broken row by moving one of its counts, and
// recurses until no row is broken.
func (w *witness) repair(depth int) bool {
	broken, need := -1, 0
	for _, ri := range w.touched {
		s := w.sums[ri]
		if s == 0 {
			continue
		}
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
// the row's sum): never the audited count, nor one that cannot move that
// way; those not moved yet first; then those whose move breaks the fewest
// of their other rows; then (first attempt) the fewest relations, or
// (later attempts) a shuffled order.
func (w *witness) candidates(ri, need int) []Term {
	start := len(w.cands)
	for _, t := range w.m.Rows[ri].Terms {
		if t.Var == w.target || !w.fits(t.Var, need*t.Coef) {
			continue
		}
		w.cands = append(w.cands, cand{t, w.delta[t.Var] != 0, w.breaks(t.Var, need*t.Coef, ri), len(w.occ[t.Var])})
	}
	cs := w.cands[start:]
	slices.SortFunc(cs, func(a, b cand) int {
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
		case a.degree != b.degree:
			return a.degree - b.degree
		}
		return a.t.Var - b.t.Var
	})
	out := make([]Term, len(cs))
	for i, c := range cs {
		out[i] = c.t
	}
	w.cands = w.cands[:start]
	return out
}

// breaks counts the rows other than skip that moving u by step would
// break, given the moves made so far.
func (w *witness) breaks(u, step, skip int) int {
	n := 0
	for _, o := range w.occ[u] {
		if o.row == skip {
			continue
		}
		s := w.sums[o.row] + o.coef*step
		down, up := w.slack(o.row)
		if (up != NoLimit && s > up) || (down != NoLimit && -s > down) {
			n++
		}
	}
	return n
}

// proveRanges searches witnesses for every audited non-zero count and
// records in seen, per count, the lowest and highest values proven
// possible (keeping what seen already holds).
func proveRanges(r Rules, m *Model, lo, hi []float64, seen map[int][2]int) {
	w := newWitness(m, lo, hi)
	// note records a witness just found (its moves are still in w).
	note := func(point []int) {
		for _, v := range w.moved {
			if s, ok := seen[v]; ok && w.delta[v] != 0 {
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
		if !x.Audit || x.Count == 0 {
			continue
		}
		need := r.need(x.Count)
		if w.hi[v] != Unbounded && w.hi[v]-w.lo[v]+1 < need {
			continue // the box alone is too narrow: a finding, no witness can help
		}
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

// witnessNodes is the move budget per attempt.
const witnessNodes = witnessNodesDefault

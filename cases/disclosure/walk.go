package disclosure

import "math/rand/v2"

// When the depth-first search finds no witness, a local search tries:
// min-conflicts with a tabu list (as in WalkSAT for clauses). It starts
// from the audited count moved, and repeatedly picks a broken relation at
// random and moves, one step, the count of it whose move breaks the least
// in all its relations, now and then a random one of them (noise), never
// the audited count and never a count back the way it just came (tabu).
// Where the depth-first search follows one chain of repairs and gives up
// at its depth, this repairs a relation broken far down a chain as soon as
// it is broken, so it finds the long chains that cross periods, versions
// and flows at once (a handover moved in a quarter moves its half-year,
// its year and their every version). A point it ends in breaks nothing:
// it is a witness like any other. A search that has not come closer to one
// (less broken in all) for walkPatience steps gives up: that is how the
// search for a value that is not possible ends, and it should end soon.
const (
	walkSteps    = 20000
	walkPatience = 3000
	walkAttempts = 2
	walkTenure   = 7
	walkNoise    = 0.15
)

// walkState is the local search's part of a witness: the broken rows (by
// position, -1 when not broken) and, per count, the step until which moving
// it back is tabu.
type walkState struct {
	broken   []int
	pos      []int
	tabu     []int
	lastStep []int
}

func newWalkState(vars, rows int) walkState {
	s := walkState{pos: make([]int, rows), tabu: make([]int, vars), lastStep: make([]int, vars)}
	for i := range s.pos {
		s.pos[i] = -1
	}
	return s
}

// walk looks for a point with v moved by step from base; on success the
// moves are left in w as find expects them.
func (w *witness) walk(v, step int, attempt int) bool {
	w.reset()
	if !w.fits(v, step) {
		return false
	}
	w.target = v
	rng := rand.New(rand.NewPCG(uint64(v), uint64(attempt)))
	found := false
	broken := w.violationChange(v, step)
	least, since := broken, 0
	w.walkShift(v, step)
	for it := 1; it <= walkSteps; it++ {
		if len(w.ws.broken) == 0 {
			found = true
			break
		}
		if broken < least {
			least, since = broken, it
		} else if it-since > walkPatience {
			break
		}
		ri := w.ws.broken[rng.IntN(len(w.ws.broken))]
		need := w.needOf(ri)
		noise := rng.Float64() < walkNoise
		best, bestStep, bestGain, ties := -1, 0, 0, 0
		for _, t := range w.m.Rows[ri].Terms {
			u, st := t.Var, need
			if t.Coef < 0 {
				st = -need
			}
			if u == v || !w.fits(u, st) || (w.ws.tabu[u] >= it && w.ws.lastStep[u] == -st) {
				continue
			}
			gain := 0
			if !noise {
				gain = w.violationChange(u, st)
			}
			switch {
			case best < 0 || gain < bestGain:
				best, bestStep, bestGain, ties = u, st, gain, 1
			case gain == bestGain:
				if ties++; rng.IntN(ties) == 0 {
					best, bestStep = u, st
				}
			}
		}
		if best < 0 {
			continue
		}
		if noise {
			bestGain = w.violationChange(best, bestStep)
		}
		broken += bestGain
		w.walkShift(best, bestStep)
		w.ws.tabu[best], w.ws.lastStep[best] = it+walkTenure, bestStep
	}
	for _, ri := range w.ws.broken {
		w.ws.pos[ri] = -1
	}
	w.ws.broken = w.ws.broken[:0]
	for _, u := range w.moved {
		w.ws.tabu[u], w.ws.lastStep[u] = 0, 0
	}
	return found
}

// violation is how far row ri's sum, moved by s from base, lies outside
// the row's limits.
func (w *witness) violation(ri, s int) int {
	down, up := w.slack(ri)
	switch {
	case up != NoLimit && s > up:
		return s - up
	case down != NoLimit && -s > down:
		return -s - down
	}
	return 0
}

// needOf is the direction (±1) in which broken row ri's sum must move.
func (w *witness) needOf(ri int) int {
	if _, up := w.slack(ri); up != NoLimit && w.sums[ri] > up {
		return -1
	}
	return 1
}

// violationChange is how much moving u by step changes the total
// violation of its rows.
func (w *witness) violationChange(u, step int) int {
	d := 0
	for _, o := range w.occ[u] {
		s := w.sums[o.row]
		d += w.violation(o.row, s+o.coef*step) - w.violation(o.row, s)
	}
	return d
}

// walkShift moves u and keeps the set of broken rows.
func (w *witness) walkShift(u, step int) {
	w.shift(u, step)
	for _, o := range w.occ[u] {
		ri := o.row
		broken, at := w.violation(ri, w.sums[ri]) > 0, w.ws.pos[ri]
		switch {
		case broken && at < 0:
			w.ws.pos[ri] = len(w.ws.broken)
			w.ws.broken = append(w.ws.broken, ri)
		case !broken && at >= 0:
			last := w.ws.broken[len(w.ws.broken)-1]
			w.ws.broken[at], w.ws.pos[last] = last, at
			w.ws.broken = w.ws.broken[:len(w.ws.broken)-1]
			w.ws.pos[ri] = -1
		}
	}
}

package disclosure

import "math"

// unbounded is the upper bound of a cell nothing caps from above.
const unbounded = math.MaxInt

// maxRounds caps bound propagation. Every round that changes something moves
// an integer bound closer to the true count, so it ends anyway; the cap
// only keeps the cost predictable. Bounds are valid after any round, just
// possibly looser.
const maxRounds = 1000

// bounds returns for every cell the range of counts a reader can infer from
// the publication: published cells are known, a "<Threshold" cell is in
// 1..Threshold-1, and an "x" cell is at least Threshold (complementary cells
// are never zero or small, and the method is public). The relations narrow
// these ranges; each relation Total = Σ Parts bounds every cell in it by the
// bounds of the others, repeated until nothing changes.
func bounds(t Table, r Rules, status []Status) (lo, hi []int) {
	lo, hi = make([]int, len(status)), make([]int, len(status))
	for i, s := range status {
		switch s {
		case Published:
			lo[i], hi[i] = t.counts[i], t.counts[i]
		case Primary:
			lo[i], hi[i] = 1, r.Threshold-1
		case Secondary:
			lo[i], hi[i] = r.Threshold, unbounded
		}
	}
	for range maxRounds {
		changed := false
		for _, rel := range t.relations {
			changed = tighten(rel, lo, hi) || changed
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

// tighten narrows the bounds of the cells in rel and reports whether any
// moved.
func tighten(rel Relation, lo, hi []int) bool {
	sumLo, sumHi, openParts := 0, 0, 0
	for _, p := range rel.Parts {
		sumLo += lo[p]
		if hi[p] == unbounded {
			openParts++
		} else {
			sumHi += hi[p]
		}
	}

	changed := raise(lo, rel.Total, sumLo)
	if openParts == 0 {
		changed = lower(hi, rel.Total, sumHi) || changed
	}
	for _, p := range rel.Parts {
		othersLo, othersHi, othersOpen := sumLo-lo[p], sumHi, openParts
		if hi[p] == unbounded {
			othersOpen--
		} else {
			othersHi -= hi[p]
		}
		if othersOpen == 0 {
			changed = raise(lo, p, lo[rel.Total]-othersHi) || changed
		}
		if hi[rel.Total] != unbounded {
			changed = lower(hi, p, hi[rel.Total]-othersLo) || changed
		}
	}
	return changed
}

func raise(lo []int, i, v int) bool {
	if v > lo[i] {
		lo[i] = v
		return true
	}
	return false
}

func lower(hi []int, i, v int) bool {
	if v < hi[i] {
		hi[i] = v
		return true
	}
	return false
}

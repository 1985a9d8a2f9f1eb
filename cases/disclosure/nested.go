package disclosure

import (
	"errors"
	"fmt"
)

// DifferenceRisks compares a table with a table nested in it: the same cells
// counted for a subset of the persons, such as a half-year and one of its
// quarters, or all programmes and one programme. Where a cell is published
// in both, a reader can subtract; DifferenceRisks returns the cells where
// that difference, outer minus inner, is from 1 to Threshold-1. It compares
// true counts, as rounding does not reliably hide a difference.
func DifferenceRisks(outer, inner Table, outerP, innerP Protection, r Rules) ([]int, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	n := len(outer.counts)
	if len(inner.counts) != n || len(outerP.Cells) != n || len(innerP.Cells) != n {
		return nil, errors.New("disclosure: nested tables and protections must have the same cells")
	}
	var risky []int
	for i := range n {
		diff := outer.counts[i] - inner.counts[i]
		if diff < 0 {
			return nil, fmt.Errorf("disclosure: cell %d is larger in the inner table; not nested", i)
		}
		if outerP.Cells[i].Status == Published && innerP.Cells[i].Status == Published && r.isSmall(diff) {
			risky = append(risky, i)
		}
	}
	return risky, nil
}

// ProtectNested protects a table and a table nested in it (see
// DifferenceRisks) so that neither discloses on its own and no published
// difference between them is small. Risky cells are suppressed in the inner
// table, the more detailed and less important one, keeping the outer
// headline figures; the inner table is then protected again, which only
// adds suppressions, until no risk is left.
func ProtectNested(outer, inner Table, r Rules) (outerP, innerP Protection, err error) {
	if outerP, err = Protect(outer, r); err != nil {
		return Protection{}, Protection{}, err
	}
	var forced []int
	for {
		if innerP, err = Protect(inner, r, forced...); err != nil {
			return Protection{}, Protection{}, err
		}
		risky, err := DifferenceRisks(outer, inner, outerP, innerP, r)
		if err != nil {
			return Protection{}, Protection{}, err
		}
		if len(risky) == 0 {
			return outerP, innerP, nil
		}
		forced = append(forced, risky...)
	}
}

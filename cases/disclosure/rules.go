package disclosure

import (
	"errors"
	"fmt"
)

// MinThreshold is the lowest Threshold that Validate accepts. Smaller
// thresholds would let published tables show counts small enough to point
// at a household.
const MinThreshold = 5

// Rules are the publication rules for counts of distinct persons.
type Rules struct {
	// Threshold is the smallest count that may be published. Counts from 1
	// to Threshold-1 are primary-suppressed and shown as "<Threshold".
	Threshold int
	// RoundingBase is the multiple every published count is rounded to
	// (1 means no rounding). Zero stays 0; a non-zero count is never
	// rounded below the smallest multiple of RoundingBase that is at least
	// Threshold, so it never becomes 0 or looks like a small count.
	RoundingBase int
}

// DefaultRules returns the monitor's rules: threshold 10, rounding to
// multiples of 5.
func DefaultRules() Rules {
	return Rules{Threshold: 10, RoundingBase: 5}
}

// Validate reports every way in which r is not acceptable.
func (r Rules) Validate() error {
	var errs []error
	if r.Threshold < MinThreshold {
		errs = append(errs, fmt.Errorf("disclosure: threshold %d is below the minimum of %d", r.Threshold, MinThreshold))
	}
	if r.RoundingBase < 1 {
		errs = append(errs, fmt.Errorf("disclosure: rounding base %d is below 1", r.RoundingBase))
	}
	return errors.Join(errs...)
}

// isSmall reports whether count must be primary-suppressed.
func (r Rules) isSmall(count int) bool {
	return count >= 1 && count < r.Threshold
}

// round returns count as published: rounded half up to the nearest multiple
// of the rounding base, with the floor described at Rules.RoundingBase.
// With the default rules the floor is 10, which only touches counts that
// are suppressed anyway. r must be valid.
func (r Rules) round(count int) int {
	if count == 0 {
		return 0
	}
	b := r.RoundingBase
	nearest := (count + b/2) / b * b
	floor := (r.Threshold + b - 1) / b * b
	return max(nearest, floor)
}

package disclosure

import (
	"math"
	"strconv"
)

// Status says how a cell appears in a publication.
type Status int

const (
	// Published cells show their rounded count.
	Published Status = iota
	// Primary cells hold a small count (1..Threshold-1) and show "<Threshold".
	Primary
	// Secondary cells are suppressed to protect other cells and show "x";
	// they always hold at least Threshold persons.
	Secondary
)

func (s Status) String() string {
	switch s {
	case Published:
		return "published"
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// PublishedCell is a cell as it may be published. It never holds a true
// count: Value is the rounded count of a Published cell and 0 otherwise.
type PublishedCell struct {
	Status Status
	Value  int
}

// Text renders the cell: its rounded count, "<Threshold" or "x".
func (c PublishedCell) Text(r Rules) string {
	switch c.Status {
	case Primary:
		return "<" + strconv.Itoa(r.Threshold)
	case Secondary:
		return "x"
	}
	return strconv.Itoa(c.Value)
}

// Cell publishes count as the rules say when nothing else suppresses it:
// small counts primary, the others rounded.
func (r Rules) Cell(count int) PublishedCell {
	if r.isSmall(count) {
		return PublishedCell{Status: Primary}
	}
	return PublishedCell{Status: Published, Value: r.round(count)}
}

// Range returns what a reader knows of the true count behind c: every count
// the rules could have published as c. A rounded value v covers the counts
// that round to it (v-2..v+2 with base 5), never a small one; "<10" covers
// 1..9; "x" covers Threshold and up (hi is math.MaxInt), because
// complementary suppression never hides a zero or a small count.
func (r Rules) Range(c PublishedCell) (lo, hi int) {
	switch c.Status {
	case Primary:
		return 1, r.Threshold - 1
	case Secondary:
		return r.Threshold, math.MaxInt
	}
	if c.Value == 0 {
		return 0, 0
	}
	b := r.RoundingBase
	lo, hi = c.Value-b/2, c.Value+b-b/2-1
	if c.Value == r.round(r.Threshold) {
		// The floor: every count from the threshold up to here shows as v.
		lo = r.Threshold
	}
	return max(lo, r.Threshold), hi
}

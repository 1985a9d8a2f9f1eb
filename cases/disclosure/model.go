package disclosure

import (
	"errors"
	"fmt"
	"math"
)

// Unbounded is the upper bound of a variable nothing caps from above, and
// NoLimit marks a side of a row that does not constrain.
const (
	Unbounded = math.MaxInt
	NoLimit   = math.MaxInt
)

// Var is one true count as a reader sees it: unknown, an integer, and
// within [Lo, Hi] by what was published (Hi may be Unbounded). Count is the
// true value; it never leaves the package except through Rules.Cell.
type Var struct {
	Count  int
	Lo, Hi int
	// Audit marks a suppressed count whose derived range must stay wide:
	// at least two values, three when the count is small.
	Audit bool

	// Candidate marks a published count that may be suppressed as a
	// complementary cell; LastResort one that may be only when no candidate
	// can repair a problem (headline figures). Late counts belong to a
	// period still running: a problem of such a count is repaired with late
	// counts when it can be, so it never costs a complete period a figure.
	// Cost is what suppressing it hides, in persons.
	Candidate, LastResort, Late bool
	Cost                        float64
}

// Term is coef · variable.
type Term struct {
	Var  int
	Coef int
}

// Row is a relation the reader knows: Lo ≤ Σ terms ≤ Hi. A side that does
// not constrain is -NoLimit or NoLimit; Lo = Hi is an equality.
type Row struct {
	Terms  []Term
	Lo, Hi int
}

// Model is everything a reader knows: the counts with their published
// ranges and the relations between them.
type Model struct {
	Vars []Var
	Rows []Row
}

// Holds reports whether the true counts satisfy row.
func (m *Model) Holds(row Row) bool {
	sum := 0
	for _, t := range row.Terms {
		sum += t.Coef * m.Vars[t.Var].Count
	}
	return (row.Lo == -NoLimit || sum >= row.Lo) && (row.Hi == NoLimit || sum <= row.Hi)
}

// check verifies that the model is consistent: every true count within its
// range, every relation true of the counts.
func (m *Model) check() error {
	var errs []error
	for i, v := range m.Vars {
		if v.Count < v.Lo || v.Count > v.Hi {
			errs = append(errs, fmt.Errorf("disclosure: variable %d outside its published range", i))
		}
	}
	for i, row := range m.Rows {
		for _, t := range row.Terms {
			if t.Var < 0 || t.Var >= len(m.Vars) {
				return fmt.Errorf("disclosure: row %d names variable %d of %d", i, t.Var, len(m.Vars))
			}
		}
		if !m.Holds(row) {
			errs = append(errs, fmt.Errorf("disclosure: row %d does not hold for the true counts", i))
		}
	}
	return errors.Join(errs...)
}

// need is how many values a suppressed count's derived range must keep.
func (r Rules) need(count int) int {
	if r.isSmall(count) {
		return 3
	}
	return 2
}

func toFloat(v int) float64 {
	switch v {
	case NoLimit:
		return math.Inf(1)
	case -NoLimit:
		return math.Inf(-1)
	}
	return float64(v)
}

func toInt(f float64) int {
	switch {
	case math.IsInf(f, 1):
		return NoLimit
	case math.IsInf(f, -1):
		return -NoLimit
	}
	return int(f)
}

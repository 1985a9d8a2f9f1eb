package disclosure

import "fmt"

// ViolationKind says how a publication could disclose a small count.
type ViolationKind int

const (
	// SmallCountShown: a count from 1 to Threshold-1 is published.
	SmallCountShown ViolationKind = iota + 1
	// Inconsistent: a cell's status or value does not follow the rules (a
	// primary cell that is not small, a secondary cell below the threshold,
	// a value on a suppressed cell, a published value not rounded).
	Inconsistent
	// Determined: the relations and published cells give a suppressed
	// cell's exact value.
	Determined
	// Pinned: the relations, published cells and the ranges the statuses
	// imply leave a suppressed cell one possible value.
	Pinned
	// SmallLineSum: a relation with a published total shows that its
	// suppressed parts add up to 1..Threshold-1.
	SmallLineSum
)

func (k ViolationKind) String() string {
	switch k {
	case SmallCountShown:
		return "small count shown"
	case Inconsistent:
		return "inconsistent"
	case Determined:
		return "determined"
	case Pinned:
		return "pinned"
	case SmallLineSum:
		return "small line sum"
	}
	return fmt.Sprintf("ViolationKind(%d)", int(k))
}

// Violation is one way a publication discloses. It names cells and
// relations by index and carries no counts, so it is safe to log.
type Violation struct {
	Kind ViolationKind
	// Cell is the cell at risk; for SmallLineSum, the relation's total.
	Cell int
	// Relation is the relation for SmallLineSum, and -1 otherwise.
	Relation int
}

func (v Violation) String() string {
	if v.Relation >= 0 {
		return fmt.Sprintf("%v in relation %d (total cell %d)", v.Kind, v.Relation, v.Cell)
	}
	return fmt.Sprintf("%v: cell %d", v.Kind, v.Cell)
}

// Audit checks, on the true counts, that publishing p for t is safe under
// r, and returns every violation found: none means safe. It checks that
// statuses and values follow the rules, that no suppressed cell is
// determined by the relations (exact rational arithmetic), that no line
// with a published total reveals a small suppressed sum, and that no
// suppressed cell is pinned by the bounds a reader can derive. Audit does
// not trust how p was made; it is the check to run before publishing.
func Audit(t Table, r Rules, p Protection) ([]Violation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if len(p.Cells) != len(t.counts) {
		return nil, fmt.Errorf("disclosure: protection has %d cells, table %d", len(p.Cells), len(t.counts))
	}
	var violations []Violation
	status := make([]Status, len(p.Cells))
	for i, c := range p.Cells {
		status[i] = c.Status
		switch {
		case c.Status == Published && r.isSmall(t.counts[i]):
			violations = append(violations, Violation{Kind: SmallCountShown, Cell: i, Relation: -1})
		case !follows(c, t.counts[i], r):
			violations = append(violations, Violation{Kind: Inconsistent, Cell: i, Relation: -1})
		}
	}
	// The bounds a reader derives assume statuses that follow the rules.
	if len(violations) > 0 {
		return violations, nil
	}
	for _, f := range newPattern(t, r, status).findings() {
		violations = append(violations, f.Violation)
	}
	return violations, nil
}

// follows reports whether c is how the rules publish count.
func follows(c PublishedCell, count int, r Rules) bool {
	switch c.Status {
	case Published:
		return c.Value == r.round(count)
	case Primary:
		return c.Value == 0 && r.isSmall(count)
	case Secondary:
		return c.Value == 0 && count >= r.Threshold
	}
	return false
}

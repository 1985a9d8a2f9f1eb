package disclosure

import (
	"fmt"
	"strconv"
)

// Status says how a cell appears in a publication.
type Status int

const (
	// Published cells show their rounded count.
	Published Status = iota
	// Primary cells hold a small count (1..Threshold-1) and show "<Threshold".
	Primary
	// Secondary cells are suppressed to protect primary cells and show "x".
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

// Protection is the publishable view of a Table: Cells[i] is how cell i of
// the table is published.
type Protection struct {
	Cells []PublishedCell
}

// Protect decides which cells of t to suppress under r and returns the
// publishable view. It suppresses the small counts (primary suppression),
// then adds complementary suppressions until Audit finds nothing (see the
// package documentation). alsoSuppress lists further cells to suppress from
// the start, such as those DifferenceRisks reports; they must be non-zero.
//
// Protect fails only if no published non-zero cell is left that could
// protect a cell at risk.
func Protect(t Table, r Rules, alsoSuppress ...int) (Protection, error) {
	if err := r.Validate(); err != nil {
		return Protection{}, err
	}
	status := make([]Status, len(t.counts))
	for i, count := range t.counts {
		if r.isSmall(count) {
			status[i] = Primary
		}
	}
	for _, i := range alsoSuppress {
		switch {
		case i < 0 || i >= len(status):
			return Protection{}, fmt.Errorf("disclosure: cell %d to suppress is out of range", i)
		case t.counts[i] == 0:
			return Protection{}, fmt.Errorf("disclosure: cell %d to suppress is zero; zeros are never suppressed", i)
		case status[i] == Published:
			status[i] = Secondary
		}
	}
	p := newPattern(t, r, status)
	for {
		findings := p.findings()
		if len(findings) == 0 {
			return publish(t, r, p.status), nil
		}
		cell, ok := choose(t, findings)
		if !ok {
			return Protection{}, fmt.Errorf("disclosure: cannot protect the table: %v, and no cell is left to suppress", findings[0].Violation)
		}
		p.suppress(cell)
	}
}

// choose returns the complementary cell to suppress next: the remedy shared
// by the most findings, so one suppression repairs as much as it can, then
// the one with the smallest count, losing the least information, then the
// first by position.
func choose(t Table, findings []finding) (int, bool) {
	shared := map[int]int{}
	for _, f := range findings {
		for _, c := range f.remedies {
			shared[c]++
		}
	}
	best := -1
	for c := range t.counts {
		switch {
		case shared[c] == 0:
		case best < 0, shared[c] > shared[best],
			shared[c] == shared[best] && t.counts[c] < t.counts[best]:
			best = c
		}
	}
	return best, best >= 0
}

func publish(t Table, r Rules, status []Status) Protection {
	cells := make([]PublishedCell, len(status))
	for i, s := range status {
		cells[i].Status = s
		if s == Published {
			cells[i].Value = r.round(t.counts[i])
		}
	}
	return Protection{Cells: cells}
}

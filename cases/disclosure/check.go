package disclosure

import "slices"

// pattern is a suppression pattern of a table, with the relations kept
// reduced over its suppressed cells so that suppressing one more cell costs
// a single elimination step.
type pattern struct {
	t          Table
	r          Rules
	status     []Status
	suppressed []bool
	reduced    echelon
}

func newPattern(t Table, r Rules, status []Status) *pattern {
	p := &pattern{
		t:          t,
		r:          r,
		status:     slices.Clone(status),
		suppressed: make([]bool, len(status)),
		reduced:    newEchelon(t),
	}
	for i, s := range status {
		if s != Published {
			p.suppressed[i] = true
			p.reduced.add(i)
		}
	}
	return p
}

// suppress makes a published cell secondary.
func (p *pattern) suppress(cell int) {
	p.status[cell] = Secondary
	p.suppressed[cell] = true
	p.reduced.add(cell)
}

// finding is a violation with its remedies: the published non-zero cells
// whose suppression would address it.
type finding struct {
	Violation
	remedies []int
}

// findings returns what makes the pattern unsafe: determined cells, small
// line sums, pinned cells.
func (p *pattern) findings() []finding {
	t, suppressed := p.t, p.suppressed
	var findings []finding
	determined := make([]bool, len(suppressed))
	for _, e := range p.reduced.exposures(suppressed) {
		determined[e.cell] = true
		findings = append(findings, finding{
			Violation: Violation{Kind: Determined, Cell: e.cell, Relation: -1},
			remedies:  t.nonZero(e.witness),
		})
	}
	for ri, rel := range t.relations {
		if suppressed[rel.Total] {
			// The line only reveals Total minus the suppressed parts, a
			// difference that bounds no part on its own.
			continue
		}
		sum := 0
		var published []int
		for _, c := range rel.Parts {
			if suppressed[c] {
				sum += t.counts[c]
			} else {
				published = append(published, c)
			}
		}
		if p.r.isSmall(sum) {
			findings = append(findings, finding{
				Violation: Violation{Kind: SmallLineSum, Cell: rel.Total, Relation: ri},
				remedies:  t.nonZero(published),
			})
		}
	}
	lo, hi := bounds(t, p.r, p.status)
	for i, s := range suppressed {
		if s && !determined[i] && lo[i] == hi[i] {
			findings = append(findings, finding{
				Violation: Violation{Kind: Pinned, Cell: i, Relation: -1},
				remedies:  nearestPublished(t, suppressed, i),
			})
		}
	}
	return findings
}

// nonZero returns the cells with a non-zero count: zeros are never
// suppressed.
func (t Table) nonZero(cells []int) []int {
	return slices.DeleteFunc(slices.Clone(cells), func(c int) bool { return t.counts[c] == 0 })
}

// nearestPublished returns the published non-zero cells that share a
// relation with cell; if there are none, those sharing a relation with the
// suppressed cells that do, and so on outward.
func nearestPublished(t Table, suppressed []bool, cell int) []int {
	visited := map[int]bool{cell: true}
	frontier := []int{cell}
	for len(frontier) > 0 {
		var found, next []int
		for _, c := range frontier {
			for _, ri := range t.lines[c] {
				for _, d := range t.relations[ri].cells() {
					if visited[d] {
						continue
					}
					visited[d] = true
					switch {
					case suppressed[d]:
						next = append(next, d)
					case t.counts[d] > 0:
						found = append(found, d)
					}
				}
			}
		}
		if len(found) > 0 {
			return found
		}
		frontier = next
	}
	return nil
}

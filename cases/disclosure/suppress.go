package disclosure

import (
	"errors"
	"fmt"
	"slices"
)

// maxRounds caps the audit-and-suppress rounds of Suppress; each round
// suppresses at least one more count. A problem still open then is
// reported as one suppression cannot repair, so the caller withholds.
const maxRounds = 30

// ErrCannotProtect means a problem was found that no count left to suppress
// can repair.
var ErrCannotProtect = errors.New("disclosure: no count left to suppress can protect the figures")

// CannotProtectError names the count of such a problem, so the caller can
// withhold what it is part of and try again.
type CannotProtectError struct{ Var int }

func (e *CannotProtectError) Error() string {
	return fmt.Sprintf("%v (count %d)", ErrCannotProtect, e.Var)
}

func (e *CannotProtectError) Unwrap() error { return ErrCannotProtect }

// Suppress adds complementary suppressions to m until the audit shows every
// audited count safe (Report.Safe), and returns the variables it suppressed
// with the final report.
//
// Each round audits, then repairs every finding and every count left
// unverified with a published count near it in the relations, so that its
// suppression widens the derived range:
// among the candidates, preferring counts of a running period when the
// finding is in one, then the fewest relations away, then the fewest persons
// hidden (the order of GaussSuppression's candidate list, where the cells
// one would lose least come first). A count that is a candidate for several
// findings repairs them together. Headline figures (LastResort) are taken
// only when nothing else reaches a finding.
func (a *Auditor) Suppress(m *Model) ([]int, *Report, error) {
	adj := adjacency(m)
	var suppressed []int
	proven := map[int][2]int{}
	for range maxRounds {
		rep, err := a.audit(m, proven)
		if err != nil || rep.Safe() {
			return suppressed, rep, err
		}
		picked, err := a.repairs(m, adj, rep.problems())
		if err != nil {
			return suppressed, rep, err
		}
		for _, v := range picked {
			x := &m.Vars[v]
			x.Lo, x.Hi = a.Rules.Range(PublishedCell{Status: Secondary})
			x.Audit, x.Candidate, x.LastResort = true, false, false
		}
		suppressed = append(suppressed, picked...)
	}
	rep, err := a.audit(m, proven)
	if err != nil || rep.Safe() {
		return suppressed, rep, err
	}
	return suppressed, rep, &CannotProtectError{Var: rep.problems()[0].Var}
}

// option is a count that could repair a finding, ranked.
type option struct {
	v    int
	rank [2]int // tier, relations away
}

// repairs chooses the counts to suppress for findings.
func (a *Auditor) repairs(m *Model, adj [][]int, findings []Finding) ([]int, error) {
	best := make([][]int, len(findings))
	for i, f := range findings {
		opts := candidatesNear(m, adj, f.Var)
		if len(opts) == 0 {
			return nil, &CannotProtectError{Var: f.Var}
		}
		top := opts[0].rank
		for _, o := range opts {
			if o.rank == top {
				best[i] = append(best[i], o.v)
			}
		}
	}
	open := make([]bool, len(findings))
	for i := range open {
		open[i] = true
	}
	var picked []int
	for {
		shared := map[int]int{}
		for i, vs := range best {
			if open[i] {
				for _, v := range vs {
					shared[v]++
				}
			}
		}
		if len(shared) == 0 {
			return picked, nil
		}
		choice := -1
		for v, n := range shared {
			if choice < 0 || n > shared[choice] || n == shared[choice] && cheaper(m, v, choice) {
				choice = v
			}
		}
		picked = append(picked, choice)
		for i, vs := range best {
			if slices.Contains(vs, choice) {
				open[i] = false
			}
		}
	}
}

func cheaper(m *Model, v, w int) bool {
	if m.Vars[v].Cost != m.Vars[w].Cost {
		return m.Vars[v].Cost < m.Vars[w].Cost
	}
	return v < w
}

// candidatesNear returns the counts that may be suppressed to repair a
// finding at v, best first: by tier (0: as late as the finding; 1: a
// complete period's count for a running period's finding; 2: a headline
// figure), by relations away, by cost.
func candidatesNear(m *Model, adj [][]int, v int) []option {
	depth := map[int]int{v: 0}
	frontier := []int{v}
	var opts []option
	for d := 0; len(frontier) > 0; d++ {
		if len(opts) > 0 && opts[0].rank[0] == 0 {
			break // nothing deeper can rank better
		}
		var next []int
		for _, u := range frontier {
			x := m.Vars[u]
			if (x.Candidate || x.LastResort) && x.Count > 0 {
				tier := 0
				switch {
				case !x.Candidate:
					tier = 2
				case m.Vars[v].Late && !x.Late:
					tier = 1
				}
				opts = append(opts, option{u, [2]int{tier, d}})
				if tier < opts[0].rank[0] {
					opts[0], opts[len(opts)-1] = opts[len(opts)-1], opts[0]
				}
			}
			for _, w := range adj[u] {
				if _, seen := depth[w]; !seen {
					depth[w] = d + 1
					next = append(next, w)
				}
			}
		}
		frontier = next
	}
	slices.SortStableFunc(opts, func(p, q option) int {
		if p.rank != q.rank {
			if p.rank[0] != q.rank[0] {
				return p.rank[0] - q.rank[0]
			}
			return p.rank[1] - q.rank[1]
		}
		if cheaper(m, p.v, q.v) {
			return -1
		}
		return 1
	})
	return opts
}

// adjacency lists, per variable, the variables it shares a row with.
func adjacency(m *Model) [][]int {
	adj := make([][]int, len(m.Vars))
	for _, row := range m.Rows {
		for _, t := range row.Terms {
			for _, u := range row.Terms {
				if u.Var != t.Var {
					adj[t.Var] = append(adj[t.Var], u.Var)
				}
			}
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
		adj[i] = slices.Compact(adj[i])
	}
	return adj
}

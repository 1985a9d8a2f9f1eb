package disclosure

import (
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Finding is a count a reader can narrow down too far: a suppressed count
// whose derived range keeps fewer values than it must, or a published
// count the relations fix exactly.
type Finding struct {
	Var    int
	Lo, Hi int // the derived range (Hi may be Unbounded)
}

// Report is the outcome of an audit.
type Report struct {
	// Ranges holds, for every audited variable with a non-zero count, the
	// range a reader can derive by linear reasoning over all rows.
	Ranges   map[int]Range
	Findings []Finding
	// Unverified are audited counts whose range neither search nor the
	// bounded programs proved wide enough, while the propagated bounds do
	// not prove it too narrow: not shown to disclose, not shown safe.
	Unverified []int
	// Components is how many independent linear components were solved,
	// Largest the most variables in one, Programs the linear programs
	// solved, Fallbacks the programs the solver failed on (their bound is
	// then the propagated one, looser but still valid).
	Components, Largest, Programs, Fallbacks int
}

// Range is a derived range of a count. Every value in Lo..Hi is proven
// possible (an assignment of all counts that fits everything published has
// it); no value outside OuterLo..OuterHi is. Exact says the two are equal:
// the reader's range is known. Hi and OuterHi are Unbounded when nothing
// caps them.
type Range struct {
	Lo, Hi, OuterLo, OuterHi int
	Exact                    bool
}

// Values is how many values Lo..Hi holds, capped at 1000.
func (r Range) Values() int {
	if r.Hi == Unbounded {
		return 1000
	}
	return min(1000, r.Hi-r.Lo+1)
}

// Clean reports whether nothing was found.
func (rep *Report) Clean() bool { return len(rep.Findings) == 0 }

// Safe reports whether every audited count was shown to keep enough values:
// nothing found and nothing left unverified. Only safe figures are
// released.
func (rep *Report) Safe() bool { return rep.Clean() && len(rep.Unverified) == 0 }

// problems are the findings and the unverified counts, which protection
// repairs alike: a count not shown safe is not released as if it were.
func (rep *Report) problems() []Finding {
	out := slices.Clone(rep.Findings)
	for _, v := range rep.Unverified {
		r := rep.Ranges[v]
		out = append(out, Finding{Var: v, Lo: r.Lo, Hi: r.Hi})
	}
	return out
}

// Auditor audits models and remembers the components it has solved, so
// that auditing again after a few more suppressions only solves what
// changed.
type Auditor struct {
	Rules  Rules
	mu     sync.Mutex
	cache  map[string]componentResult
	optima map[string]optimum
}

type componentResult struct {
	ranges              map[int]bounds
	programs, fallbacks int
}

// bounds are what is known of an audited count's derived range: inner
// holds values proven possible, outer every possible value; they are equal
// when exact.
type bounds struct {
	inner, outer [2]float64
	exact        bool
}

// Audit derives the range of every audited count of m. It checks that the
// model holds for the true counts, then propagates bounds, reduces the
// model to independent components and solves two linear programs per
// audited count that the propagated box and earlier solutions leave open.
func (a *Auditor) Audit(m *Model) (*Report, error) {
	return a.audit(m, map[int][2]int{})
}

// audit is Audit with values already proven possible: valid as long as
// every range of m has only widened since (suppressing a published count
// widens its range), as every point proven then still fits.
func (a *Auditor) audit(m *Model, proven map[int][2]int) (*Report, error) {
	if err := a.Rules.Validate(); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	lo, hi := propagate(m)
	red := reduce(m, lo, hi)
	proveRanges(a.Rules, m, lo, hi, proven)
	rep := &Report{Ranges: map[int]Range{}}
	inComponent := map[int]bool{}
	comps := red.components()
	results := make([]componentResult, len(comps))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ci := range work {
				results[ci] = a.solve(m, red, comps[ci], proven)
			}
		}()
	}
	for ci, c := range comps {
		for _, v := range c.vars {
			inComponent[v] = true
		}
		if slices.ContainsFunc(c.vars, func(v int) bool { return m.Vars[v].Audit }) {
			work <- ci
		}
	}
	close(work)
	wg.Wait()
	for ci, c := range comps {
		if len(results[ci].ranges) == 0 {
			continue
		}
		rep.Components++
		rep.Largest = max(rep.Largest, len(c.vars))
		rep.Programs += results[ci].programs
		rep.Fallbacks += results[ci].fallbacks
		for v, b := range results[ci].ranges {
			rep.Ranges[v] = Range{Lo: toInt(math.Ceil(b.inner[0] - roundingTol)), Hi: toInt(math.Floor(b.inner[1] + roundingTol)),
				OuterLo: toInt(b.outer[0]), OuterHi: toInt(b.outer[1]), Exact: b.exact}
		}
	}
	for v, x := range m.Vars {
		if x.Count == 0 {
			continue
		}
		if x.Audit && !inComponent[v] {
			lo, hi := toInt(red.lo[v]), toInt(red.hi[v])
			rep.Ranges[v] = Range{lo, hi, lo, hi, true}
		}
		if r, ok := rep.Ranges[v]; ok && x.Audit && r.Values() < a.Rules.need(x.Count) {
			outer := Range{Lo: r.OuterLo, Hi: r.OuterHi}
			if r.Exact || outer.Values() < a.Rules.need(x.Count) {
				rep.Findings = append(rep.Findings, Finding{Var: v, Lo: r.Lo, Hi: r.Hi})
			} else {
				rep.Unverified = append(rep.Unverified, v)
			}
		}
		// A published count is checked on its propagated bounds only.
		if !x.Audit && x.Hi != Unbounded && lo[v] == hi[v] {
			rep.Findings = append(rep.Findings, Finding{Var: v, Lo: toInt(lo[v]), Hi: toInt(hi[v])})
		}
	}
	slices.SortFunc(rep.Findings, func(a, b Finding) int { return a.Var - b.Var })
	return rep, nil
}

// maxFree caps the counts a local program lets move; with more the dense
// simplex gets slow.
const maxFree = 30

// solve derives the range of the audited variables of one component.
//
// Each count gets programs over its neighbourhood in the relations, a
// growing ball of counts that may move while all others keep their true
// values. Any optimum of such a program, completed with the true values,
// satisfies every relation: it is a set of counts the reader cannot rule
// out, so its value is proven possible. The propagated box bounds the range
// from outside. A count is safe once the values proven possible are enough;
// the ball grows until they are, or it holds the whole component (then the
// range is exact), or it reaches maxFree counts: then the count is reported
// as unproven, a finding, and protection suppresses more.
func (a *Auditor) solve(m *Model, red *reduction, c component, proven map[int][2]int) componentResult {
	key := componentKey(m, red, c)
	a.mu.Lock()
	if r, ok := a.cache[key]; ok {
		a.mu.Unlock()
		return r
	}
	a.mu.Unlock()
	l := newLocal(m, red, c)
	for v, p := range proven {
		if _, ok := l.seenLo[v]; ok {
			l.seenLo[v], l.seenHi[v] = float64(p[0]), float64(p[1])
		}
	}
	res := componentResult{ranges: map[int]bounds{}}
	for _, v := range c.vars {
		x := m.Vars[v]
		if !x.Audit || x.Count == 0 {
			continue
		}
		need := a.Rules.need(x.Count)
		exact := false
		for depth, last := 1, false; !last; depth++ {
			if l.proven(v) >= need {
				break
			}
			free, whole, capped := l.ball(v, depth, maxFree)
			last = capped
			p, pkey := l.program(free)
			for _, sign := range []float64{-1, 1} {
				if l.reached(v, sign) {
					continue
				}
				res.programs++
				x, err := a.optimum(p, pkey, slices.Index(free, v), sign)
				switch {
				case err != nil:
					res.fallbacks++
				case x == nil:
					l.unbounded(v, sign)
				default:
					l.see(free, x)
				}
			}
			if whole {
				exact = true
				break
			}
		}
		res.ranges[v] = bounds{inner: [2]float64{l.seenLo[v], l.seenHi[v]}, outer: [2]float64{red.lo[v], red.hi[v]}, exact: exact}
	}
	a.mu.Lock()
	if a.cache == nil {
		a.cache = map[string]componentResult{}
	}
	a.cache[key] = res
	a.mu.Unlock()
	return res
}

// optimum solves p for one count, remembering the answer: the same
// neighbourhood with the same bounds recurs from round to round of
// Suppress.
func (a *Auditor) optimum(p *program, key string, j int, sign float64) ([]float64, error) {
	key += "#" + strconv.Itoa(j) + strconv.FormatFloat(sign, 'g', -1, 64)
	a.mu.Lock()
	o, ok := a.optima[key]
	a.mu.Unlock()
	if ok {
		return o.x, o.err
	}
	_, x, err := p.optimise([]int{j}, sign)
	a.mu.Lock()
	if a.optima == nil {
		a.optima = map[string]optimum{}
	}
	a.optima[key] = optimum{x, err}
	a.mu.Unlock()
	return x, err
}

type optimum struct {
	x   []float64
	err error
}

// componentKey identifies a component by everything its programs read.
func componentKey(m *Model, red *reduction, c component) string {
	var b strings.Builder
	num := func(f float64) {
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		b.WriteByte(',')
	}
	for _, v := range c.vars {
		b.WriteString(strconv.Itoa(v))
		if m.Vars[v].Audit {
			b.WriteByte('*')
		}
		b.WriteByte(':')
		num(float64(m.Vars[v].Count))
		num(red.lo[v])
		num(red.hi[v])
	}
	for _, row := range c.rows {
		b.WriteByte('|')
		for _, t := range row.terms {
			b.WriteString(strconv.Itoa(t.Coef))
			b.WriteByte('x')
			b.WriteString(strconv.Itoa(t.Var))
			b.WriteByte(' ')
		}
		num(row.lo)
		num(row.hi)
	}
	return b.String()
}

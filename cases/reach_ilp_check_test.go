package cases

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// An integer-programming audit of releases, apart from the engine: the
// independent checker's model of the records (reach_audit_check_test.go),
// its bounds tightened by propagation, split into connected components,
// and for every suppressed non-zero cell the largest and smallest integer
// value it can take, each solved exactly by the COIN-OR CBC solver (Debian
// package coinor-cbc, which .ci/run installs). A cell keeping fewer than two
// values (three when it is small) fails the test. Without cbc the audit is
// skipped, except under CI; with -short too. A program of a year's
// component (a few thousand counts) takes cbc about 0.2 s.

var cbcObjective = regexp.MustCompile(`(?m)^Result - Optimal solution found\s+Objective value:\s+(-?[0-9.e+-]+)`)

func ilpAudit(t *testing.T, rules disclosure.Rules, layout ReachLayout, records []ReleaseRecord) {
	t.Helper()
	if testing.Short() {
		t.Log("integer-programming audit skipped with -short")
		return
	}
	cbc, err := exec.LookPath("cbc")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("cbc is not installed (.ci/run installs coinor-cbc)")
		}
		t.Log("integer-programming audit skipped: install coinor-cbc")
		return
	}
	c := newChecker(rules, layout, records)
	if pinned := c.propagate(); len(pinned) > 0 {
		t.Errorf("integer-programming audit: propagation alone pins %d cells", len(pinned))
		return
	}
	comps := c.components()
	type cell struct{ comp, v int }
	var cells []cell
	for ci, comp := range comps {
		for _, v := range comp {
			if x := c.vars[v]; c.audit[x] && c.truth[x] > 0 {
				cells = append(cells, cell{ci, v})
			}
		}
	}
	bodies := make([][]byte, len(comps))
	for ci, comp := range comps {
		bodies[ci] = c.lpBody(comp)
	}
	// Each cell's range, capped at what it needs: the largest value up to
	// need-1 above the truth, then, if that is short, the smallest down to
	// what is still missing. Capped programs are quick to solve, and most
	// cells need one.
	ranges := make([][2]float64, len(cells))
	solves := make([]int, len(cells))
	dir := t.TempDir()
	var wg sync.WaitGroup
	work := make(chan int)
	var mu sync.Mutex
	var failed error
	// Half the processors: the other packages' tests run beside it.
	for w := range max(1, runtime.GOMAXPROCS(0)/2) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			file := filepath.Join(dir, "m"+strconv.Itoa(w)+".lp")
			solve := func(i int, sense, limit string) float64 {
				cl := cells[i]
				var lp bytes.Buffer
				fmt.Fprintf(&lp, "%s\n obj: x%d\nSubject To\n cap: x%d %s\n", sense, cl.v, cl.v, limit)
				lp.Write(bodies[cl.comp])
				sign := 1.0
				if sense == "Minimize" {
					sign = -1
				}
				solves[i]++
				opt, err := solveCBC(cbc, file, lp.Bytes(), sign)
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
				return opt
			}
			for i := range work {
				x := c.vars[cells[i].v]
				truth, need := c.truth[x], c.need(x)
				hi := solve(i, "Maximize", fmt.Sprintf("<= %d", truth+need-1))
				lo := float64(truth)
				if short := need - int(hi) + truth - 1; short > 0 {
					lo = solve(i, "Minimize", fmt.Sprintf(">= %d", truth-short))
				}
				ranges[i] = [2]float64{lo, hi}
			}
		}()
	}
	for i := range cells {
		work <- i
	}
	close(work)
	wg.Wait()
	if failed != nil {
		t.Fatalf("integer-programming audit: %v", failed)
	}
	programs := 0
	for i, cl := range cells {
		x := c.vars[cl.v]
		programs += solves[i]
		if lo, hi := ranges[i][0], ranges[i][1]; int(hi-lo)+1 < c.need(x) {
			t.Errorf("integer-programming audit: record %d %s %v (count %d) can only be %v..%v", x.record, x.period, x.cell, c.truth[x], lo, hi)
		}
	}
	t.Logf("integer-programming audit: %d suppressed cells in %d components, %d programs solved by cbc", len(cells), len(comps), programs)
}

// solveCBC solves the program lp (CPLEX LP format) and returns its
// optimum, ±Inf when unbounded (sign: +1 maximising, -1 minimising).
func solveCBC(cbc, file string, lp []byte, sign float64) (float64, error) {
	if err := os.WriteFile(file, lp, 0o600); err != nil {
		return 0, err
	}
	out, err := exec.Command(cbc, file, "solve").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("cbc: %v: %s", err, out)
	}
	if bytes.Contains(out, []byte("Problem is unbounded")) {
		return math.Inf(int(sign)), nil
	}
	m := cbcObjective.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("cbc found no optimum: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// components numbers the checker's variables (c.vars) and groups them by
// the relations that connect them.
func (c *checker) components() [][]int {
	c.vars = c.vars[:0]
	c.number = map[checkVar]int{}
	for v := range c.truth {
		c.vars = append(c.vars, v)
	}
	slices.SortFunc(c.vars, func(a, b checkVar) int {
		return comparePeriodCell(a.period.String(), a.cell, b.period.String(), b.cell)*64 + a.record - b.record
	})
	for i, v := range c.vars {
		c.number[v] = i
	}
	parent := make([]int, len(c.vars))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b checkVar) { parent[find(c.number[a])] = find(c.number[b]) }
	for _, terms := range c.sums {
		for _, t := range terms[1:] {
			union(terms[0].v, t.v)
		}
	}
	for _, k := range c.links {
		union(k.v, k.w)
	}
	byRoot := map[int][]int{}
	for i := range c.vars {
		byRoot[find(i)] = append(byRoot[find(i)], i)
	}
	var out [][]int
	for _, comp := range byRoot {
		out = append(out, comp)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// lpBody writes the constraints (after the header "Subject To"), bounds
// and integrality of one component.
func (c *checker) lpBody(comp []int) []byte {
	in := map[int]bool{}
	for _, v := range comp {
		in[v] = true
	}
	var b bytes.Buffer
	row := 0
	term := func(coef float64, v int) {
		fmt.Fprintf(&b, " %+g x%d", coef, v)
	}
	for i, terms := range c.sums {
		if !in[c.number[terms[0].v]] {
			continue
		}
		row++
		fmt.Fprintf(&b, " r%d:", row)
		for _, t := range terms {
			term(t.coef, c.number[t.v])
		}
		if c.eq[i] {
			b.WriteString(" = 0\n")
		} else {
			b.WriteString(" <= 0\n")
		}
	}
	for _, k := range c.links {
		v, w := c.number[k.v], c.number[k.w]
		if !in[v] {
			continue
		}
		row++
		fmt.Fprintf(&b, " r%d: x%d - x%d <= %g\n r%d: x%d - x%d <= %g\n", row, v, w, k.d, row+1, w, v, k.d)
		row++
	}
	b.WriteString("Bounds\n")
	for _, v := range comp {
		lo, hi := c.bounds(c.vars[v])
		if math.IsInf(hi, 1) {
			fmt.Fprintf(&b, " x%d >= %g\n", v, lo)
		} else {
			fmt.Fprintf(&b, " %g <= x%d <= %g\n", lo, v, hi)
		}
	}
	b.WriteString("General\n")
	for _, v := range comp {
		fmt.Fprintf(&b, " x%d", v)
	}
	b.WriteString("\nEnd\n")
	return b.Bytes()
}

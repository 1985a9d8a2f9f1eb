package cases

import (
	"fmt"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

func TestProbe(t *testing.T) {
	c := demoLetterCity()
	rules := disclosure.DefaultRules()
	r := letterSchedule()[0]
	counts := c.countsAt(2026, r.at)
	layout, _, _ := releaseContext(c.layout, 2026, counts, nil)
	cand := snapshot{counts: counts, released: initialCells(rules, layout, r.period, counts), late: lateAt(2026, r.at)}
	var rm *reachModel
	round := 0
	disclosure.Trace = func(m *disclosure.Model, rep *disclosure.Report) {
		round++
		if rm == nil {
			return
		}
		fmt.Printf("round %d: %d findings, %d programs, comps %d largest %d\n", round, len(rep.Findings), rep.Programs, rep.Components, rep.Largest)
		for i, f := range rep.Findings {
			if i > 5 {
				break
			}
			x := m.Vars[f.Var]
			fmt.Printf("  %v n=%d [%d,%d] audit=%v range=%+v\n", rm.keys[f.Var], x.Count, x.Lo, x.Hi, x.Audit, rep.Ranges[f.Var])
		}
	}
	testModelHook = func(m *reachModel) { rm = m }
	start := time.Now()
	_, sum, err := protectSnapshot(rules, layout, 2026, cand, nil)
	t.Logf("%v %d in %v", err, sum.Programs, time.Since(start))
}

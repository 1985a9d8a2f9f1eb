package disclosure

import (
	"testing"
)

// rowModel is total = Σ parts, each part and the total shown as given.
func rowModel(r Rules, counts []int, shown []PublishedCell) *Model {
	m := &Model{}
	row := Row{Lo: 0, Hi: 0}
	for i, n := range counts {
		lo, hi := r.Range(shown[i])
		m.Vars = append(m.Vars, Var{Count: n, Lo: lo, Hi: hi, Audit: shown[i].Status != Published})
		coef := -1
		if i == 0 {
			coef = 1
		}
		row.Terms = append(row.Terms, Term{Var: i, Coef: coef})
	}
	m.Rows = []Row{row}
	return m
}

func TestAuditRoundingProtectsALoneSmallCount(t *testing.T) {
	r := DefaultRules()
	// 15 = 6 + 9 shown as "15", "<10", "<10": 6 could be 4..9.
	m := rowModel(r, []int{15, 6, 9}, []PublishedCell{r.Cell(15), r.Cell(6), r.Cell(9)})
	rep, err := (&Auditor{Rules: r}).Audit(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Ranges[1]; got.Lo != 4 || got.Hi != 9 || !got.Exact {
		t.Errorf("range of 6: %+v, want exact 4..9", got)
	}
	if !rep.Clean() {
		t.Errorf("findings %v", rep.Findings)
	}
}

package disclosure

import (
	"slices"
	"testing"
)

// requireSafe fails the test if Audit finds anything.
func requireSafe(t *testing.T, tab Table, r Rules, p Protection) {
	t.Helper()
	violations, err := Audit(tab, r, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Fatalf("audit: %v", violations)
	}
}

func mustProtect(t *testing.T, tab Table, r Rules) Protection {
	t.Helper()
	p, err := Protect(tab, r)
	if err != nil {
		t.Fatal(err)
	}
	requireSafe(t, tab, r, p)
	return p
}

// texts renders a protection cell by cell.
func texts(p Protection, r Rules) []string {
	var s []string
	for _, c := range p.Cells {
		s = append(s, c.Text(r))
	}
	return s
}

func TestProtectClassicRectangle(t *testing.T) {
	tab, err := Additive2D([][]int{
		{3, 40, 50},
		{30, 60, 70},
		{45, 80, 90},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := mustProtect(t, tab, DefaultRules())

	want := map[int]Status{
		tab.Index(0, 0): Primary,
		tab.Index(0, 1): Secondary, // same row
		tab.Index(1, 0): Secondary, // same column
		tab.Index(1, 1): Secondary, // closes the rectangle
	}
	for i, c := range p.Cells {
		if c.Status != want[i] {
			t.Errorf("cell %d: %v, want %v", i, c.Status, want[i])
		}
	}

	// Every secondary cell is needed: publishing any one of them again
	// lets the audit find a disclosure.
	for cell, s := range want {
		if s != Secondary {
			continue
		}
		weaker := Protection{Cells: slices.Clone(p.Cells)}
		weaker.Cells[cell] = PublishedCell{Status: Published, Value: DefaultRules().round(tab.counts[cell])}
		if v, err := Audit(tab, DefaultRules(), weaker); err != nil || len(v) == 0 {
			t.Errorf("publishing cell %d: audit found %v, %v; want a violation", cell, v, err)
		}
	}
}

func TestProtectSmallCellInLineWithPublishedTotal(t *testing.T) {
	// Visitors per neighbourhood and their total: 4 + 25 + 31 = 60.
	tab, err := NewTable([]int{4, 25, 31, 60}, []Relation{{Total: 3, Parts: []int{0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	p := mustProtect(t, tab, r)
	// The smallest other part hides the small one; the total stays.
	if got, want := texts(p, r), []string{"<10", "x", "30", "60"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
}

func TestProtectNoSmallCells(t *testing.T) {
	tab, err := Additive2D([][]int{{10, 0, 23}, {47, 12, 0}})
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	p := mustProtect(t, tab, r)
	want := []string{
		"10", "0", "25", "35",
		"45", "10", "0", "60",
		"55", "10", "25", "90",
	}
	if got := texts(p, r); !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
	for i, c := range p.Cells {
		if c.Status != Published || c.Value%r.RoundingBase != 0 {
			t.Errorf("cell %d: %+v, want a published multiple of %d", i, c, r.RoundingBase)
		}
	}
}

func TestProtectNonAdditiveTotalsNeedNoComplements(t *testing.T) {
	// Topics per programme: one person can have several topics, so the
	// totals are independent published cells and the small count is safe
	// on its own.
	tab, err := Grid2D{
		Counts:    [][]int{{4, 20}, {15, 30}},
		RowTotals: []int{22, 40},
		ColTotals: []int{19, 45},
		Grand:     55,
	}.Table()
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	p := mustProtect(t, tab, r)
	want := []string{"<10", "20", "20", "15", "30", "40", "20", "45", "55"}
	if got := texts(p, r); !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
}

func TestProtectUsesWhatStatusesReveal(t *testing.T) {
	// 1 + 10 + 0 = 11. Publishing "<10", "x", "0", "11" is not enough: an
	// "x" is at least 10 and a "<10" at least 1, so they must be 10 and 1.
	// The total has to go too.
	tab, err := NewTable([]int{1, 10, 0, 11}, []Relation{{Total: 3, Parts: []int{0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	p := mustProtect(t, tab, r)
	if got, want := texts(p, r), []string{"<10", "x", "0", "x"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
}

func TestProtectAlsoSuppress(t *testing.T) {
	tab, err := NewTable([]int{40, 25, 0, 65}, []Relation{{Total: 3, Parts: []int{0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	p, err := Protect(tab, r, 0)
	if err != nil {
		t.Fatal(err)
	}
	requireSafe(t, tab, r, p)
	if got, want := texts(p, r), []string{"x", "x", "0", "65"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
	if _, err := Protect(tab, r, 2); err == nil {
		t.Error("suppressing a zero was accepted")
	}
	if _, err := Protect(tab, r, 4); err == nil {
		t.Error("suppressing a cell out of range was accepted")
	}
}

func TestProtectRejectsInvalidRules(t *testing.T) {
	tab, err := NewTable([]int{3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Protect(tab, Rules{Threshold: 3, RoundingBase: 1}); err == nil {
		t.Error("threshold 3 was accepted")
	}
}

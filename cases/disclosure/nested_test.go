package disclosure

import (
	"slices"
	"testing"
)

func TestDifferenceRisks(t *testing.T) {
	r := DefaultRules()
	halfYear, err := NewTable([]int{23, 23, 23, 23}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 23-18 = 5 discloses; 23-13 = 10 and 23-23 = 0 do not; a suppressed
	// quarter cell publishes no difference.
	quarter, err := NewTable([]int{18, 13, 23, 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DifferenceRisks(halfYear, quarter, mustProtect(t, halfYear, r), mustProtect(t, quarter, r), r)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0}; !slices.Equal(got, want) {
		t.Errorf("DifferenceRisks = %v, want %v", got, want)
	}
}

func TestDifferenceRisksRejectsTablesNotNested(t *testing.T) {
	r := DefaultRules()
	small, err := NewTable([]int{18, 30}, nil)
	if err != nil {
		t.Fatal(err)
	}
	big, err := NewTable([]int{23, 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DifferenceRisks(big, small, mustProtect(t, big, r), mustProtect(t, small, r), r); err == nil {
		t.Error("an inner table with a larger cell was accepted")
	}
	if _, err := DifferenceRisks(big, small, mustProtect(t, big, r), Protection{}, r); err == nil {
		t.Error("a protection of another size was accepted")
	}
}

func TestProtectNested(t *testing.T) {
	r := DefaultRules()
	halfYear, err := Additive2D([][]int{{23, 40}, {50, 60}})
	if err != nil {
		t.Fatal(err)
	}
	quarter, err := Additive2D([][]int{{18, 30}, {35, 40}})
	if err != nil {
		t.Fatal(err)
	}
	outerP, innerP, err := ProtectNested(halfYear, quarter, r)
	if err != nil {
		t.Fatal(err)
	}
	requireSafe(t, halfYear, r, outerP)
	requireSafe(t, quarter, r, innerP)
	if risky, err := DifferenceRisks(halfYear, quarter, outerP, innerP, r); err != nil || len(risky) > 0 {
		t.Errorf("risks left: %v, %v", risky, err)
	}
	// The half-year is published in full; the quarter loses its inner cells.
	if want := mustProtect(t, halfYear, r); !slices.Equal(outerP.Cells, want.Cells) {
		t.Errorf("half-year changed: %v, want %v", outerP.Cells, want.Cells)
	}
	if got, want := texts(innerP, r), []string{"x", "x", "50", "x", "x", "75", "55", "70", "125"}; !slices.Equal(got, want) {
		t.Errorf("quarter published %q, want %q", got, want)
	}
}

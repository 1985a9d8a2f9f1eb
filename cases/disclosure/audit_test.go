package disclosure

import (
	"slices"
	"testing"
)

// A row of 3 + 40 with its total 43 published.
func smallRow(t *testing.T) Table {
	t.Helper()
	tab, err := NewTable([]int{3, 40, 43}, []Relation{{Total: 2, Parts: []int{0, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func audit(t *testing.T, tab Table, p Protection) []Violation {
	t.Helper()
	v, err := Audit(tab, DefaultRules(), p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAuditCatchesOnlyPrimarySuppressed(t *testing.T) {
	// "<10", "40", "45": the total minus 40 gives the small count away.
	p := Protection{Cells: []PublishedCell{{Status: Primary}, {Status: Published, Value: 40}, {Status: Published, Value: 45}}}
	got := audit(t, smallRow(t), p)
	want := []Violation{
		{Kind: Determined, Cell: 0, Relation: -1},
		{Kind: SmallLineSum, Cell: 2, Relation: 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Audit = %v, want %v", got, want)
	}
}

func TestAuditCatchesPinnedCells(t *testing.T) {
	// 1 + 10 = 11 published as "<10", "x", "10": no cell is determined by
	// the sum alone, but "x" is at least 10, so the cells are 1 and 10.
	tab, err := NewTable([]int{1, 10, 11}, []Relation{{Total: 2, Parts: []int{0, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	p := Protection{Cells: []PublishedCell{{Status: Primary}, {Status: Secondary}, {Status: Published, Value: 10}}}
	got := audit(t, tab, p)
	want := []Violation{{Kind: Pinned, Cell: 0, Relation: -1}, {Kind: Pinned, Cell: 1, Relation: -1}}
	if !slices.Equal(got, want) {
		t.Errorf("Audit = %v, want %v", got, want)
	}
}

func TestAuditCatchesSmallSuppressedSum(t *testing.T) {
	// 2 + 3 + 40 = 45: hiding 2 and 3 still shows they add up to 5.
	tab, err := NewTable([]int{2, 3, 40, 45}, []Relation{{Total: 3, Parts: []int{0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	p := Protection{Cells: []PublishedCell{{Status: Primary}, {Status: Primary}, {Status: Published, Value: 40}, {Status: Published, Value: 45}}}
	got := audit(t, tab, p)
	want := []Violation{{Kind: SmallLineSum, Cell: 3, Relation: 0}}
	if !slices.Equal(got, want) {
		t.Errorf("Audit = %v, want %v", got, want)
	}
}

func TestAuditCatchesCellsNotFollowingTheRules(t *testing.T) {
	safe := []PublishedCell{{Status: Primary}, {Status: Secondary}, {Status: Secondary}}
	tests := []struct {
		name string
		cell int
		as   PublishedCell
		want ViolationKind
	}{
		{"small count shown", 0, PublishedCell{Status: Published, Value: 3}, SmallCountShown},
		{"small count shown as its rounding", 0, PublishedCell{Status: Published, Value: 10}, SmallCountShown},
		{"value on a suppressed cell", 0, PublishedCell{Status: Primary, Value: 3}, Inconsistent},
		{"large count marked primary", 1, PublishedCell{Status: Primary}, Inconsistent},
		{"published value not rounded", 2, PublishedCell{Status: Published, Value: 43}, Inconsistent},
		{"unknown status", 1, PublishedCell{Status: Status(7)}, Inconsistent},
	}
	for _, tt := range tests {
		p := Protection{Cells: slices.Clone(safe)}
		p.Cells[tt.cell] = tt.as
		got := audit(t, smallRow(t), p)
		want := []Violation{{Kind: tt.want, Cell: tt.cell, Relation: -1}}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Audit = %v, want %v", tt.name, got, want)
		}
	}
}

func TestAuditRejectsBadInput(t *testing.T) {
	p := Protection{Cells: []PublishedCell{{Status: Primary}, {Status: Secondary}}}
	if _, err := Audit(smallRow(t), DefaultRules(), p); err == nil {
		t.Error("a protection of another size was audited")
	}
	p.Cells = append(p.Cells, PublishedCell{Status: Secondary})
	if _, err := Audit(smallRow(t), Rules{Threshold: 2, RoundingBase: 1}, p); err == nil {
		t.Error("threshold 2 was accepted")
	}
}

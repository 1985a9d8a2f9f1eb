package disclosure

import "testing"

func TestAdditive2DMargins(t *testing.T) {
	tab, err := Additive2D([][]int{{1, 2, 3}, {4, 5, 6}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		row, col, want int
	}{
		{0, 2, 3}, {1, Margin, 15}, {Margin, 0, 5}, {Margin, 2, 9}, {Margin, Margin, 21},
	} {
		if got := tab.counts[tab.Index(c.row, c.col)]; got != c.want {
			t.Errorf("cell (%d,%d) = %d, want %d", c.row, c.col, got, c.want)
		}
	}
	// 3 rows (2 + margin row) add up across, 4 columns (3 + margin) down.
	if got := len(tab.relations); got != 7 {
		t.Errorf("%d relations, want 7", got)
	}
}

func TestAdditive3DMargins(t *testing.T) {
	tab, err := Additive3D([][][]int{
		{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
		{{10, 20, 30}, {40, 50, 60}, {70, 80, 90}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		coords []int
		want   int
	}{
		{[]int{1, 2, 0}, 70},
		{[]int{Margin, 0, 1}, 22},
		{[]int{0, Margin, 2}, 18},
		{[]int{1, 1, Margin}, 150},
		{[]int{Margin, Margin, 0}, 132},
		{[]int{Margin, Margin, Margin}, 495},
	} {
		if got := tab.counts[tab.Index(c.coords...)]; got != c.want {
			t.Errorf("cell %v = %d, want %d", c.coords, got, c.want)
		}
	}
	// Lines along layers: 4×4; along rows: 3×4; along columns: 3×4.
	if got := len(tab.relations); got != 40 {
		t.Errorf("%d relations, want 40", got)
	}
}

func TestGrid2DNonAdditive(t *testing.T) {
	// Topics per programme: a person can have several topics, so the row
	// totals are unions; each person is in one programme, so columns add up.
	tab, err := Grid2D{
		Counts:           [][]int{{4, 20}, {15, 30}},
		RowTotals:        []int{22, 40},
		ColTotals:        []int{19, 50},
		Grand:            62,
		ColTotalsAreSums: true,
	}.Table()
	if err != nil {
		t.Fatal(err)
	}
	// Two columns and the column of row totals add up down.
	if got := len(tab.relations); got != 3 {
		t.Errorf("%d relations, want 3", got)
	}
	if _, err := (Grid2D{
		Counts:           [][]int{{4, 20}, {15, 30}},
		RowTotals:        []int{22, 40},
		ColTotals:        []int{19, 50},
		Grand:            62,
		RowTotalsAreSums: true,
	}).Table(); err == nil {
		t.Error("rows that do not add up were accepted as sums")
	}
}

func TestNewTableRejects(t *testing.T) {
	tests := []struct {
		name      string
		counts    []int
		relations []Relation
	}{
		{"negative count", []int{-1, 1, 0}, nil},
		{"sum does not hold", []int{1, 2, 4}, []Relation{{Total: 2, Parts: []int{0, 1}}}},
		{"out of range", []int{1, 2, 3}, []Relation{{Total: 3, Parts: []int{0, 1}}}},
		{"cell twice", []int{1, 2, 2}, []Relation{{Total: 2, Parts: []int{0, 0}}}},
		{"total among parts", []int{0, 2}, []Relation{{Total: 1, Parts: []int{0, 1}}}},
		{"no parts", []int{0}, []Relation{{Total: 0}}},
	}
	for _, tt := range tests {
		if _, err := NewTable(tt.counts, tt.relations); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestGridConstructorsRejectBadShapes(t *testing.T) {
	if _, err := Additive2D(nil); err == nil {
		t.Error("Additive2D: empty table accepted")
	}
	if _, err := Additive2D([][]int{{1, 2}, {3}}); err == nil {
		t.Error("Additive2D: ragged rows accepted")
	}
	if _, err := Additive3D([][][]int{{{1}}, {}}); err == nil {
		t.Error("Additive3D: empty layer accepted")
	}
	if _, err := Additive3D([][][]int{{{1, 2}}, {{3}}}); err == nil {
		t.Error("Additive3D: ragged row accepted")
	}
	if _, err := (Grid2D{}).Table(); err == nil {
		t.Error("Grid2D: empty table accepted")
	}
	if _, err := (Grid2D{Counts: [][]int{{1}}, ColTotals: []int{1}}).Table(); err == nil {
		t.Error("Grid2D: missing row totals accepted")
	}
}

func TestIndexPanicsOutOfRange(t *testing.T) {
	tab, err := Additive2D([][]int{{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	notGrid, err := NewTable([]int{1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tab    Table
		coords []int
	}{
		{tab, []int{0}}, {tab, []int{1, 0}}, {tab, []int{0, 2}}, {tab, []int{-2, 0}}, {notGrid, nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Index(%v) did not panic", c.coords)
				}
			}()
			c.tab.Index(c.coords...)
		}()
	}
}

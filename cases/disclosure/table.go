package disclosure

import (
	"errors"
	"fmt"
	"slices"
)

// Margin, used as a coordinate in Table.Index, selects the total over that
// dimension.
const Margin = -1

// Relation is a line of a table that the public knows adds up: the count of
// cell Total equals the sum of the counts of the cells Parts. Cells are
// indices into the table.
type Relation struct {
	Total int
	Parts []int
}

// Table holds the true counts of the cells a publication will show and the
// relations between them that readers know. The counts are internal: they
// leave this package only through Protect, suppressed or rounded.
type Table struct {
	counts    []int
	relations []Relation
	lines     [][]int   // lines[c]: indices of the relations cell c is in
	dims      gridShape // categories per dimension of a grid table; nil otherwise
}

// NewTable returns a table of the given true counts and the relations readers
// know. A published total that is not a sum (a union of persons, or a topic
// breakdown where one person counts in several topics) is a cell without a
// relation. Every relation must hold for counts.
func NewTable(counts []int, relations []Relation) (Table, error) {
	t := Table{counts: slices.Clone(counts), lines: make([][]int, len(counts))}
	for i, c := range counts {
		if c < 0 {
			return Table{}, fmt.Errorf("disclosure: cell %d has negative count %d", i, c)
		}
	}
	for ri, rel := range relations {
		if err := t.checkRelation(rel); err != nil {
			return Table{}, fmt.Errorf("disclosure: relation %d: %w", ri, err)
		}
		t.relations = append(t.relations, Relation{Total: rel.Total, Parts: slices.Clone(rel.Parts)})
		for _, c := range rel.cells() {
			t.lines[c] = append(t.lines[c], ri)
		}
	}
	return t, nil
}

func (t Table) checkRelation(rel Relation) error {
	if len(rel.Parts) == 0 {
		return errors.New("no parts")
	}
	seen := map[int]bool{}
	sum := 0
	for _, c := range rel.cells() {
		if c < 0 || c >= len(t.counts) {
			return fmt.Errorf("cell %d out of range", c)
		}
		if seen[c] {
			return fmt.Errorf("cell %d appears twice", c)
		}
		seen[c] = true
		sum += t.counts[c]
	}
	if total := t.counts[rel.Total]; sum-total != total {
		return fmt.Errorf("parts sum to %d, total is %d", sum-total, total)
	}
	return nil
}

// Index returns the cell index of a grid table (built by Grid2D, Additive2D
// or Additive3D) at the given coordinates, one per dimension, each a category
// number or Margin. Like slice indexing it panics on coordinates out of range.
func (t Table) Index(coords ...int) int {
	if t.dims == nil {
		panic("disclosure: Index on a table that is not a grid")
	}
	if len(coords) != len(t.dims) {
		panic(fmt.Sprintf("disclosure: %d coordinates for a table of %d dimensions", len(coords), len(t.dims)))
	}
	coords = slices.Clone(coords)
	for k, c := range coords {
		if c == Margin {
			coords[k] = t.dims[k]
		} else if c < 0 || c >= t.dims[k] {
			panic(fmt.Sprintf("disclosure: coordinate %d out of range [0,%d) in dimension %d", c, t.dims[k], k))
		}
	}
	return t.dims.pos(coords)
}

// Grid2D describes a rows × cols table with row totals, column totals and a
// grand total, for reach tables whose totals count distinct persons and so
// need not be sums.
type Grid2D struct {
	Counts    [][]int // Counts[row][col]; every row has the same length
	RowTotals []int   // one per row
	ColTotals []int   // one per column
	Grand     int
	// RowTotalsAreSums says every row, including the row of column totals,
	// adds up to its total: true when each person falls in exactly one
	// column category. Leave it false when a person can be in several
	// columns; the row totals are then independent published cells.
	RowTotalsAreSums bool
	// ColTotalsAreSums is the same for columns.
	ColTotalsAreSums bool
}

// Table builds the table, laid out for Index(row, col).
func (g Grid2D) Table() (Table, error) {
	rows, cols := len(g.Counts), len(g.ColTotals)
	if rows == 0 || cols == 0 {
		return Table{}, errEmpty
	}
	if len(g.RowTotals) != rows {
		return Table{}, fmt.Errorf("disclosure: %d row totals for %d rows", len(g.RowTotals), rows)
	}
	values := make([]int, 0, (rows+1)*(cols+1))
	for i, row := range g.Counts {
		if len(row) != cols {
			return Table{}, fmt.Errorf("disclosure: row %d has %d cells, want %d", i, len(row), cols)
		}
		values = append(append(values, row...), g.RowTotals[i])
	}
	values = append(append(values, g.ColTotals...), g.Grand)
	return newGrid([]int{rows, cols}, values, []bool{g.ColTotalsAreSums, g.RowTotalsAreSums})
}

var errEmpty = errors.New("disclosure: empty table")

// Additive2D builds a rows × cols table of counts with row totals, column
// totals and grand total computed as sums, laid out for Index(row, col).
func Additive2D(counts [][]int) (Table, error) {
	if len(counts) == 0 || len(counts[0]) == 0 {
		return Table{}, errEmpty
	}
	cols := len(counts[0])
	var flat []int
	for i, row := range counts {
		if len(row) != cols {
			return Table{}, fmt.Errorf("disclosure: row %d has %d cells, want %d", i, len(row), cols)
		}
		flat = append(flat, row...)
	}
	return additiveGrid([]int{len(counts), cols}, flat)
}

// Additive3D builds a layers × rows × cols table of counts with every margin
// (including margins of margins) computed as sums, laid out for
// Index(layer, row, col).
func Additive3D(counts [][][]int) (Table, error) {
	if len(counts) == 0 || len(counts[0]) == 0 || len(counts[0][0]) == 0 {
		return Table{}, errEmpty
	}
	rows, cols := len(counts[0]), len(counts[0][0])
	var flat []int
	for l, layer := range counts {
		if len(layer) != rows {
			return Table{}, fmt.Errorf("disclosure: layer %d has %d rows, want %d", l, len(layer), rows)
		}
		for r, row := range layer {
			if len(row) != cols {
				return Table{}, fmt.Errorf("disclosure: layer %d row %d has %d cells, want %d", l, r, len(row), cols)
			}
			flat = append(flat, row...)
		}
	}
	return additiveGrid([]int{len(counts), rows, cols}, flat)
}

// additiveGrid lays out the inner counts (row-major over dims) with a margin
// in every dimension, each margin the sum of what it totals.
func additiveGrid(dims []int, inner []int) (Table, error) {
	g := gridShape(dims)
	values := make([]int, g.size())
	for i, count := range inner {
		coords := g.coordsOfInner(i)
		// Add the count to every cell that totals it: each subset of the
		// dimensions replaced by its margin.
		for mask := range 1 << len(dims) {
			c := slices.Clone(coords)
			for k := range dims {
				if mask&(1<<k) != 0 {
					c[k] = dims[k]
				}
			}
			values[g.pos(c)] += count
		}
	}
	return newGrid(dims, values, slices.Repeat([]bool{true}, len(dims)))
}

// newGrid builds a grid table from values laid out row-major over dims+1 per
// dimension (the last position being the margin). For every dimension k with
// sums[k], each line along k adds up to its margin cell.
func newGrid(dims []int, values []int, sums []bool) (Table, error) {
	g := gridShape(slices.Clone(dims))
	var relations []Relation
	for total := range g.size() {
		coords := g.coords(total)
		for k, isSum := range sums {
			if !isSum || coords[k] != dims[k] {
				continue
			}
			rel := Relation{Total: total}
			for c := range dims[k] {
				coords[k] = c
				rel.Parts = append(rel.Parts, g.pos(coords))
			}
			coords[k] = dims[k]
			relations = append(relations, rel)
		}
	}
	t, err := NewTable(values, relations)
	if err != nil {
		return Table{}, err
	}
	t.dims = g
	return t, nil
}

// gridShape converts between cell positions and coordinates of a grid with
// a margin in every dimension: coordinate dims[k] is the margin.
type gridShape []int

func (g gridShape) size() int {
	n := 1
	for _, d := range g {
		n *= d + 1
	}
	return n
}

func (g gridShape) pos(coords []int) int {
	p := 0
	for k, c := range coords {
		p = p*(g[k]+1) + c
	}
	return p
}

func (g gridShape) coords(pos int) []int {
	c := make([]int, len(g))
	for k := len(g) - 1; k >= 0; k-- {
		c[k] = pos % (g[k] + 1)
		pos /= g[k] + 1
	}
	return c
}

// coordsOfInner returns the coordinates of the i-th inner cell, counting
// row-major over the categories without margins.
func (g gridShape) coordsOfInner(i int) []int {
	c := make([]int, len(g))
	for k := len(g) - 1; k >= 0; k-- {
		c[k] = i % g[k]
		i /= g[k]
	}
	return c
}

// cells returns the total and the parts of rel.
func (rel Relation) cells() []int {
	return append([]int{rel.Total}, rel.Parts...)
}

package cases

import (
	"fmt"
	"slices"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// Loss is the information loss of releases: of the released cells whose
// true count is at least the threshold (those a reader could have been
// shown), how many were hidden ("x" or withheld).
type Loss struct{ Large, Hidden int }

// Share is Hidden / Large, 0 when nothing was large.
func (l Loss) Share() float64 {
	if l.Large == 0 {
		return 0
	}
	return float64(l.Hidden) / float64(l.Large)
}

// LossByTable is the loss per reach table (T1–T5) and of them all ("all").
type LossByTable map[string]Loss

// InformationLoss measures the loss of releases, every cell of every record
// (a half-year's or year's T1 columns of its sub-periods included), per
// table and in all.
func InformationLoss(rules disclosure.Rules, records []ReleaseRecord) LossByTable {
	out := LossByTable{}
	type cellOf struct {
		period string
		CellKey
	}
	for _, r := range records {
		truth := map[cellOf]int{}
		for _, c := range r.Counts {
			truth[cellOf{c.Period, c.CellKey}] = c.N
		}
		for _, c := range r.Cells {
			if truth[cellOf{c.Period, c.CellKey}] < rules.Threshold {
				continue
			}
			for _, table := range []string{tableOf(c.CellKey), "all"} {
				l := out[table]
				l.Large++
				if c.Status == disclosure.Secondary || c.Withheld {
					l.Hidden++
				}
				out[table] = l
			}
		}
	}
	return out
}

// String lists the loss per table, T1 first, then all.
func (l LossByTable) String() string {
	var parts []string
	for _, t := range append(slices.Clone(ReachTables), "all") {
		parts = append(parts, fmt.Sprintf("%s %.1f%% (%d/%d)", t, 100*l[t].Share(), l[t].Hidden, l[t].Large))
	}
	return strings.Join(parts, " ")
}

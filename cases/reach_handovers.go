package cases

import (
	"slices"
	"sync"
	"time"
)

// handoverCounts adds the handover counts (table T5) of flows to counts
// and returns the flows as rows and the medians of working days to
// acceptance and to first contact. between counts working days.
func handoverCounts(flows []HandoverFlowRecord, counts map[Period]ReachCounts,
	between func(from, to time.Time) int) ([]FlowLabel, map[Period]map[CellKey]float64) {
	type days struct{ accept, contact []int }
	spans := map[Period]map[string]*days{}
	var labels []FlowLabel
	seen := map[string]bool{}
	for _, f := range flows {
		flow := FlowKey(f.From, f.To)
		if !seen[flow] {
			seen[flow] = true
			name := f.FromName + " → " + f.ToName
			labels = append(labels, FlowLabel{From: f.From, To: f.To, Label: Label{Key: flow, NameNL: name, NameEN: name}})
		}
		for _, p := range PeriodsOf(f.RequestedAt) {
			c := counts[p]
			if c == nil {
				continue
			}
			if spans[p] == nil {
				spans[p] = map[string]*days{}
			}
			for _, row := range []string{flow, AllProgrammes} {
				add := func(col string, on bool) {
					if on {
						c[CellKey{Measure: MeasureHandover, Row: row, Col: col}]++
					}
				}
				add(HandoverMade, true)
				add(HandoverAccepted, f.AcceptedAt != nil)
				add(HandoverContacted, f.ContactedAt != nil)
				add(HandoverCompleted, f.CompletedAt != nil)
				add(HandoverDeclined, f.DeclinedAt != nil)
				d := spans[p][row]
				if d == nil {
					d = &days{}
					spans[p][row] = d
				}
				if f.AcceptedAt != nil {
					d.accept = append(d.accept, between(f.RequestedAt, *f.AcceptedAt))
				}
				if f.ContactedAt != nil && f.FirstContactAt != nil {
					d.contact = append(d.contact, between(f.RequestedAt, *f.FirstContactAt))
				}
			}
		}
	}
	medians := map[Period]map[CellKey]float64{}
	for p, byRow := range spans {
		m := map[CellKey]float64{}
		for row, d := range byRow {
			if len(d.accept) > 0 {
				m[CellKey{Measure: MeasureHandoverMedian, Row: row, Col: HandoverDaysToAccept}] = median(d.accept)
			}
			if len(d.contact) > 0 {
				m[CellKey{Measure: MeasureHandoverMedian, Row: row, Col: HandoverDaysToContact}] = median(d.contact)
			}
		}
		medians[p] = m
	}
	return labels, medians
}

func median(xs []int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// workdayMemo is WorkdaysBetween remembered per pair of dates: every table
// of a year recounts the same handovers.
type workdayMemo struct {
	mu sync.Mutex
	m  map[[2]int]int
}

func (w *workdayMemo) between(from, to time.Time) int {
	y1, m1, d1 := from.In(Amsterdam).Date()
	y2, m2, d2 := to.In(Amsterdam).Date()
	key := [2]int{y1*10000 + int(m1)*100 + d1, y2*10000 + int(m2)*100 + d2}
	w.mu.Lock()
	n, ok := w.m[key]
	w.mu.Unlock()
	if ok {
		return n
	}
	n = WorkdaysBetween(from, to)
	w.mu.Lock()
	if w.m == nil || len(w.m) > 100_000 {
		w.m = map[[2]int]int{}
	}
	w.m[key] = n
	w.mu.Unlock()
	return n
}

package cases

import (
	"fmt"
	"slices"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// ReleaseRecord is what storage keeps of a draft or published version so
// that later releases can be audited against it. It holds true counts: it
// is internal, like the counters, and never served. It is plain JSON.
type ReleaseRecord struct {
	Period  string    `json:"period"`
	Version int       `json:"version,omitempty"` // storage's number; the engine ignores it
	At      time.Time `json:"at"`                // when the figures were computed
	// Counts are the true counts of every period of the year at At, or of
	// Periods only when that is set (a version published before releases
	// were kept whole).
	Counts  []RecordedCount `json:"counts"`
	Periods []string        `json:"periods,omitempty"`
	// Cells are the cells the release shows, of its period and, for a
	// half-year or year, the T1 cells of its sub-periods.
	Cells []RecordedCell `json:"cells"`
}

// RecordedCount is one true count of a period.
type RecordedCount struct {
	Period string `json:"p"`
	CellKey
	N int `json:"n"`
}

// RecordedCell is one released cell as shown.
type RecordedCell struct {
	Period string `json:"p"`
	CellKey
	Status   disclosure.Status `json:"s"`
	Value    int               `json:"v,omitempty"`
	Withheld bool              `json:"w,omitempty"`
}

func newRecord(p Period, at time.Time, counts map[Period]ReachCounts, shown map[Period]map[CellKey]shownCell) ReleaseRecord {
	r := ReleaseRecord{Period: p.String(), At: at.UTC()}
	for _, q := range p.Family() {
		for k, n := range counts[q] {
			if n != 0 {
				r.Counts = append(r.Counts, RecordedCount{q.String(), k, n})
			}
		}
		for k, c := range shown[q] {
			r.Cells = append(r.Cells, RecordedCell{q.String(), k, c.Status, c.Value, c.withheld})
		}
	}
	slices.SortFunc(r.Counts, func(a, b RecordedCount) int { return comparePeriodCell(a.Period, a.CellKey, b.Period, b.CellKey) })
	slices.SortFunc(r.Cells, func(a, b RecordedCell) int { return comparePeriodCell(a.Period, a.CellKey, b.Period, b.CellKey) })
	return r
}

func comparePeriodCell(p string, k CellKey, q string, l CellKey) int {
	if p != q {
		return compareStrings(p, q)
	}
	return compareKeys(k, l)
}

// snapshot reads a record back.
func (r ReleaseRecord) snapshot() (snapshot, error) {
	s := snapshot{counts: map[Period]ReachCounts{}, released: map[Period]map[CellKey]shownCell{}}
	period := func(name string) (Period, error) {
		p, err := ParsePeriod(name)
		if err != nil {
			return p, fmt.Errorf("reach: record of %s: bad period %q", r.Period, name)
		}
		return p, nil
	}
	main, err := period(r.Period)
	if err != nil {
		return s, err
	}
	for _, q := range main.Family() {
		if len(r.Periods) == 0 || slices.Contains(r.Periods, q.String()) {
			s.counts[q] = ReachCounts{}
		}
	}
	for _, c := range r.Counts {
		p, err := period(c.Period)
		if err != nil {
			return s, err
		}
		if _, ok := s.counts[p]; !ok {
			return s, fmt.Errorf("reach: record of %s counts %s", r.Period, p)
		}
		s.counts[p][c.CellKey] = c.N
	}
	for _, c := range r.Cells {
		p, err := period(c.Period)
		if err != nil {
			return s, err
		}
		if s.released[p] == nil {
			s.released[p] = map[CellKey]shownCell{}
		}
		s.released[p][c.CellKey] = shownCell{disclosure.PublishedCell{Status: c.Status, Value: c.Value}, c.Withheld}
	}
	s.late = lateAt(main.Year, r.At)
	return s, nil
}

// MsgTooFewChanged is the message key of CheckEnoughChanged's error; its
// arguments are the threshold and the persons changed. In Dutch: "Er is al
// een versie van deze periode. Een nieuwe versie kan pas als de cijfers van
// minstens {0} personen zijn veranderd (nu {1}): anders laat het verschil
// tussen de versies zien wie er veranderd is."
const MsgTooFewChanged = "reach_too_few_changed"

// CheckEnoughChanged is the rule for a new release of a period that has an
// earlier draft or release: at least rules.Threshold persons must have
// changed facts (reached, first contact, helped, topics, age or gender in
// the period) since the last one, or the difference between the two would
// show what those few are. personsChanged is that number, as storage
// counts it. The refusal is an ECONFLICT error.
func CheckEnoughChanged(rules disclosure.Rules, hasEarlier bool, personsChanged int) error {
	if !hasEarlier || personsChanged >= rules.Threshold {
		return nil
	}
	return Errorf(ECONFLICT, MsgTooFewChanged, rules.Threshold, personsChanged)
}

// MinPersonsChanged is a lower bound on the persons whose figures differ
// between two states of a period's counts (each person moves a person count
// by at most one), for when storage cannot count them itself.
func MinPersonsChanged(before, after ReachCounts) int {
	most := 0
	for _, c := range []ReachCounts{before, after} {
		for k := range c {
			if unit(k.Measure) == "persons" {
				most = max(most, abs(after[k]-before[k]))
			}
		}
	}
	return most
}

// countsOf returns the recorded true counts of period p.
func (r ReleaseRecord) countsOf(p Period) ReachCounts {
	out := ReachCounts{}
	for _, c := range r.Counts {
		if c.Period == p.String() {
			out[c.CellKey] = c.N
		}
	}
	return out
}

package cases

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// simRelease is one release of a schedule: a period, released at a moment.
type simRelease struct {
	period Period
	at     time.Time
}

// yearSchedule releases every period of year when it is over, quarters
// first.
func yearSchedule(year int) []simRelease {
	at := func(y, m int) time.Time { return time.Date(y, time.Month(m), 2, 9, 0, 0, 0, Amsterdam) }
	q := func(n int) Period { return Period{year, Quarter, n} }
	h := func(n int) Period { return Period{year, Half, n} }
	return []simRelease{{q(1), at(year, 4)}, {q(2), at(year, 7)}, {h(1), at(year, 7)}, {q(3), at(year, 10)},
		{q(4), at(year+1, 1)}, {h(2), at(year+1, 1)}, {Period{year, Year, 0}, at(year+1, 1)}}
}

// letterSchedule is the year of the letter data set up to the early
// release of Q3 in Q4.
func letterSchedule() []simRelease {
	return yearSchedule(2026)[:4]
}

// runReleases protects every release of schedule in turn, each against all
// before it.
func runReleases(t testing.TB, c *simCity, rules disclosure.Rules, schedule []simRelease) ([]*Release, []ReleaseRecord) {
	t.Helper()
	var rels []*Release
	var records []ReleaseRecord
	for _, r := range schedule {
		start := time.Now()
		rel, err := ProtectRelease(ReleaseRequest{Rules: rules, Layout: c.layout, Period: r.period,
			Counts: c.countsAt(r.period.Year, r.at), Now: r.at, Earlier: records})
		if err != nil {
			t.Fatalf("release %s: %v", r.period, err)
		}
		t.Logf("release %s: %d vars, %d relations, %d components (largest %d), %d programs, %d fallbacks, %d dropped, %d unverified, in %v",
			r.period, rel.Audit.Variables, rel.Audit.Relations, rel.Audit.Components, rel.Audit.Largest, rel.Audit.Programs,
			rel.Audit.Fallbacks, rel.Audit.Dropped, len(rel.Audit.Unverified), time.Since(start).Round(time.Millisecond))
		rels = append(rels, rel)
		records = append(records, rel.Record)
	}
	return rels, records
}

// informationLoss counts, per table and in all, the released cells of at
// least threshold persons and those of them shown "x".
type lossCount struct{ large, hidden int }

func informationLoss(rules disclosure.Rules, records []ReleaseRecord) map[string]lossCount {
	out := map[string]lossCount{}
	for _, r := range records {
		truth := map[string]int{}
		for _, c := range r.Counts {
			truth[c.Period+"|"+c.Measure+"|"+c.Row+"|"+c.Col] = c.N
		}
		for _, c := range r.Cells {
			if truth[c.Period+"|"+c.Measure+"|"+c.Row+"|"+c.Col] < rules.Threshold {
				continue
			}
			for _, table := range []string{tableOf(c.CellKey), "all"} {
				l := out[table]
				l.large++
				if c.Status == disclosure.Secondary || c.Withheld {
					l.hidden++
				}
				out[table] = l
			}
		}
	}
	return out
}

func (l lossCount) share() float64 {
	if l.large == 0 {
		return 0
	}
	return float64(l.hidden) / float64(l.large)
}

func lossReport(loss map[string]lossCount) string {
	var b strings.Builder
	for _, t := range append(slices.Clone(ReachTables), "all") {
		fmt.Fprintf(&b, "%s %.1f%% (%d/%d) ", t, 100*loss[t].share(), loss[t].hidden, loss[t].large)
	}
	return b.String()
}

// TestReleasesLetter: the demo data plus the council letter's figures in
// 2026-Q3, released early in Q4 after Q1, Q2 and H1. T1 of Q3 publishes
// every programme's reached count and all programmes together (the union),
// information loss stays within 8%, and the audit of all releases together
// is clean.
func TestReleasesLetter(t *testing.T) {
	c := demoLetterCity()
	rules := disclosure.DefaultRules()
	rels, records := runReleases(t, c, rules, letterSchedule())
	loss := informationLoss(rules, records)
	t.Log(lossReport(loss))
	if s := loss["all"].share(); s > 0.08 {
		t.Errorf("information loss %.1f%%, want at most 8%%", 100*s)
	}
	q3 := rels[len(rels)-1].Figures[Period{2026, Quarter, 3}]
	truth := c.countsAt(2026, letterSchedule()[3].at)[Period{2026, Quarter, 3}]
	for _, row := range []string{"hoop", "weggeefbus", "buren-helpen-buren", "bewonersverbinders", AllProgrammes} {
		k := CellKey{MeasureReached, row, ""}
		cell := q3.Cells[k]
		if cell.Status != disclosure.Published || abs(cell.Value-truth[k]) > 2 {
			t.Errorf("Q3 reached %s: %+v, truth %d", row, cell, truth[k])
		}
		t.Logf("Q3 reached %s: %d (truth %d)", row, cell.Value, truth[k])
	}
	sum, err := AuditReleases(rules, c.layout, records)
	if err != nil || len(sum.Unverified) > 0 {
		t.Errorf("audit of all releases: %v, %d unverified", err, len(sum.Unverified))
	}
}

// The gen-like and skewed cities take minutes per year: set
// BUURTBRUG_REACH_LONG=1 to run them.
func longReleases(t *testing.T) {
	if os.Getenv("BUURTBRUG_REACH_LONG") == "" {
		t.Skip("set BUURTBRUG_REACH_LONG=1")
	}
}

func TestReleasesGenSmall(t *testing.T) {
	longReleases(t)
	c := genCity(0.05)
	rules := disclosure.DefaultRules()
	_, records := runReleases(t, c, rules, yearSchedule(2024))
	t.Log(lossReport(informationLoss(rules, records)))
}

func TestReleasesSkewed(t *testing.T) {
	longReleases(t)
	c := skewedCity()
	rules := disclosure.DefaultRules()
	_, records := runReleases(t, c, rules, yearSchedule(2024))
	t.Log(lossReport(informationLoss(rules, records)))
}

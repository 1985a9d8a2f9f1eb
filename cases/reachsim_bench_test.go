package cases

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// The engine's speed on the gen-like city. BUURTBRUG_REACH_SCALE sizes it
// (default 0.05: 10,000 persons and 50,000 contacts; 1 is the city of the
// gen command, 200,000 persons and 1,000,000 contacts):
//
//	BUURTBRUG_REACH_SCALE=1 go test ./cases -run '^$' -bench ProtectYear -benchtime 1x

func benchCity(b *testing.B) (*simCity, []map[Period]ReachCounts) {
	b.Helper()
	scale := 0.05
	if s, err := strconv.ParseFloat(os.Getenv("BUURTBRUG_REACH_SCALE"), 64); err == nil {
		scale = s
	}
	c := genCity(scale)
	var counts []map[Period]ReachCounts
	for _, r := range yearSchedule(2024) {
		counts = append(counts, c.countsAt(2024, r.at))
	}
	return c, counts
}

// BenchmarkProtectYearGen protects every release of 2024 in turn (four
// quarters, two halves, the year), each against all before it, audit
// included: a year of drafts.
func BenchmarkProtectYearGen(b *testing.B) {
	c, counts := benchCity(b)
	rules := disclosure.DefaultRules()
	sched := yearSchedule(2024)
	var last time.Duration
	for b.Loop() {
		var records []ReleaseRecord
		for i, r := range sched {
			start := time.Now()
			rel, err := ProtectRelease(ReleaseRequest{Rules: rules, Layout: c.layout, Period: r.period,
				Counts: counts[i], Now: r.at, Earlier: records})
			if err != nil {
				b.Fatal(err)
			}
			records = append(records, rel.Record)
			last = time.Since(start)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/year")
	b.ReportMetric(float64(last.Milliseconds()), "ms/year-release")
}

// BenchmarkAuditYearGen audits the seven releases of 2024 together, as
// before publishing the year.
func BenchmarkAuditYearGen(b *testing.B) {
	c, counts := benchCity(b)
	rules := disclosure.DefaultRules()
	var records []ReleaseRecord
	for i, r := range yearSchedule(2024) {
		rel, err := ProtectRelease(ReleaseRequest{Rules: rules, Layout: c.layout, Period: r.period,
			Counts: counts[i], Now: r.at, Earlier: records})
		if err != nil {
			b.Fatal(err)
		}
		records = append(records, rel.Record)
	}
	for b.Loop() {
		if _, err := AuditReleases(rules, c.layout, records); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/audit")
}

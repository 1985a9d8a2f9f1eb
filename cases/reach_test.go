package cases

import (
	"slices"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

func TestParsePeriod(t *testing.T) {
	ok := map[string]Period{
		"2024":    {2024, Year, 0},
		"2024-H1": {2024, Half, 1},
		"2024-H2": {2024, Half, 2},
		"2024-Q1": {2024, Quarter, 1},
		"2025-Q4": {2025, Quarter, 4},
	}
	for s, want := range ok {
		got, err := ParsePeriod(s)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), s)
		}
	}
	for _, s := range []string{"", "24", "2024-", "2024-H3", "2024-H0", "2024-Q5", "2024-Q0", "2024-q1", "2024-M1",
		"2024Q1", "1999", "2100", "+024", "-024-Q1", "2024-Q1 ", "２０２４", "2024-Q11"} {
		_, err := ParsePeriod(s)
		var e *Error
		if err == nil || !asError(err, &e) || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "period" {
			t.Errorf("ParsePeriod(%q) = %v, want an EINVALID error naming period", s, err)
		}
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestPeriodBoundsAreAmsterdam(t *testing.T) {
	q2, _ := ParsePeriod("2024-Q2")
	// 1 April 2024 00:00 in Amsterdam is summer time: 31 March 22:00 UTC.
	if got, want := q2.Start().UTC(), time.Date(2024, 3, 31, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Q2 start %v, want %v", got, want)
	}
	if got, want := q2.End().UTC(), time.Date(2024, 6, 30, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Q2 end %v, want %v", got, want)
	}
	y, _ := ParsePeriod("2024")
	if got, want := y.Start().UTC(), time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("2024 start %v, want %v", got, want)
	}
	if got, want := y.LastDay(), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("2024 last day %v, want %v", got, want)
	}
	// Half past midnight on 1 July in Amsterdam is still 30 June in UTC.
	at := time.Date(2024, 6, 30, 22, 30, 0, 0, time.UTC)
	if got := PeriodsOf(at); got != [3]Period{{2024, Quarter, 3}, {2024, Half, 2}, {2024, Year, 0}} {
		t.Errorf("PeriodsOf(%v) = %v", at, got)
	}
	at = time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)
	if got := PeriodsOf(at); got[2] != (Period{2025, Year, 0}) {
		t.Errorf("PeriodsOf(%v) = %v, want 2025", at, got)
	}
	for _, p := range y.Family() {
		if !y.Contains(p) {
			t.Errorf("%v does not contain %v", y, p)
		}
	}
	h2, _ := ParsePeriod("2024-H2")
	if h2.Contains(q2) || !h2.Contains(Period{2024, Quarter, 3}) || q2.Contains(y) {
		t.Error("Contains is wrong")
	}
	parts := func(p Period) []string {
		var out []string
		for _, q := range p.Parts() {
			out = append(out, q.String())
		}
		return out
	}
	if got, want := parts(y), []string{"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024-H1", "2024-H2", "2024"}; !slices.Equal(got, want) {
		t.Errorf("parts of 2024 = %v", got)
	}
	if got, want := parts(h2), []string{"2024-Q3", "2024-Q4", "2024-H2"}; !slices.Equal(got, want) {
		t.Errorf("parts of 2024-H2 = %v", got)
	}
	if got := parts(q2); !slices.Equal(got, []string{"2024-Q2"}) {
		t.Errorf("parts of 2024-Q2 = %v", got)
	}
}

func TestAgeBand(t *testing.T) {
	day := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		date string
		year int
		want string
	}{
		{"2006-12-31", 0, "18-26"}, // 18th birthday on the last day
		{"2007-01-01", 0, "0-17"},
		{"1998-01-01", 0, "18-26"}, // 26
		{"1997-12-31", 0, "27-44"},
		{"1980-06-15", 0, "27-44"},
		{"1979-12-31", 0, "45-66"},
		{"1958-01-01", 0, "45-66"}, // 66
		{"1957-12-31", 0, "67+"},   // 67 on the last day
		{"", 1957, "67+"},
		{"", 2006, "18-26"}, // born "1 July 2006": 18 on 31 Dec 2024
		{"", 0, AgeUnknown},
		{"2030-01-01", 0, AgeUnknown},
		{"not a date", 0, AgeUnknown},
	}
	for _, c := range cases {
		if got := AgeBand(c.date, c.year, day); got != c.want {
			t.Errorf("AgeBand(%q, %d) = %q, want %q", c.date, c.year, got, c.want)
		}
	}
	// On 30 June (a Q2 end) someone known only by birth year 2006 is 17.
	if got := AgeBand("", 2006, time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)); got != "0-17" {
		t.Errorf("birth year 2006 on 30 June 2024: %q", got)
	}
}

// smallCity is a city of a few hundred persons in 2024: many small cells.
func smallCity(seed uint64) *simCity {
	s := simSpec{
		programmes: []simProgramme{{"p0", "o0", 5}, {"p1", "o1", 3}, {"p2", "o0", 1}},
		hoods:      []float64{5, 3, 1, 0.5}, topics: 3, persons: 400, contacts: 900, overlap: 0.2,
		start: time.Date(2024, 1, 1, 0, 0, 0, 0, Amsterdam), end: time.Date(2025, 1, 1, 0, 0, 0, 0, Amsterdam),
		handover: 120, seed: seed,
	}
	return s.generate()
}

// TestReleaseScheduleAudits releases every period of a year of small
// made-up cities in turn (many small cells), each against all before it:
// the audit of all releases together finds nothing and shows every
// suppressed count safe, the independent audits (propagation; integer
// programs, for the first city) find nothing, and no count from 1 to
// threshold-1 is ever published.
func TestReleaseScheduleAudits(t *testing.T) {
	for seed := range uint64(2) {
		rules := disclosure.DefaultRules()
		c := smallCity(seed)
		rels, records := runReleases(t, c, rules, yearSchedule(2024))
		for _, rel := range rels {
			for p, m := range rel.Figures {
				for k, cell := range m.Cells {
					if cell.Status == disclosure.Published && m.Counts[k] > 0 && m.Counts[k] < rules.Threshold {
						t.Fatalf("seed %d: small %s %v published", seed, p, k)
					}
				}
			}
		}
		sum, err := AuditReleases(rules, c.layout, records)
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
		allVerified(t, sum)
		independentAudit(t, rules, c.layout, records)
		if seed == 0 { // the other seed's programs are as many again
			ilpAudit(t, rules, c.layout, records)
		}
	}
}

func TestBuildReachTableAndFilter(t *testing.T) {
	rules := disclosure.DefaultRules()
	c := smallCity(1)
	l := c.layout
	h2 := Period{2024, Half, 2}
	at := time.Date(2025, 1, 2, 0, 0, 0, 0, Amsterdam)
	rel, err := ProtectRelease(ReleaseRequest{Rules: rules, Layout: l, Period: h2, Counts: c.countsAt(2024, at), Now: at})
	if err != nil {
		t.Fatal(err)
	}
	family := rel.Figures
	if len(family[h2].Layout.Flows) != len(l.Flows) {
		t.Errorf("flows %v, want %v", family[h2].Layout.Flows, l.Flows)
	}
	for _, id := range ReachTables {
		tab, err := BuildReachTable(id, h2, family, rules, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range tab.Rows {
			if seen[r.Key] {
				t.Errorf("%s: row %s twice", id, r.Key)
			}
			seen[r.Key] = true
			if len(r.Cells) != len(tab.Columns) {
				t.Fatalf("%s row %s: %d cells for %d columns", id, r.Key, len(r.Cells), len(tab.Columns))
			}
			for _, c := range r.Cells {
				if c.Value != nil && *c.Value > 0 && *c.Value < float64(rules.Threshold) && id != TableHandoverFlow {
					t.Errorf("%s: %v published", id, *c.Value)
				}
			}
		}
		own := tab.FilterRows(ReachViewer{Organisation: "o1"})
		for _, r := range own.Rows {
			if r.Key == AllProgrammes || (r.Organisation != "o1" && r.To != "o1") {
				t.Errorf("%s: coordinator of o1 sees row %s of %s", id, r.Key, r.Organisation)
			}
		}
		if all := tab.FilterRows(ReachViewer{All: true}); len(all.Rows) != len(tab.Rows) {
			t.Errorf("%s: programme staff lose rows", id)
		}
	}
	t1, _ := BuildReachTable(TableProgrammePeriod, h2, family, rules, time.Now())
	if got := len(t1.Columns); got != 9 { // Q3, Q4, H2 × reached, helped, moments
		t.Errorf("T1 of a half-year has %d columns, want 9", got)
	}
	if _, err := BuildReachTable("T9", h2, family, rules, time.Now()); err == nil {
		t.Error("T9 built")
	}
}

// allVerified: the audit showed every suppressed count safe, none left
// unverified (AuditReleases errs then too: this names them).
func allVerified(t testing.TB, sum AuditSummary) {
	t.Helper()
	for _, u := range sum.Unverified {
		t.Errorf("unverified: %s %v (epoch %d)", u.Period, u.Cell, u.Epoch)
	}
	t.Logf("%d suppressed cells audited, every one shown safe", len(sum.Ranges))
}

// TestDeclinedNeverContacted: the reach audit relies on contacted +
// declined ≤ made (buildRelations); that holds while the state machine
// declines only handovers not contacted yet.
func TestDeclinedNeverContacted(t *testing.T) {
	for _, m := range HandoverMoves {
		if m.Action == ActionDecline && !slices.Contains([]string{StateRequested, StateReceived, StateAccepted}, m.From) {
			t.Errorf("a handover is declined from %s: contacted + declined ≤ made no longer holds", m.From)
		}
	}
}

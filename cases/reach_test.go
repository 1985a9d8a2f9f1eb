package cases

import (
	"fmt"
	"math/rand/v2"
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

// randomLayout is a small reference layout.
func randomLayout(rng *rand.Rand) ReachLayout {
	l := ReachLayout{}
	for i := range 2 + rng.IntN(4) {
		l.Programmes = append(l.Programmes, ProgrammeLabel{Label: Label{Key: fmt.Sprintf("p%d", i)}, Organisation: fmt.Sprintf("o%d", i%2)})
	}
	for i := range 2 + rng.IntN(5) {
		l.Neighbourhoods = append(l.Neighbourhoods, Label{Key: fmt.Sprintf("n%d", i)})
	}
	for i := range 1 + rng.IntN(4) {
		l.Topics = append(l.Topics, Label{Key: fmt.Sprintf("t%d", i)})
	}
	for i := range rng.IntN(4) {
		l.Flows = append(l.Flows, FlowLabel{Label: Label{Key: FlowKey(fmt.Sprintf("o%d", i), "x")}, From: fmt.Sprintf("o%d", i), To: "x"})
	}
	return l
}

// partition splits n into k random parts; often with a single small part.
func partition(rng *rand.Rand, n, k int) []int {
	out := make([]int, k)
	for range n {
		// Skewed: the first categories are much more likely.
		out[min(k-1, int(rng.ExpFloat64()*float64(k)/3))]++
	}
	rng.Shuffle(k, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// randomCounts makes counts that satisfy the relations of the layout, with
// many small cells.
func randomCounts(rng *rand.Rand, l ReachLayout) ReachCounts {
	c := ReachCounts{}
	size := func() int {
		switch rng.IntN(4) {
		case 0:
			return rng.IntN(12)
		case 1:
			return 10 + rng.IntN(40)
		}
		return rng.IntN(200)
	}
	fill := func(row string, reached int) {
		c[CellKey{MeasureReached, row, ""}] = reached
		c[CellKey{MeasureHelped, row, ""}] = rng.IntN(reached + 1)
		for i, n := range partition(rng, reached, len(l.Neighbourhoods)) {
			c[CellKey{MeasureHood, row, l.Neighbourhoods[i].Key}] = n
		}
		for _, t := range l.Topics {
			c[CellKey{MeasureTopic, row, t.Key}] = rng.IntN(reached + 1)
		}
		for i, n := range partition(rng, reached, len(AgeBands)) {
			c[CellKey{MeasureAge, row, AgeBands[i]}] = n
		}
		for i, n := range partition(rng, reached, len(GenderColumns)) {
			c[CellKey{MeasureGender, row, GenderColumns[i]}] = n
		}
	}
	sum, most, moments := 0, 0, 0
	for _, p := range l.Programmes {
		r := size()
		fill(p.Key, r)
		sum += r
		most = max(most, r)
		m := r + rng.IntN(3*r+3)
		c[CellKey{MeasureMoments, p.Key, ""}] = m
		moments += m
	}
	fill(AllProgrammes, most+rng.IntN(sum-most+1))
	c[CellKey{MeasureMoments, AllProgrammes, ""}] = moments
	for _, col := range HandoverCountColumns {
		total := 0
		for _, f := range l.Flows {
			n := rng.IntN(25)
			c[CellKey{MeasureHandover, f.Key, col}] = n
			total += n
		}
		c[CellKey{MeasureHandover, AllProgrammes, col}] = total
	}
	return c
}

// relatedOf is what ProtectFamily protects m against.
func relatedOf(m *PeriodFigures, members []*PeriodFigures) []*PeriodFigures {
	var out []*PeriodFigures
	for _, o := range members {
		switch {
		case o == m:
		case o.Period.Contains(m.Period):
			out = append(out, o)
		case o.Frozen && m.Period.Contains(o.Period):
			out = append(out, o)
		}
	}
	return out
}

// TestProtectFamilyAudits protects random families of linked tables — with
// single small cells in lines, partitions in several directions, published
// members frozen and then live members changed — and audits every member:
// package disclosure's audit on its tables (exact arithmetic) and the
// differencing rules within it and against its related periods. No cell in
// 1..threshold-1 is ever published.
func TestProtectFamilyAudits(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 30
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		rules := disclosure.DefaultRules()
		if seed%3 == 1 {
			rules = disclosure.Rules{Threshold: 5, RoundingBase: 1}
		}
		l := randomLayout(rng)
		y := Period{2024, Year, 0}
		var members []*PeriodFigures
		for _, p := range y.Family() {
			members = append(members, &PeriodFigures{Period: p, Counts: randomCounts(rng, l)})
		}
		if err := ProtectFamily(rules, l, members); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		check := func(stage string) {
			for _, m := range members {
				if err := AuditFigures(rules, m, relatedOf(m, members)); err != nil {
					t.Fatalf("seed %d %s: %v", seed, stage, err)
				}
				for k, c := range m.Cells {
					if c.Status == disclosure.Published && c.Value > 0 && c.Value < rules.Threshold {
						t.Fatalf("seed %d %s: %v published as %d", seed, stage, k, c.Value)
					}
					if c.Status == disclosure.Published && m.Counts[k] > 0 && m.Counts[k] < rules.Threshold {
						t.Fatalf("seed %d %s: small %v published", seed, stage, k)
					}
				}
			}
		}
		check("fresh")
		// Publish some, change the rest (corrections), protect again.
		for _, m := range members {
			if rng.IntN(2) == 0 {
				m.Frozen = true
			} else {
				m.Counts = randomCounts(rng, l)
				m.Cells = nil
			}
		}
		if err := ProtectFamily(rules, l, members); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		check("after publishing some")
	}
}

// TestProtectFamilyDifferencing: a half-year and its quarter, each safe on
// its own, differ by 3 persons in one cell; the quarter's cell is
// suppressed, the half-year is published as is. Likewise "all programmes"
// against the only programme with persons in a neighbourhood.
func TestProtectFamilyDifferencing(t *testing.T) {
	rules := disclosure.DefaultRules()
	l := ReachLayout{Programmes: []ProgrammeLabel{{Label: Label{Key: "hoop"}}, {Label: Label{Key: "bus"}}},
		Neighbourhoods: []Label{{Key: "a"}, {Key: "b"}}, Topics: []Label{{Key: "t"}}}
	counts := func(hoopA, hoopB, busA, busB, allA, allB int) ReachCounts {
		c := ReachCounts{}
		set := func(row string, a, b int) {
			c[CellKey{MeasureReached, row, ""}] = a + b
			c[CellKey{MeasureHood, row, "a"}], c[CellKey{MeasureHood, row, "b"}] = a, b
			c[CellKey{MeasureTopic, row, "t"}] = a + b
			c[CellKey{MeasureAge, row, AgeUnknown}] = a + b
			c[CellKey{MeasureGender, row, GenderUnknown}] = a + b
		}
		set("hoop", hoopA, hoopB)
		set("bus", busA, busB)
		set(AllProgrammes, allA, allB)
		return c
	}
	h2 := &PeriodFigures{Period: Period{2024, Half, 2}, Counts: counts(40, 50, 30, 60, 65, 100)}
	q3 := &PeriodFigures{Period: Period{2024, Quarter, 3}, Counts: counts(37, 30, 20, 40, 50, 60)}
	if err := ProtectFamily(rules, l, []*PeriodFigures{q3, h2}); err != nil {
		t.Fatal(err)
	}
	hoopA := CellKey{MeasureHood, "hoop", "a"}
	if h2.Cells[hoopA].Status != disclosure.Published {
		t.Errorf("half-year cell suppressed: %v", h2.Cells[hoopA])
	}
	if q3.Cells[hoopA].Status == disclosure.Published {
		t.Errorf("quarter cell 37 published beside half-year 40")
	}
	// In H2, all programmes in b (100) minus bus in b (60) is 40: fine; in
	// Q3 all in a (50) minus hoop in a (37) is 13: fine too. Make one small.
	q3.Counts = counts(45, 30, 20, 40, 50, 60) // all − hoop in a = 5
	q3.Cells = nil
	if err := ProtectFamily(rules, l, []*PeriodFigures{q3, h2}); err != nil {
		t.Fatal(err)
	}
	if q3.Cells[hoopA].Status == disclosure.Published && q3.Cells[CellKey{MeasureHood, AllProgrammes, "a"}].Status == disclosure.Published {
		t.Error("all programmes 50 and hoop 45 both published")
	}
	for _, m := range []*PeriodFigures{h2, q3} {
		if err := AuditFigures(rules, m, relatedOf(m, []*PeriodFigures{h2, q3})); err != nil {
			t.Error(err)
		}
	}
}

func TestBuildReachTableAndFilter(t *testing.T) {
	rules := disclosure.DefaultRules()
	rng := rand.New(rand.NewPCG(1, 2))
	l := randomLayout(rng)
	family := map[Period]*PeriodFigures{}
	var members []*PeriodFigures
	for _, p := range (Period{2024, Year, 0}).Family() {
		m := &PeriodFigures{Period: p, Counts: randomCounts(rng, l)}
		family[p] = m
		members = append(members, m)
	}
	if err := ProtectFamily(rules, l, members); err != nil {
		t.Fatal(err)
	}
	if len(family[Period{2024, Year, 0}].Layout.Flows) != len(l.Flows) {
		t.Errorf("flows %v, want %v", family[Period{2024, Year, 0}].Layout.Flows, l.Flows)
	}
	h2 := Period{2024, Half, 2}
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

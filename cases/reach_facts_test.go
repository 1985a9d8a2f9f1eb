package cases

import (
	"maps"
	"slices"
	"testing"
	"time"
)

func TestHelped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		outcomes []string
		want     bool
	}{
		{nil, false},
		{[]string{OutcomeInformationOnly}, false},
		{[]string{"betalingsregeling"}, true},
		{[]string{OutcomeInformationOnly, "warme-overdracht"}, true},
	} {
		if got := Helped(tc.outcomes); got != tc.want {
			t.Errorf("Helped(%v) = %v, want %v", tc.outcomes, got, tc.want)
		}
	}
}

// Linked records share the birth date their pseudonym was made from, so
// the largest date and year win; the gender is the latest record's that
// has one.
func TestCombineAttrs(t *testing.T) {
	t.Parallel()
	got := CombineAttrs([]PersonAttrs{
		{BirthYear: 1980, Gender: "man"},
		{BirthDate: "1980-05-01", BirthYear: 1980},
		{Gender: "vrouw"},
		{},
	})
	if want := (PersonAttrs{BirthDate: "1980-05-01", BirthYear: 1980, Gender: "vrouw"}); got != want {
		t.Errorf("CombineAttrs = %+v, want %+v", got, want)
	}
	if got := CombineAttrs(nil); got != (PersonAttrs{}) {
		t.Errorf("CombineAttrs(nil) = %+v", got)
	}
}

func amsAt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Amsterdam)
	if err != nil {
		panic(err)
	}
	return t
}

// One person's contacts in two programmes: each contact counts in its
// quarter, half-year and year, for its programme and for all; the first
// contact (ties broken by Seq) gives the neighbourhood; helped and topics
// gather over the period; the age is at the period's last day.
func TestPersonFacts(t *testing.T) {
	t.Parallel()
	const hoop, bus = 10, 20
	tie := amsAt("2024-02-10 09:00")
	contacts := []ReachContact{
		{Seq: 2, Person: 1, Programme: hoop, At: tie, Hood: 100, Topics: []int64{3, 1}},
		{Seq: 1, Person: 1, Programme: hoop, At: tie, Hood: 200},
		{Seq: 3, Person: 1, Programme: bus, At: amsAt("2024-08-01 12:00"), Hood: 300, Topics: []int64{2}, Helped: true},
		// New Year's Eve in Amsterdam is still 2024, though 2025 in UTC.
		{Seq: 4, Person: 1, Programme: bus, At: amsAt("2024-12-31 23:30"), Hood: 400, Topics: []int64{1}},
	}
	attrs := PersonAttrs{BirthDate: "2006-06-15", Gender: "vrouw"}
	facts := PersonFacts(contacts, everywhere(attrs))
	key := func(programme int64, period string) FactKey { return FactKey{Programme: programme, Period: period} }
	want := map[FactKey]Fact{
		key(hoop, "2024-Q1"): {FirstSeq: 1, Hood: 200, Topics: "1,3"},
		key(hoop, "2024-H1"): {FirstSeq: 1, Hood: 200, Topics: "1,3"},
		key(hoop, "2024"):    {FirstSeq: 1, Hood: 200, Topics: "1,3"},
		key(0, "2024-Q1"):    {FirstSeq: 1, Hood: 200, Topics: "1,3"},
		key(0, "2024-H1"):    {FirstSeq: 1, Hood: 200, Topics: "1,3"},
		key(bus, "2024-Q3"):  {FirstSeq: 3, Hood: 300, Topics: "2", Helped: true},
		key(0, "2024-Q3"):    {FirstSeq: 3, Hood: 300, Topics: "2", Helped: true},
		key(bus, "2024-Q4"):  {FirstSeq: 4, Hood: 400, Topics: "1"},
		key(0, "2024-Q4"):    {FirstSeq: 4, Hood: 400, Topics: "1"},
		key(bus, "2024-H2"):  {FirstSeq: 3, Hood: 300, Topics: "1,2", Helped: true},
		key(0, "2024-H2"):    {FirstSeq: 3, Hood: 300, Topics: "1,2", Helped: true},
		key(bus, "2024"):     {FirstSeq: 3, Hood: 300, Topics: "1,2", Helped: true},
		key(0, "2024"):       {FirstSeq: 1, Hood: 200, Topics: "1,2,3", Helped: true},
	}
	if len(facts) != len(want) {
		t.Errorf("%d facts, want %d: %v", len(facts), len(want), slices.Collect(maps.Keys(facts)))
	}
	for k, w := range want {
		got, ok := facts[k]
		if !ok {
			t.Errorf("no fact %+v", k)
			continue
		}
		// 18 on 15 June 2024: 17 at the end of the first quarter.
		w.Age, w.Gender = "18-26", "vrouw"
		if k.Period == "2024-Q1" {
			w.Age = "0-17"
		}
		for _, c := range contacts {
			if c.Seq == w.FirstSeq {
				w.FirstAt = c.At.UnixMilli()
			}
		}
		if got != w {
			t.Errorf("fact %+v = %+v, want %+v", k, got, w)
		}
	}
	// The order the contacts come in does not matter.
	reversed := slices.Clone(contacts)
	slices.Reverse(reversed)
	if again := PersonFacts(reversed, everywhere(attrs)); !maps.Equal(again, facts) {
		t.Error("the facts depend on the order of the contacts")
	}
	if got := PersonFacts(contacts, everywhere(PersonAttrs{}))[key(0, "2024")]; got.Age != AgeUnknown || got.Gender != GenderUnknown {
		t.Errorf("without attributes: age %q gender %q", got.Age, got.Gender)
	}
}

// A fact counted in and out again leaves no counter changed; in, it moves
// exactly its measures.
func TestCounterDeltaFact(t *testing.T) {
	t.Parallel()
	k := FactKey{Programme: 10, Period: "2024-Q1"}
	f := Fact{Hood: 200, Helped: true, Topics: "1,3", Age: "18-26", Gender: "vrouw"}
	d := CounterDelta{}
	d.Fact(k, f, +1)
	c := func(measure, key string) CounterKey { return CounterKey{"2024-Q1", 10, measure, key} }
	want := CounterDelta{c(MeasureReached, ""): 1, c(MeasureHelped, ""): 1, c(MeasureHood, "200"): 1,
		c(MeasureTopic, "1"): 1, c(MeasureTopic, "3"): 1, c(MeasureAge, "18-26"): 1, c(MeasureGender, "vrouw"): 1}
	if !maps.Equal(d, want) {
		t.Errorf("a fact in: %v, want %v", d, want)
	}
	d.Fact(k, f, -1)
	for key, n := range d {
		if n != 0 {
			t.Errorf("in and out again: %+v = %d", key, n)
		}
	}
	notHelped := CounterDelta{}
	notHelped.Fact(k, Fact{Hood: 200, Age: AgeUnknown, Gender: GenderUnknown}, +1)
	if _, ok := notHelped[c(MeasureHelped, "")]; ok || len(notHelped) != 4 {
		t.Errorf("a fact without help or topics: %v", notHelped)
	}
	// Moments are kept per quarter only.
	m := CounterDelta{}
	m.Moments(10, amsAt("2024-08-01 12:00"), +1)
	m.Moments(10, amsAt("2024-09-30 23:59"), +1)
	if !maps.Equal(m, CounterDelta{{"2024-Q3", 10, MeasureMoments, ""}: 2}) {
		t.Errorf("moments: %v", m)
	}
}

// CountsOf names the counters' keys, puts programme 0 in the all-programmes
// row, sums quarterly moments into every period that holds the quarter (and
// into the all row), and leaves out zeros, unknown programmes and periods
// not asked for.
func TestCountsOf(t *testing.T) {
	t.Parallel()
	counters := map[CounterKey]int{
		{"2024", 0, MeasureReached, ""}:          5,
		{"2024", 10, MeasureReached, ""}:         4,
		{"2024", 10, MeasureHood, "200"}:         3,
		{"2024", 10, MeasureTopic, "1"}:          2,
		{"2024", 10, MeasureAge, "67+"}:          1,
		{"2024", 10, MeasureHelped, ""}:          0,
		{"2024", 99, MeasureReached, ""}:         7, // a programme no longer in the reference data
		{"2023", 0, MeasureReached, ""}:          9,
		{"2024-Q1", 10, MeasureMoments, ""}:      4,
		{"2024-Q3", 10, MeasureMoments, ""}:      6,
		{"2024-Q3", 99, MeasureMoments, ""}:      8,
		{"2024-H2", 10, MeasureReached, ""}:      1,
		{"not-a-period", 10, MeasureMoments, ""}: 3,
	}
	names := CounterNames{
		Programme: func(k int64) (string, bool) { return map[int64]string{10: "hoop"}[k], k == 10 },
		Hood:      func(k int64) string { return map[int64]string{200: "zambesibuurt"}[k] },
		Topic:     func(k int64) string { return map[int64]string{1: "schulden"}[k] },
	}
	year, h1, q1, h2, next := Period{2024, Year, 0}, Period{2024, Half, 1}, Period{2024, Quarter, 1}, Period{2024, Half, 2}, Period{2025, Year, 0}
	got := CountsOf(counters, []Period{year, h1, q1, h2, next}, names)
	cell := func(measure, row, col string) CellKey { return CellKey{Measure: measure, Row: row, Col: col} }
	want := map[Period]ReachCounts{
		year: {cell(MeasureReached, AllProgrammes, ""): 5, cell(MeasureReached, "hoop", ""): 4,
			cell(MeasureHood, "hoop", "zambesibuurt"): 3, cell(MeasureTopic, "hoop", "schulden"): 2, cell(MeasureAge, "hoop", "67+"): 1,
			cell(MeasureMoments, "hoop", ""): 10, cell(MeasureMoments, AllProgrammes, ""): 10},
		h1:   {cell(MeasureMoments, "hoop", ""): 4, cell(MeasureMoments, AllProgrammes, ""): 4},
		q1:   {cell(MeasureMoments, "hoop", ""): 4, cell(MeasureMoments, AllProgrammes, ""): 4},
		h2:   {cell(MeasureMoments, "hoop", ""): 6, cell(MeasureMoments, AllProgrammes, ""): 6, cell(MeasureReached, "hoop", ""): 1},
		next: {},
	}
	if len(got) != len(want) {
		t.Errorf("periods %v", slices.Collect(maps.Keys(got)))
	}
	for p, w := range want {
		if g, ok := got[p]; !ok || g == nil || !maps.Equal(g, w) {
			t.Errorf("%s: %v, want %v", p, g, w)
		}
	}
}

// Facts and counters agree with a count done by hand: persons reached per
// programme and over all, helped, moments.
func TestFactsCountPersonsOnce(t *testing.T) {
	t.Parallel()
	const hoop, bus = 10, 20
	d := CounterDelta{}
	contactsOf := map[int64][]ReachContact{
		1: {{Seq: 1, Programme: hoop, At: amsAt("2024-02-01 10:00"), Hood: 1},
			{Seq: 2, Programme: hoop, At: amsAt("2024-03-01 10:00"), Hood: 2, Helped: true}},
		2: {{Seq: 3, Programme: hoop, At: amsAt("2024-02-05 10:00"), Hood: 1},
			{Seq: 4, Programme: bus, At: amsAt("2024-07-05 10:00"), Hood: 3}},
	}
	for _, cs := range contactsOf {
		for k, f := range PersonFacts(cs, everywhere(PersonAttrs{})) {
			d.Fact(k, f, +1)
		}
		for _, c := range cs {
			d.Moments(c.Programme, c.At, +1)
		}
	}
	names := CounterNames{
		Programme: func(k int64) (string, bool) { return map[int64]string{hoop: "hoop", bus: "bus"}[k], true },
		Hood:      func(k int64) string { return string(rune('a' + k - 1)) },
		Topic:     func(int64) string { return "" },
	}
	year := Period{2024, Year, 0}
	got := CountsOf(d, []Period{year}, names)[year]
	for _, tc := range []struct {
		cell CellKey
		want int
	}{
		{CellKey{MeasureReached, AllProgrammes, ""}, 2},
		{CellKey{MeasureReached, "hoop", ""}, 2},
		{CellKey{MeasureReached, "bus", ""}, 1},
		{CellKey{MeasureHelped, "hoop", ""}, 1},
		{CellKey{MeasureHelped, AllProgrammes, ""}, 1},
		{CellKey{MeasureHood, AllProgrammes, "a"}, 2}, // both first met in hood 1
		{CellKey{MeasureHood, "bus", "c"}, 1},
		{CellKey{MeasureMoments, AllProgrammes, ""}, 4},
		{CellKey{MeasureMoments, "hoop", ""}, 3},
	} {
		if got[tc.cell] != tc.want {
			t.Errorf("%+v = %d, want %d", tc.cell, got[tc.cell], tc.want)
		}
	}
}

// everywhere is attrs as every programme reads them.
func everywhere(attrs PersonAttrs) AttrsByProgramme { return func(int64) PersonAttrs { return attrs } }

package cases

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reach facts are what counting keeps per person, programme and period: the
// first contact (whose neighbourhood counts), whether the person was helped,
// the topics, and the age band and gender. Counters per period, programme
// and breakdown are sums of the facts' contributions. The rules of this file
// are the only definition of them: storage keeps facts and counters up to
// date incrementally with them, and in-memory tools (tests, generators)
// count with them too.
//
// Facts name programmes, neighbourhoods and topics by opaque numeric keys
// (storage uses its row IDs): counting never needs their slugs.

// ReachContact is a contact as reach counts it.
type ReachContact struct {
	Seq       int64 // breaks ties between contacts at the same time
	Person    int64 // 0: anonymous
	Programme int64
	At        time.Time
	Hood      int64
	Topics    []int64
	Helped    bool
	Counted   bool // exists and is not voided
}

// Helped reports whether a contact with these outcomes helped its person:
// any outcome but OutcomeInformationOnly does.
func Helped(outcomes []string) bool {
	return slices.ContainsFunc(outcomes, func(o string) bool { return o != OutcomeInformationOnly })
}

// PersonAttrs are what the age and gender breakdowns read of a person.
type PersonAttrs struct {
	BirthDate string
	BirthYear int
	Gender    string
	// Erased: a record of the person was erased, and what it said with it
	// (see KeepCounted).
	Erased bool
}

// CombineAttrs chooses a person's attributes from their records (oldest
// update first): linked records share the birth date their pseudonym was
// made from, so the largest date and year are taken; the gender is that of
// the most recently updated record that has one.
func CombineAttrs(records []PersonAttrs) PersonAttrs {
	var a PersonAttrs
	for _, r := range records {
		a.BirthDate = max(a.BirthDate, r.BirthDate)
		a.BirthYear = max(a.BirthYear, r.BirthYear)
		if r.Gender != "" {
			a.Gender = r.Gender
		}
		a.Erased = a.Erased || r.Erased
	}
	return a
}

// PersonRecord is one record of a person as the breakdowns read it: the
// organisation that keeps it and what it says.
type PersonRecord struct {
	Organisation int64
	PersonAttrs
}

// AttrsFor combines the records a programme's facts read: those of org,
// the organisation that runs the programme; org 0 (all programmes
// together) reads every record. A programme's age and gender never come
// from another organisation's record: what another organisation knows of
// a person must not show in the programme's figures (issue 11, §6).
func AttrsFor(records []PersonRecord, org int64) PersonAttrs {
	var own []PersonAttrs
	for _, r := range records {
		if org == 0 || r.Organisation == org {
			own = append(own, r.PersonAttrs)
		}
	}
	return CombineAttrs(own)
}

// AttrsByProgramme answers the attributes each programme's facts read:
// programme 0 all records, any other its organisation's (orgOf).
type AttrsByProgramme func(programme int64) PersonAttrs

// AttrsOf returns what each programme reads of records; orgOf names a
// programme's organisation.
func AttrsOf(records []PersonRecord, orgOf func(programme int64) int64) AttrsByProgramme {
	memo := map[int64]PersonAttrs{}
	return func(programme int64) PersonAttrs {
		a, ok := memo[programme]
		if !ok {
			org := int64(0)
			if programme != 0 {
				org = orgOf(programme)
			}
			a = AttrsFor(records, org)
			memo[programme] = a
		}
		return a
	}
}

// KeepCounted keeps, in a person's recomputed facts want, the age band and
// gender their existing facts have were counted with, where the records a
// fact reads no longer say. An erased record takes its birth date and
// gender with it, yet the person still counts as counted: erasure must not
// move a figure. Only for facts whose records include an erased one
// (Erased); otherwise a blanked birth date is a correction and moves the
// figures.
func KeepCounted(want, have map[FactKey]Fact, attrs AttrsByProgramme) {
	for k, f := range want {
		old, ok := have[k]
		if !ok || !attrs(k.Programme).Erased {
			continue
		}
		if f.Age == AgeUnknown {
			f.Age = old.Age
		}
		if f.Gender == GenderUnknown {
			f.Gender = old.Gender
		}
		want[k] = f
	}
}

// FactKey names one fact of a person: a programme (0: all programmes) and
// a period.
type FactKey struct {
	Programme int64
	Period    string
}

// Fact is what counting keeps of one person in one programme and period.
type Fact struct {
	FirstAt, FirstSeq int64 // Unix milliseconds and Seq of the first contact
	Hood              int64
	Helped            bool
	Topics            string // sorted keys, comma-separated
	Age, Gender       string
}

// NewFact starts the fact of period p with its first contact.
func NewFact(c ReachContact, attrs PersonAttrs, p Period) Fact {
	return Fact{FirstAt: c.At.UnixMilli(), FirstSeq: c.Seq, Hood: c.Hood, Helped: c.Helped,
		Topics: mergeTopics("", c.Topics), Age: AgeBand(attrs.BirthDate, attrs.BirthYear, p.LastDay()),
		Gender: GenderColumn(attrs.Gender)}
}

// Merge takes another contact of the same person and period into f.
func (f Fact) Merge(c ReachContact) Fact {
	if at := c.At.UnixMilli(); at < f.FirstAt || (at == f.FirstAt && c.Seq < f.FirstSeq) {
		f.FirstAt, f.FirstSeq, f.Hood = at, c.Seq, c.Hood
	}
	f.Helped = f.Helped || c.Helped
	f.Topics = mergeTopics(f.Topics, c.Topics)
	return f
}

// FactKeys are the facts a contact of programme at instant at counts in:
// its quarter, half-year and year, for its programme and for all together.
func FactKeys(programme int64, at time.Time) [6]FactKey {
	var out [6]FactKey
	for i, p := range PeriodsOf(at) {
		out[2*i] = FactKey{programme, p.String()}
		out[2*i+1] = FactKey{0, p.String()}
	}
	return out
}

// PersonFacts computes a person's facts from all their counted contacts;
// each programme's facts read attrs of that programme.
func PersonFacts(contacts []ReachContact, attrs AttrsByProgramme) map[FactKey]Fact {
	out := map[FactKey]Fact{}
	for _, c := range contacts {
		for _, k := range FactKeys(c.Programme, c.At) {
			if f, ok := out[k]; ok {
				out[k] = f.Merge(c)
			} else {
				p, _ := ParsePeriod(k.Period)
				out[k] = NewFact(c, attrs(k.Programme), p)
			}
		}
	}
	return out
}

func mergeTopics(list string, add []int64) string {
	ids := ParseKeys(list)
	for _, t := range add {
		if !slices.Contains(ids, t) {
			ids = append(ids, t)
		}
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// ParseKeys reads a comma-separated list of numeric keys ("3,1"), skipping
// anything that is not a number.
func ParseKeys(list string) []int64 {
	var out []int64
	for _, s := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// CounterKey names one counter: a period, a programme (0: all), a measure
// and a breakdown key (a numeric key as text, an age band, a gender, or ""
// for the measure's own total).
type CounterKey struct {
	Period    string
	Programme int64
	Measure   string
	Key       string
}

// CounterDelta collects counter changes.
type CounterDelta map[CounterKey]int

// Fact moves the counters by fact f of k, counted sign times (+1 in, -1 out).
func (d CounterDelta) Fact(k FactKey, f Fact, sign int) {
	add := func(measure, key string) { d[CounterKey{k.Period, k.Programme, measure, key}] += sign }
	add(MeasureReached, "")
	if f.Helped {
		add(MeasureHelped, "")
	}
	add(MeasureHood, strconv.FormatInt(f.Hood, 10))
	for _, t := range strings.Split(f.Topics, ",") {
		if t != "" {
			add(MeasureTopic, t)
		}
	}
	add(MeasureAge, f.Age)
	add(MeasureGender, f.Gender)
}

// Moments counts one contact moment of programme at instant at, sign times.
// Moments are kept per quarter only: they add up, so a half-year and a year
// are the sums of their quarters (see MomentsIn).
func (d CounterDelta) Moments(programme int64, at time.Time, sign int) {
	d[CounterKey{PeriodsOf(at)[0].String(), programme, MeasureMoments, ""}] += sign
}

// MomentsIn reports whether the moments counted for quarter q count in
// period p.
func MomentsIn(p, q Period) bool { return p.Contains(q) }

// CounterNames maps the numeric keys of counters to the slugs of tables.
type CounterNames struct {
	// Programme names a programme; false leaves its counters out (a
	// programme no longer in the reference data).
	Programme func(key int64) (string, bool)
	// Hood and Topic name breakdown keys.
	Hood, Topic func(key int64) string
}

// CountsOf turns counters into the cell counts of periods: programme 0 is
// the AllProgrammes row; moments, kept per quarter, are summed into every
// period that contains the quarter, and into all programmes.
func CountsOf(counters map[CounterKey]int, periods []Period, names CounterNames) map[Period]ReachCounts {
	out := make(map[Period]ReachCounts, len(periods))
	byName := make(map[string]Period, len(periods))
	for _, p := range periods {
		out[p] = ReachCounts{}
		byName[p.String()] = p
	}
	for k, n := range counters {
		if n == 0 {
			continue
		}
		row := AllProgrammes
		if k.Programme != 0 {
			slug, ok := names.Programme(k.Programme)
			if !ok {
				continue
			}
			row = slug
		}
		key := k.Key
		switch k.Measure {
		case MeasureHood:
			key = names.Hood(keyNumber(key))
		case MeasureTopic:
			key = names.Topic(keyNumber(key))
		case MeasureMoments:
			q, err := ParsePeriod(k.Period)
			if err != nil {
				continue
			}
			for _, p := range periods {
				if MomentsIn(p, q) {
					out[p][CellKey{Measure: MeasureMoments, Row: row}] += n
					out[p][CellKey{Measure: MeasureMoments, Row: AllProgrammes}] += n
				}
			}
			continue
		}
		if p, ok := byName[k.Period]; ok {
			out[p][CellKey{Measure: k.Measure, Row: row, Col: key}] += n
		}
	}
	return out
}

func keyNumber(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

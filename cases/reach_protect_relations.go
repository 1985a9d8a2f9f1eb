package cases

import "github.com/buurtbrug/buurtbrug/cases/disclosure"

// The relations a reader of the reach tables knows to hold between the true
// counts of one moment, whatever the data. Each is written as
// Lo ≤ Σ coef·count ≤ Hi over cells of the year's periods. Only true ones
// are here: a false relation would let the audit believe in protection that
// is not there. Deliberately absent:
//   - age bands across periods: ages are taken on a period's last day, so a
//     birthday moves a person between bands;
//   - the neighbourhood of one programme against all programmes (the first
//     contact over all programmes may be another programme's), and of a
//     half-year against its second quarter;
//   - age bands and genders of a programme against all programmes: a
//     programme reads only its own organisation's records of a person, all
//     programmes together every record (AttrsFor), so one person may be
//     "unknown" in a programme and "45-66" in all.

// relTerm is coef · the count of cell in period.
type relTerm struct {
	period Period
	cell   CellKey
	coef   int
}

// relation is Lo ≤ Σ terms ≤ Hi.
type relation struct {
	terms  []relTerm
	lo, hi int
}

// relations builds the rows among periods for a layout, as below.
type relations struct {
	layout ReachLayout
	out    []relation
}

func (b *relations) add(lo, hi int, terms ...relTerm) {
	b.out = append(b.out, relation{terms: terms, lo: lo, hi: hi})
}

// atMost adds a ≤ c.
func (b *relations) atMost(a, c relTerm) {
	c.coef = -1
	a.coef = 1
	b.add(-disclosure.NoLimit, 0, a, c)
}

func term(p Period, measure, row, col string, coef int) relTerm {
	return relTerm{period: p, cell: CellKey{measure, row, col}, coef: coef}
}

// total adds "lhs = Σ parts" (equal) or "lhs ≤ Σ parts".
func (b *relations) total(equal bool, lhs relTerm, parts []relTerm) {
	terms := []relTerm{lhs}
	for _, p := range parts {
		p.coef = -1
		terms = append(terms, p)
	}
	lo := -disclosure.NoLimit
	if equal {
		lo = 0
	}
	b.add(lo, 0, terms...)
}

// personMeasures are the measures that count distinct persons.
var personMeasures = []string{MeasureReached, MeasureHelped, MeasureHood, MeasureTopic, MeasureAge, MeasureGender}

// personColumns are the columns of each person measure ("" for the
// measure's own total).
func (l ReachLayout) personColumns() map[string][]string {
	return map[string][]string{
		MeasureReached: {""},
		MeasureHelped:  {""},
		MeasureHood:    labelKeys(l.Neighbourhoods),
		MeasureTopic:   labelKeys(l.Topics),
		MeasureAge:     AgeBands,
		MeasureGender:  GenderColumns,
	}
}

func (l ReachLayout) programmeRows() []string {
	return append(labelKeys(programmeLabels(l.Programmes)), AllProgrammes)
}

func programmeLabels(ps []ProgrammeLabel) []Label {
	out := make([]Label, len(ps))
	for i, p := range ps {
		out[i] = p.Label
	}
	return out
}

func (l ReachLayout) flowRows() []string {
	keys := make([]string, 0, len(l.Flows)+1)
	for _, f := range l.Flows {
		keys = append(keys, f.Key)
	}
	return append(keys, AllProgrammes)
}

// buildRelations returns every relation within and between the periods of
// one year.
func buildRelations(l ReachLayout, year int) []relation {
	b := &relations{layout: l}
	for _, p := range (Period{Year: year, Kind: Year}).Family() {
		b.withinRows(p)
		b.acrossProgrammes(p)
		b.handovers(p)
	}
	for _, c := range containments(year) {
		b.acrossPeriods(c.outer, c.parts)
	}
	return b.out
}

// withinRows: the neighbourhood, age and gender breakdowns partition the
// persons reached; helped ≤ reached ≤ moments (every person has a contact);
// each topic ≤ reached ≤ Σ topics (every contact has a topic).
func (b *relations) withinRows(p Period) {
	cols := b.layout.personColumns()
	for _, r := range b.layout.programmeRows() {
		reached := term(p, MeasureReached, r, "", 1)
		for _, m := range []string{MeasureHood, MeasureAge, MeasureGender} {
			b.total(true, reached, columnTerms(p, m, r, cols[m]))
		}
		b.atMost(term(p, MeasureHelped, r, "", 1), reached)
		b.atMost(reached, term(p, MeasureMoments, r, "", 1))
		topics := columnTerms(p, MeasureTopic, r, cols[MeasureTopic])
		for _, t := range topics {
			b.atMost(t, reached)
		}
		if len(topics) > 0 {
			b.total(false, reached, topics)
		}
	}
}

func columnTerms(p Period, measure, row string, cols []string) []relTerm {
	out := make([]relTerm, len(cols))
	for i, c := range cols {
		out[i] = term(p, measure, row, c, 1)
	}
	return out
}

// acrossProgrammes: all programmes together is the union of the programmes'
// persons, so each count lies between the largest programme's and their
// sum; for the neighbourhood of first contact only the sum holds, and for
// age and gender nothing (see above). Moments add up.
func (b *relations) acrossProgrammes(p Period) {
	programmes := labelKeys(programmeLabels(b.layout.Programmes))
	if len(programmes) == 0 {
		return
	}
	cols := b.layout.personColumns()
	for _, m := range []string{MeasureReached, MeasureHelped, MeasureHood, MeasureTopic} {
		for _, c := range cols[m] {
			all := term(p, m, AllProgrammes, c, 1)
			var parts []relTerm
			for _, r := range programmes {
				one := term(p, m, r, c, 1)
				parts = append(parts, one)
				if m != MeasureHood {
					b.atMost(one, all)
				}
			}
			b.total(false, all, parts)
		}
	}
	var moments []relTerm
	for _, r := range programmes {
		moments = append(moments, term(p, MeasureMoments, r, "", 1))
	}
	b.total(true, term(p, MeasureMoments, AllProgrammes, "", 1), moments)
}

// handovers: all handovers are the sum of the flows; a handover is accepted
// before it is contacted and contacted before it is completed; one declined
// was never contacted (HandoverMoves declines only before contact), so
// contacted and declined together are at most those made.
func (b *relations) handovers(p Period) {
	flows := b.layout.flowRows()
	for _, col := range HandoverCountColumns {
		var parts []relTerm
		for _, f := range flows[:len(flows)-1] {
			parts = append(parts, term(p, MeasureHandover, f, col, 1))
		}
		if len(parts) > 0 {
			b.total(true, term(p, MeasureHandover, AllProgrammes, col, 1), parts)
		}
	}
	for _, f := range flows {
		h := func(col string) relTerm { return term(p, MeasureHandover, f, col, 1) }
		b.atMost(h(HandoverCompleted), h(HandoverContacted))
		b.atMost(h(HandoverContacted), h(HandoverAccepted))
		b.atMost(h(HandoverAccepted), h(HandoverMade))
		b.atMost(h(HandoverDeclined), h(HandoverMade))
		made := h(HandoverMade)
		made.coef = -1
		b.add(-disclosure.NoLimit, 0, h(HandoverContacted), h(HandoverDeclined), made)
	}
}

// containment is a period and consecutive periods that make it up.
type containment struct {
	outer Period
	parts []Period
}

// containments are every way to make up a half-year or year from periods of
// the year. With all periods present the year's tilings by quarters are
// implied by the halves; they are there for when a half-year was never
// released and so is not in the model.
func containments(year int) []containment {
	q := func(n int) Period { return Period{year, Quarter, n} }
	h := func(n int) Period { return Period{year, Half, n} }
	y := Period{year, Year, 0}
	return []containment{
		{h(1), []Period{q(1), q(2)}},
		{h(2), []Period{q(3), q(4)}},
		{y, []Period{h(1), h(2)}},
		{y, []Period{q(1), q(2), h(2)}},
		{y, []Period{h(1), q(3), q(4)}},
		{y, []Period{q(1), q(2), q(3), q(4)}},
	}
}

// acrossPeriods: persons (reached, helped, per topic, per gender) of a
// period are the union of its parts', so at least each part's and at most
// their sum; the neighbourhood of first contact in a period is that of its
// first part for the persons in it, so at least the first part's and at
// most the sum; moments and handovers (counted in the period they were
// sent) add up.
func (b *relations) acrossPeriods(outer Period, parts []Period) {
	cols := b.layout.personColumns()
	for _, r := range b.layout.programmeRows() {
		for _, m := range []string{MeasureReached, MeasureHelped, MeasureTopic, MeasureGender, MeasureHood} {
			for _, c := range cols[m] {
				whole := term(outer, m, r, c, 1)
				var sub []relTerm
				for i, p := range parts {
					t := term(p, m, r, c, 1)
					sub = append(sub, t)
					if m != MeasureHood || i == 0 {
						b.atMost(t, whole)
					}
				}
				b.total(false, whole, sub)
			}
		}
		b.total(true, term(outer, MeasureMoments, r, "", 1), periodTerms(parts, MeasureMoments, r, ""))
	}
	for _, f := range b.layout.flowRows() {
		for _, col := range HandoverCountColumns {
			b.total(true, term(outer, MeasureHandover, f, col, 1), periodTerms(parts, MeasureHandover, f, col))
		}
	}
}

func periodTerms(ps []Period, measure, row, col string) []relTerm {
	out := make([]relTerm, len(ps))
	for i, p := range ps {
		out[i] = term(p, measure, row, col, 1)
	}
	return out
}

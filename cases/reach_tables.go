package cases

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// CellKey names one internal count of a period: a measure, a row (programme
// slug, AllProgrammes, or a handover flow) and a column (a category, or ""
// for the measure's own total).
type CellKey struct {
	Measure string `json:"m"`
	Row     string `json:"r"`
	Col     string `json:"c,omitempty"`
}

// ReachCounts are a period's exact counts. They are internal: they leave the
// server only through disclosure control.
type ReachCounts map[CellKey]int

// Handover measures (table T5). Each handover sent in the period counts in
// the row of its flow, sending → receiving organisation.
const (
	MeasureHandover = "handover"
	// MeasureHandoverMedian holds medians in working days, not counts.
	MeasureHandoverMedian = "handover-median"
)

// Handover columns of T5.
const (
	HandoverMade      = "made"
	HandoverAccepted  = "accepted"
	HandoverContacted = "contacted"
	HandoverCompleted = "completed"
	HandoverDeclined  = "declined"
	// Medians of working days from sending, over the accepted and the
	// contacted handovers.
	HandoverDaysToAccept  = "days-to-accept"
	HandoverDaysToContact = "days-to-contact"
)

// HandoverCountColumns are the counted columns of T5, in order.
var HandoverCountColumns = []string{HandoverMade, HandoverAccepted, HandoverContacted, HandoverCompleted, HandoverDeclined}

// FlowKey is the row key of a handover flow.
func FlowKey(from, to string) string { return from + ">" + to }

// ProgrammeLabel is a programme row.
type ProgrammeLabel struct {
	Label
	Organisation string `json:"organisation"`
}

// FlowLabel is a handover flow row.
type FlowLabel struct {
	Label
	From string `json:"from"`
	To   string `json:"to"`
}

// ReachLayout is what rows and columns the tables show, from the reference
// data.
type ReachLayout struct {
	Programmes     []ProgrammeLabel
	Neighbourhoods []Label
	Topics         []Label
	Flows          []FlowLabel
}

// complete adds any row or column that counts has but the layout lacks (a
// programme since deactivated, say), so no count is silently dropped.
func (l *ReachLayout) complete(counts ReachCounts) {
	hasProgramme := map[string]bool{AllProgrammes: true}
	for _, p := range l.Programmes {
		hasProgramme[p.Key] = true
	}
	hasHood, hasTopic, hasFlow := labelSet(l.Neighbourhoods), labelSet(l.Topics), map[string]bool{}
	for _, f := range l.Flows {
		hasFlow[f.Key] = true
	}
	keys := make([]CellKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	for _, k := range keys {
		switch k.Measure {
		case MeasureHandover:
			if k.Row != AllProgrammes && !hasFlow[k.Row] {
				hasFlow[k.Row] = true
				l.Flows = append(l.Flows, FlowLabel{Label: Label{Key: k.Row, NameNL: k.Row, NameEN: k.Row}})
			}
			continue
		case MeasureHood:
			if !hasHood[k.Col] {
				hasHood[k.Col] = true
				l.Neighbourhoods = append(l.Neighbourhoods, Label{Key: k.Col, NameNL: k.Col, NameEN: k.Col})
			}
		case MeasureTopic:
			if !hasTopic[k.Col] {
				hasTopic[k.Col] = true
				l.Topics = append(l.Topics, Label{Key: k.Col, NameNL: k.Col, NameEN: k.Col})
			}
		}
		if !hasProgramme[k.Row] {
			hasProgramme[k.Row] = true
			l.Programmes = append(l.Programmes, ProgrammeLabel{Label: Label{Key: k.Row, NameNL: k.Row, NameEN: k.Row}})
		}
	}
}

func labelSet(labels []Label) map[string]bool {
	m := make(map[string]bool, len(labels))
	for _, l := range labels {
		m[l.Key] = true
	}
	return m
}

func compareKeys(a, b CellKey) int {
	if a.Measure != b.Measure {
		return compareStrings(a.Measure, b.Measure)
	}
	if a.Row != b.Row {
		return compareStrings(a.Row, b.Row)
	}
	return compareStrings(a.Col, b.Col)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PeriodFigures are one period's counts and, once protected, how each cell
// is published. A frozen member is a published version: its cells are kept.
type PeriodFigures struct {
	Period  Period
	Counts  ReachCounts
	Medians map[CellKey]float64
	Cells   map[CellKey]disclosure.PublishedCell
	// Withheld are breakdown cells left out of publication altogether (shown
	// "x"): the parts of a line whose total is itself small.
	Withheld map[CellKey]bool
	// Layout is the layout the cells were protected in.
	Layout ReachLayout
	Frozen bool
}

// part is one disclosure table of a period: the persons table (T1–T4, whose
// row totals are shared) or the handover table (T5).
type part struct {
	keys      []CellKey
	relations [][2][]CellKey // {total}, parts
}

func (p *part) add(k CellKey) { p.keys = append(p.keys, k) }

func (p *part) relate(total CellKey, parts []CellKey) {
	if len(parts) > 0 {
		p.relations = append(p.relations, [2][]CellKey{{total}, parts})
	}
}

// parts lays out the cells of a period in its disclosure tables. The persons
// table links T1–T4: a programme's reached count is one cell, the total of
// its neighbourhood, age and gender partitions; every helped, topic and
// "all programmes" count is a cell of its own without relations (persons
// overlap), except moments, where all programmes are the sum.
func (l ReachLayout) parts() []part {
	var persons part
	rows := append(slices.Clone(l.Programmes), ProgrammeLabel{Label: Label{Key: AllProgrammes}})
	var moments []CellKey
	for _, r := range rows {
		reached := CellKey{MeasureReached, r.Key, ""}
		persons.add(reached)
		persons.add(CellKey{MeasureHelped, r.Key, ""})
		m := CellKey{MeasureMoments, r.Key, ""}
		persons.add(m)
		if r.Key != AllProgrammes {
			moments = append(moments, m)
		}
		add := func(measure string, cols []string, related bool) {
			var cells []CellKey
			for _, c := range cols {
				k := CellKey{measure, r.Key, c}
				persons.add(k)
				cells = append(cells, k)
			}
			if related {
				persons.relate(reached, cells)
			}
		}
		add(MeasureHood, labelKeys(l.Neighbourhoods), true)
		add(MeasureTopic, labelKeys(l.Topics), false)
		add(MeasureAge, AgeBands, true)
		add(MeasureGender, GenderColumns, true)
	}
	persons.relate(CellKey{MeasureMoments, AllProgrammes, ""}, moments)

	var handovers part
	flows := append(slices.Clone(l.Flows), FlowLabel{Label: Label{Key: AllProgrammes}})
	for _, col := range HandoverCountColumns {
		var cells []CellKey
		for _, f := range flows {
			k := CellKey{MeasureHandover, f.Key, col}
			handovers.add(k)
			if f.Key != AllProgrammes {
				cells = append(cells, k)
			}
		}
		handovers.relate(CellKey{MeasureHandover, AllProgrammes, col}, cells)
	}
	return []part{persons, handovers}
}

func labelKeys(labels []Label) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = l.Key
	}
	return out
}

// withholding returns the parts of every line whose total is from 1 to
// threshold-1 (or, with all, of every line). Such a breakdown holds only
// small counts and zeros, and since zeros are published, a small total
// split into ones pins every part however much is suppressed; so the parts
// are not published at all.
func (p part) withholding(counts ReachCounts, rules disclosure.Rules, all bool) map[CellKey]bool {
	out := map[CellKey]bool{}
	for _, r := range p.relations {
		if n := counts[r[0][0]]; all || (n >= 1 && n < rules.Threshold) {
			for _, k := range r[1] {
				out[k] = true
			}
		}
	}
	return out
}

// table builds the disclosure table of a part over counts, without the
// withheld cells and the lines they break up. keys are the cells in table
// order.
func (p part) table(counts ReachCounts, withheld map[CellKey]bool) (t disclosure.Table, keys []CellKey, index map[CellKey]int, err error) {
	index = make(map[CellKey]int, len(p.keys))
	var values []int
	for _, k := range p.keys {
		if !withheld[k] {
			index[k] = len(keys)
			keys = append(keys, k)
			values = append(values, counts[k])
		}
	}
	rels := make([]disclosure.Relation, 0, len(p.relations))
	for _, r := range p.relations {
		if withheld[r[1][0]] {
			continue
		}
		rel := disclosure.Relation{Total: index[r[0][0]]}
		for _, k := range r[1] {
			rel.Parts = append(rel.Parts, index[k])
		}
		rels = append(rels, rel)
	}
	t, err = disclosure.NewTable(values, rels)
	return t, keys, index, err
}

// ProtectFamily decides how every non-frozen member is published. members
// are periods of one year (any subset of its family); each needs Counts,
// frozen ones also Cells. Members are protected from the year down, so each
// period is protected after the periods that contain it, with:
//   - primary and complementary suppression within its tables (package
//     disclosure), T1–T4 linked through their shared totals;
//   - differencing within the period: "all programmes" minus one programme,
//     cell by cell, must be 0 or at least the threshold;
//   - differencing against every containing period (year − half, half −
//     quarter) and every published period it contains, likewise.
//
// A cell whose difference would be small is suppressed in the period being
// protected (published periods are never changed), and the period is
// protected again until no risk is left. Every result passes
// disclosure.Audit.
func ProtectFamily(rules disclosure.Rules, layout ReachLayout, members []*PeriodFigures) error {
	if err := rules.Validate(); err != nil {
		return err
	}
	ordered := slices.Clone(members)
	slices.SortStableFunc(ordered, func(a, b *PeriodFigures) int { return familyRank(a.Period) - familyRank(b.Period) })
	for _, m := range ordered {
		if m.Frozen {
			continue
		}
		var related []*PeriodFigures
		for _, o := range ordered {
			switch {
			case o == m:
			case o.Period.Contains(m.Period) && o.Cells != nil:
				related = append(related, o)
			case o.Frozen && m.Period.Contains(o.Period):
				related = append(related, o)
			}
		}
		m.Layout = layout
		m.Layout.complete(m.Counts)
		if err := protectPeriod(rules, m, related); err != nil {
			return fmt.Errorf("reach %s: %w", m.Period, err)
		}
	}
	return nil
}

func familyRank(p Period) int {
	switch p.Kind {
	case Year:
		return 0
	case Half:
		return p.N
	}
	return 2 + p.N
}

func protectPeriod(rules disclosure.Rules, m *PeriodFigures, related []*PeriodFigures) error {
	m.Cells = map[CellKey]disclosure.PublishedCell{}
	m.Withheld = map[CellKey]bool{}
	for _, p := range m.Layout.parts() {
		cells, withheld, err := protectPart(rules, m, p, related, false)
		if err != nil {
			// No complementary pattern exists (tiny tables): publish the
			// totals only, which leave no lines to protect.
			cells, withheld, err = protectPart(rules, m, p, related, true)
		}
		if err != nil {
			return err
		}
		maps.Copy(m.Cells, cells)
		maps.Copy(m.Withheld, withheld)
	}
	return nil
}

// protectPart protects one table of m: primary and complementary
// suppression, then differencing, repeated until no risk is left, and
// checked by disclosure.Audit.
func protectPart(rules disclosure.Rules, m *PeriodFigures, p part, related []*PeriodFigures, withholdAll bool) (map[CellKey]disclosure.PublishedCell, map[CellKey]bool, error) {
	withheld := p.withholding(m.Counts, rules, withholdAll)
	t, keys, index, err := p.table(m.Counts, withheld)
	if err != nil {
		return nil, nil, err
	}
	var forced []int
	for {
		prot, err := disclosure.Protect(t, rules, forced...)
		if err != nil {
			return nil, nil, err
		}
		risky := differencingRisks(rules, m, keys, index, prot, related)
		if len(risky) > 0 {
			forced = append(forced, risky...)
			continue
		}
		violations, err := disclosure.Audit(t, rules, prot)
		if err != nil {
			return nil, nil, err
		}
		if len(violations) > 0 {
			return nil, nil, fmt.Errorf("disclosure audit failed: %v", violations[0])
		}
		cells := make(map[CellKey]disclosure.PublishedCell, len(keys))
		for i, k := range keys {
			cells[k] = prot.Cells[i]
		}
		return cells, withheld, nil
	}
}

// differencingRisks returns the published cells of m whose difference with a
// published cell it is nested with is from 1 to threshold-1: the same cell of
// the "all programmes" row, or the same cell of a related period. Both
// directions are checked, since a neighbourhood of first contact need not
// nest exactly.
func differencingRisks(rules disclosure.Rules, m *PeriodFigures, keys []CellKey, index map[CellKey]int,
	prot disclosure.Protection, related []*PeriodFigures) []int {
	small := func(a, b int) bool {
		d := a - b
		if d < 0 {
			d = -d
		}
		return d >= 1 && d < rules.Threshold
	}
	var risky []int
	for i, k := range keys {
		if prot.Cells[i].Status != disclosure.Published {
			continue
		}
		count := m.Counts[k]
		risk := false
		if k.Row != AllProgrammes {
			all := CellKey{k.Measure, AllProgrammes, k.Col}
			if j, ok := index[all]; ok && prot.Cells[j].Status == disclosure.Published && small(m.Counts[all], count) {
				risk = true
			}
		}
		for _, o := range related {
			if c, ok := o.Cells[k]; ok && c.Status == disclosure.Published && small(o.Counts[k], count) {
				risk = true
			}
		}
		if risk {
			risky = append(risky, i)
		}
	}
	return risky
}

// AuditFigures re-checks a protected period on its true counts: the audit of
// package disclosure on each of its tables, and the differencing rules within
// the period and against related. Tests use it on every table they publish.
func AuditFigures(rules disclosure.Rules, m *PeriodFigures, related []*PeriodFigures) error {
	var errs []error
	for _, p := range m.Layout.parts() {
		for _, k := range p.keys {
			if _, ok := m.Cells[k]; ok == m.Withheld[k] {
				return fmt.Errorf("reach %s: cell %v is neither protected nor withheld", m.Period, k)
			}
		}
		// Withheld cells must be whole breakdowns: every part of a line.
		for _, r := range p.relations {
			for _, k := range r[1] {
				if m.Withheld[k] != m.Withheld[r[1][0]] {
					return fmt.Errorf("reach %s: line of %v partly withheld", m.Period, r[0][0])
				}
			}
		}
		t, keys, index, err := p.table(m.Counts, m.Withheld)
		if err != nil {
			return err
		}
		prot := disclosure.Protection{Cells: make([]disclosure.PublishedCell, len(keys))}
		for i, k := range keys {
			prot.Cells[i] = m.Cells[k]
		}
		violations, err := disclosure.Audit(t, rules, prot)
		if err != nil {
			return err
		}
		for _, v := range violations {
			errs = append(errs, fmt.Errorf("reach %s: %v at %v", m.Period, v, keys[v.Cell]))
		}
		for _, i := range differencingRisks(rules, m, keys, index, prot, related) {
			errs = append(errs, fmt.Errorf("reach %s: small difference at %v", m.Period, keys[i]))
		}
	}
	return errors.Join(errs...)
}

// Fixed labels of the tables. Like reference data they travel with a
// published table, so a published version keeps the names it had.
var (
	allRowLabel      = Label{Key: AllProgrammes, NameNL: "Alle programma's samen (ontdubbeld)", NameEN: "All programmes together (unduplicated)"}
	allFlowsLabel    = Label{Key: AllProgrammes, NameNL: "Alle overdrachten", NameEN: "All handovers"}
	totalColumnLabel = Label{Key: "total", NameNL: "Totaal bereikte personen", NameEN: "Total persons reached"}
	measureLabels    = map[string]Label{
		MeasureReached: {Key: MeasureReached, NameNL: "Bereikte personen", NameEN: "Persons reached"},
		MeasureHelped:  {Key: MeasureHelped, NameNL: "Geholpen personen", NameEN: "Persons helped"},
		MeasureMoments: {Key: MeasureMoments, NameNL: "Contactmomenten", NameEN: "Contact moments"},
	}
	ageLabels = map[string]Label{
		"0-17":     {NameNL: "0–17 jaar", NameEN: "0–17 years"},
		"18-26":    {NameNL: "18–26 jaar", NameEN: "18–26 years"},
		"27-44":    {NameNL: "27–44 jaar", NameEN: "27–44 years"},
		"45-66":    {NameNL: "45–66 jaar", NameEN: "45–66 years"},
		"67+":      {NameNL: "67 jaar en ouder", NameEN: "67 years and over"},
		AgeUnknown: {NameNL: "Leeftijd onbekend", NameEN: "Age unknown"},
	}
	genderLabels = map[string]Label{
		"vrouw":       {NameNL: "Vrouw", NameEN: "Woman"},
		"man":         {NameNL: "Man", NameEN: "Man"},
		"anders":      {NameNL: "Anders", NameEN: "Other"},
		GenderUnknown: {NameNL: "Gender niet vastgelegd", NameEN: "Gender not recorded"},
	}
	handoverLabels = map[string]Label{
		HandoverMade:          {NameNL: "Overdrachten gemaakt", NameEN: "Handovers made"},
		HandoverAccepted:      {NameNL: "Geaccepteerd", NameEN: "Accepted"},
		HandoverContacted:     {NameNL: "Contact gelegd (warm)", NameEN: "Contacted (warm)"},
		HandoverCompleted:     {NameNL: "Afgerond", NameEN: "Completed"},
		HandoverDeclined:      {NameNL: "Afgewezen", NameEN: "Declined"},
		HandoverDaysToAccept:  {NameNL: "Mediaan werkdagen tot acceptatie", NameEN: "Median working days to acceptance"},
		HandoverDaysToContact: {NameNL: "Mediaan werkdagen tot eerste contact", NameEN: "Median working days to first contact"},
	}
	// TableTitles names the catalogue.
	TableTitles = map[string]Label{
		TableProgrammePeriod: {Key: TableProgrammePeriod, NameNL: "Programma × periode", NameEN: "Programme × period"},
		TableProgrammeHood:   {Key: TableProgrammeHood, NameNL: "Programma × buurt van eerste contact", NameEN: "Programme × neighbourhood of first contact"},
		TableProgrammeTopic:  {Key: TableProgrammeTopic, NameNL: "Programma × onderwerp", NameEN: "Programme × topic"},
		TableProgrammeAge:    {Key: TableProgrammeAge, NameNL: "Programma × leeftijd en gender", NameEN: "Programme × age band and gender"},
		TableHandoverFlow:    {Key: TableHandoverFlow, NameNL: "Warme overdrachten: verzendende → ontvangende organisatie", NameEN: "Warm handovers: sending → receiving organisation"},
	}
)

func labelled(key, group string, l Label) Label {
	l.Key, l.Group = key, group
	return l
}

// BuildReachTable renders table id of period p from its protected family
// (family[q] for p and, for T1, every period within p). The result holds
// every row; FilterRows narrows it for a viewer.
func BuildReachTable(id string, p Period, family map[Period]*PeriodFigures, rules disclosure.Rules, now time.Time) (*ReachTable, error) {
	m, ok := family[p]
	if !ok || m.Cells == nil {
		return nil, fmt.Errorf("reach %s: not protected", p)
	}
	out := &ReachTable{Period: p.String(), Table: id, Status: ReachProvisional, GeneratedAt: now.UTC(),
		Rules: ReachRules{Threshold: rules.Threshold, RoundingBase: rules.RoundingBase}}
	cell := func(f *PeriodFigures, k CellKey) ReachCell {
		if f == nil {
			return notApplicable()
		}
		if f.Withheld[k] {
			return ReachCell{Text: "x", Status: CellWithheld}
		}
		c, ok := f.Cells[k]
		if !ok {
			return notApplicable()
		}
		return publishedCell(c, rules)
	}
	programmeRows := func(fill func(row string) []ReachCell) {
		for _, pr := range m.Layout.Programmes {
			out.Rows = append(out.Rows, ReachRow{Label: pr.Label, Organisation: pr.Organisation, Cells: fill(pr.Key)})
		}
		out.Rows = append(out.Rows, ReachRow{Label: allRowLabel, Cells: fill(AllProgrammes)})
	}
	breakdown := func(measure string, cols []Label) {
		out.Columns = append(out.Columns, cols...)
		out.Columns = append(out.Columns, totalColumnLabel)
		programmeRows(func(row string) []ReachCell {
			var cells []ReachCell
			for _, c := range cols {
				cells = append(cells, cell(m, CellKey{measure, row, c.Key}))
			}
			return append(cells, cell(m, CellKey{MeasureReached, row, ""}))
		})
	}
	switch id {
	case TableProgrammePeriod:
		measures := []string{MeasureReached, MeasureHelped, MeasureMoments}
		parts := p.Parts()
		for _, q := range parts {
			for _, ms := range measures {
				out.Columns = append(out.Columns, labelled(q.String()+":"+ms, q.String(), measureLabels[ms]))
			}
		}
		programmeRows(func(row string) []ReachCell {
			var cells []ReachCell
			for _, q := range parts {
				for _, ms := range measures {
					cells = append(cells, cell(family[q], CellKey{ms, row, ""}))
				}
			}
			return cells
		})
	case TableProgrammeHood:
		breakdown(MeasureHood, m.Layout.Neighbourhoods)
	case TableProgrammeTopic:
		breakdown(MeasureTopic, m.Layout.Topics)
	case TableProgrammeAge:
		out.Columns = nil
		for _, a := range AgeBands {
			out.Columns = append(out.Columns, labelled(a, MeasureAge, ageLabels[a]))
		}
		for _, g := range GenderColumns {
			out.Columns = append(out.Columns, labelled(g, MeasureGender, genderLabels[g]))
		}
		out.Columns = append(out.Columns, totalColumnLabel)
		programmeRows(func(row string) []ReachCell {
			var cells []ReachCell
			for _, a := range AgeBands {
				cells = append(cells, cell(m, CellKey{MeasureAge, row, a}))
			}
			for _, g := range GenderColumns {
				cells = append(cells, cell(m, CellKey{MeasureGender, row, g}))
			}
			return append(cells, cell(m, CellKey{MeasureReached, row, ""}))
		})
	case TableHandoverFlow:
		cols := append(slices.Clone(HandoverCountColumns), HandoverDaysToAccept, HandoverDaysToContact)
		for _, c := range cols {
			out.Columns = append(out.Columns, labelled(c, "", handoverLabels[c]))
		}
		flows := append(slices.Clone(m.Layout.Flows), FlowLabel{Label: allFlowsLabel})
		for _, f := range flows {
			row := ReachRow{Label: f.Label, Organisation: f.From, To: f.To}
			for _, c := range HandoverCountColumns {
				row.Cells = append(row.Cells, cell(m, CellKey{MeasureHandover, f.Key, c}))
			}
			row.Cells = append(row.Cells,
				medianCell(m, rules, f.Key, HandoverDaysToAccept, HandoverAccepted),
				medianCell(m, rules, f.Key, HandoverDaysToContact, HandoverContacted))
			out.Rows = append(out.Rows, row)
		}
	default:
		return nil, FieldInvalid("table", "reach_table", id)
	}
	return out, nil
}

// medianCell publishes a median only when the count it is taken over is
// published and at least the threshold.
func medianCell(m *PeriodFigures, rules disclosure.Rules, row, col, basis string) ReachCell {
	b := CellKey{MeasureHandover, row, basis}
	n := m.Counts[b]
	if n == 0 {
		return notApplicable()
	}
	v, ok := m.Medians[CellKey{MeasureHandoverMedian, row, col}]
	if c := m.Cells[b]; !ok || c.Status != disclosure.Published || n < rules.Threshold {
		return ReachCell{Text: "x", Status: CellSecondary}
	}
	v = math.Round(v*10) / 10
	return ReachCell{Value: &v, Text: strconv.FormatFloat(v, 'f', -1, 64), Status: CellPublished}
}

func notApplicable() ReachCell { return ReachCell{Text: "–", Status: CellNotApplies} }

func publishedCell(c disclosure.PublishedCell, rules disclosure.Rules) ReachCell {
	switch c.Status {
	case disclosure.Primary:
		return ReachCell{Text: c.Text(rules), Status: CellPrimary}
	case disclosure.Secondary:
		return ReachCell{Text: c.Text(rules), Status: CellSecondary}
	}
	v := float64(c.Value)
	return ReachCell{Value: &v, Text: c.Text(rules), Status: CellPublished}
}

// FilterRows returns t as viewer may see it: everything for programme staff
// and monitor tokens; for a coordinator only the rows of their own
// organisation (programmes it runs, handovers it sent or received), without
// totals over other organisations.
func (t *ReachTable) FilterRows(viewer ReachViewer) *ReachTable {
	if viewer.All {
		return t
	}
	out := *t
	out.Rows = nil
	for _, r := range t.Rows {
		if r.Key == AllProgrammes || viewer.Organisation == "" {
			continue
		}
		if r.Organisation == viewer.Organisation || r.To == viewer.Organisation {
			out.Rows = append(out.Rows, r)
		}
	}
	return &out
}

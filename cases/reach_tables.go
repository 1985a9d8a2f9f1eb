package cases

import (
	"fmt"
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

func labelKeys(labels []Label) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = l.Key
	}
	return out
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
	return ReachCell{Value: &v, Text: Approximate + " " + strconv.FormatFloat(v, 'f', -1, 64), Status: CellPublished}
}

// Approximate marks a derived value that is not a count (a median of T5);
// LegendApproximate explains it for the legend of tables and exports.
const Approximate = "≈"

// LegendApproximate is the legend text of Approximate.
var LegendApproximate = Label{Key: Approximate,
	NameNL: "afgeleide waarde, geen telling: mediaan in werkdagen, alleen over minstens de drempelwaarde aan overdrachten",
	NameEN: "derived value, not a count: median in working days, only over at least the threshold of handovers"}

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

// ColumnsOf returns the columns of T1 that belong to sub-period q, as the T1
// of q: what a published half-year or year releases of q.
func (t *ReachTable) ColumnsOf(q Period) *ReachTable {
	out := *t
	out.Period, out.Columns, out.Rows = q.String(), nil, nil
	var keep []int
	for i, c := range t.Columns {
		if c.Group == q.String() {
			keep = append(keep, i)
			out.Columns = append(out.Columns, c)
		}
	}
	for _, r := range t.Rows {
		row := r
		row.Cells = nil
		for _, i := range keep {
			row.Cells = append(row.Cells, r.Cells[i])
		}
		out.Rows = append(out.Rows, row)
	}
	return &out
}

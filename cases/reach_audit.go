package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// AuditSummary is the outcome of auditing the releases of a year together.
type AuditSummary struct {
	// Findings name the cells a reader can narrow down too far; empty when
	// the releases are safe.
	Findings []AuditFinding `json:"findings,omitempty"`
	// Unverified name suppressed cells whose range the audit could neither
	// prove wide enough nor too narrow within its search budget.
	Unverified []AuditFinding `json:"unverified,omitempty"`
	// Ranges are the derived ranges of every suppressed non-zero cell.
	Ranges []AuditRange `json:"-"`
	// The size of the work: variables, relations, independent components
	// solved, the largest, linear programs, solver fallbacks and relations
	// left out because the counts broke them.
	Variables, Relations, Components, Largest, Programs, Fallbacks, Dropped int
}

// AuditFinding is a cell of a release (by the release's moment) that a
// reader narrows down to fewer values than allowed.
type AuditFinding struct {
	Period string  `json:"period"`
	Cell   CellKey `json:"cell"`
	Epoch  int     `json:"epoch"`
}

// AuditRange is the range a reader derives for a suppressed cell (see
// disclosure.Range: values in Lo..Hi are proven possible, none outside
// OuterLo..OuterHi is).
type AuditRange struct {
	Period Period
	Cell   CellKey
	Epoch  int
	Count  int
	disclosure.Range
}

func (f AuditFinding) String() string {
	return fmt.Sprintf("%s %s/%s/%s (state %d)", f.Period, f.Cell.Measure, f.Cell.Row, f.Cell.Col, f.Epoch)
}

func summarise(rep *disclosure.Report, rm *reachModel) AuditSummary {
	s := AuditSummary{Variables: len(rm.Vars), Relations: len(rm.Rows), Components: rep.Components,
		Largest: rep.Largest, Programs: rep.Programs, Fallbacks: rep.Fallbacks, Dropped: rm.dropped}
	for _, f := range rep.Findings {
		k := rm.keys[f.Var]
		s.Findings = append(s.Findings, AuditFinding{k.period.String(), k.cell, k.epoch})
	}
	for _, v := range rep.Unverified {
		k := rm.keys[v]
		s.Unverified = append(s.Unverified, AuditFinding{k.period.String(), k.cell, k.epoch})
	}
	for v, r := range rep.Ranges {
		k := rm.keys[v]
		s.Ranges = append(s.Ranges, AuditRange{k.period, k.cell, k.epoch, rm.Vars[v].Count, r})
	}
	slices.SortFunc(s.Ranges, func(a, b AuditRange) int {
		return comparePeriodCell(a.Period.String(), a.Cell, b.Period.String(), b.Cell)*8 + a.Epoch - b.Epoch
	})
	return s
}

// ErrDisclosure is the audit's verdict on releases that are not safe;
// ErrUnverified on releases it could not show safe (a count neither shown
// to keep enough values nor to keep too few). Releases protected here are
// neither: protection repairs both.
var (
	ErrDisclosure = errors.New("reach: the releases disclose")
	ErrUnverified = errors.New("reach: the audit could not show every hidden cell safe")
)

// AuditReleases audits releases of one year together, as one reader who has
// seen them all would combine them: for every suppressed non-zero cell the
// tightest range linear reasoning derives from every table, every relation
// between the counts and the published values as ranges (a rounded value v
// is v-2..v+2, "<10" is 1..9, "x" at least 10); no cell may be determined,
// and a small one must keep at least three possible values. The error wraps
// ErrDisclosure (or ErrUnverified) and names the first cells found.
func AuditReleases(rules disclosure.Rules, layout ReachLayout, records []ReleaseRecord) (AuditSummary, error) {
	if err := rules.Validate(); err != nil {
		return AuditSummary{}, err
	}
	if len(records) == 0 {
		return AuditSummary{}, nil
	}
	main, err := ParsePeriod(records[0].Period)
	if err != nil {
		return AuditSummary{}, err
	}
	layout, snaps, err := releaseContext(layout, main.Year, nil, records)
	if err != nil {
		return AuditSummary{}, err
	}
	return auditSnapshots(rules, layout, main.Year, snaps)
}

func auditSnapshots(rules disclosure.Rules, layout ReachLayout, year int, snaps []snapshot) (AuditSummary, error) {
	rm := buildModel(rules, layout, year, snaps)
	rep, err := (&disclosure.Auditor{Rules: rules}).Audit(&rm.Model)
	if err != nil {
		return AuditSummary{}, err
	}
	s := summarise(rep, rm)
	if len(s.Findings) > 0 {
		return s, fmt.Errorf("%w: %d cells, first %v", ErrDisclosure, len(s.Findings), s.Findings[0])
	}
	if len(s.Unverified) > 0 {
		return s, fmt.Errorf("%w: %d cells, first %v", ErrUnverified, len(s.Unverified), s.Unverified[0])
	}
	return s, nil
}

// YearAudit is the audit of every release of a year as stored.
type YearAudit struct {
	Releases int
	Summary  AuditSummary
	Loss     LossByTable
}

// AuditYear audits every release of year stored (drafts, discarded ones
// and published versions: each was seen) together, as AuditReleases does,
// and measures their information loss. The error wraps ErrDisclosure or
// ErrUnverified when the releases are not shown safe.
func (s *ReachService) AuditYear(ctx context.Context, year int) (YearAudit, error) {
	records, err := s.store.View(ctx).Reach().ReleaseRecords(ctx, year)
	if err != nil {
		return YearAudit{}, err
	}
	sum, err := AuditReleases(s.Rules, ReachLayout{}, records)
	return YearAudit{Releases: len(records), Summary: sum, Loss: InformationLoss(s.Rules, records)}, err
}

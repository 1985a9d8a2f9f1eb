package cases

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// Drafts, publishing and discarding (issue 11). A draft's figures are
// computed and protected outside the write transaction (protection takes
// seconds, and contacts must not wait for it); the transaction then checks
// that no release of the year was made meanwhile, or protects again.

// errStaleReleases: a release of the year was made while a draft was
// being protected against the ones before it.
var errStaleReleases = errors.New("reach: releases changed while protecting")

// draftAttempts is how often a draft is protected again when other
// releases of its year were made meanwhile.
const draftAttempts = 3

// Draft makes a draft of period p: its figures computed now, protected
// against every earlier draft and release of the year, and frozen.
func (s *ReachService) Draft(ctx context.Context, actor Actor, p Period) (*ReachRelease, error) {
	r, err := s.makeDraft(ctx, actor, p)
	if err != nil {
		return nil, err
	}
	return &r.ReachRelease, nil
}

func (s *ReachService) makeDraft(ctx context.Context, actor Actor, p Period) (StoredRelease, error) {
	if err := s.Refresh(ctx); err != nil {
		return StoredRelease{}, err
	}
	for attempt := 1; ; attempt++ {
		c, err := s.candidate(ctx, p)
		if err != nil {
			return StoredRelease{}, err
		}
		r, err := s.storeDraft(ctx, actor, p, c)
		if errors.Is(err, errStaleReleases) && attempt < draftAttempts {
			continue
		}
		if errors.Is(err, errStaleReleases) {
			err = Errorf(ECONFLICT, "reach_busy")
		}
		return r, err
	}
}

// draftCandidate is a protected draft not yet stored, with the releases
// of the year it was protected against.
type draftCandidate struct {
	against []int64
	at      time.Time
	tables  map[string]*ReachTable
	record  ReleaseRecord
}

// candidate computes and protects a draft of p.
func (s *ReachService) candidate(ctx context.Context, p Period) (draftCandidate, error) {
	v := s.store.View(ctx)
	releases, err := v.Reach().Releases(ctx, p.Year)
	if err != nil {
		return draftCandidate{}, err
	}
	records, err := v.Reach().ReleaseRecords(ctx, p.Year)
	if err != nil {
		return draftCandidate{}, err
	}
	in, err := s.inputs(ctx, v, p, true)
	if err != nil {
		return draftCandidate{}, err
	}
	if err := checkChanged(s.Rules, records, p, in.counts[p]); err != nil {
		return draftCandidate{}, err
	}
	c := draftCandidate{at: s.store.Now(), tables: map[string]*ReachTable{}}
	for _, r := range releases {
		c.against = append(c.against, r.ID)
	}
	rel, err := ProtectRelease(ReleaseRequest{Rules: s.Rules, Layout: in.layout, Period: p, Counts: in.counts,
		Medians: in.medians, Now: c.at, Earlier: records})
	if err != nil {
		return draftCandidate{}, err
	}
	for _, id := range ReachTables {
		t, err := BuildReachTable(id, p, rel.Figures, s.Rules, c.at)
		if err != nil {
			return draftCandidate{}, err
		}
		c.tables[id] = t
	}
	c.record = rel.Record
	return c, nil
}

// checkChanged is CheckEnoughChanged against the newest earlier release of
// p itself (a draft, discarded or published; the columns of a half-year or
// year are audited, not counted here).
func checkChanged(rules disclosure.Rules, records []ReleaseRecord, p Period, now ReachCounts) error {
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].Period == p.String() {
			return CheckEnoughChanged(rules, true, MinPersonsChanged(records[i].countsOf(p), now))
		}
	}
	return nil
}

// storeDraft stores candidate c as the new draft of p, discarding the draft
// of p still open: a period has one draft under review at a time.
func (s *ReachService) storeDraft(ctx context.Context, actor Actor, p Period, c draftCandidate) (StoredRelease, error) {
	var out StoredRelease
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		releases, err := tx.Reach().Releases(ctx, p.Year)
		if err != nil {
			return err
		}
		ids := make([]int64, len(releases))
		for i, r := range releases {
			ids[i] = r.ID
		}
		if !slices.Equal(ids, c.against) {
			return errStaleReleases
		}
		now := tx.Now()
		if open, ok := newest(releasesOf(releases, p), ReleaseDraft, ""); ok {
			if err := s.setStatus(ctx, tx, actor, open, ReleaseDiscarded, now, "superseded"); err != nil {
				return err
			}
		}
		version, err := tx.Reach().NextVersion(ctx, p)
		if err != nil {
			return err
		}
		out = StoredRelease{Origin: OriginProtected, CreatedByID: actor.UserID, ReachRelease: ReachRelease{
			Period: p.String(), Version: version, Status: ReleaseDraft, CreatedAt: c.at, CreatedBy: actor.Username,
			Rules: ReachRules{Threshold: s.Rules.Threshold, RoundingBase: s.Rules.RoundingBase}, Tables: TablesOf(OriginProtected)}}
		c.record.Version = version
		if out.ID, err = tx.Reach().InsertRelease(ctx, &out, c.tables, &c.record); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "reach_draft", Entity: "reach", EntityID: p.String(),
			Detail: "version=" + strconv.Itoa(version)})
	})
	return out, err
}

// setStatus publishes or discards a draft, audited.
func (s *ReachService) setStatus(ctx context.Context, tx Tx, actor Actor, r StoredRelease, status string, now time.Time, why string) error {
	if err := tx.Reach().SetReleaseStatus(ctx, r.ID, status, now, actor.UserID); err != nil {
		return err
	}
	action := map[string]string{ReleasePublished: "publish", ReleaseDiscarded: "reach_discard"}[status]
	detail := "version=" + strconv.Itoa(r.Version)
	if why != "" {
		detail += " " + why
	}
	return tx.Audit(AuditRecord{Actor: actor, Action: action, Entity: "reach", EntityID: r.Period, Detail: detail})
}

// Publish publishes the newest draft of p, making one first when there is
// none. A published half-year or year also freezes the columns of its
// sub-periods as releases of those sub-periods.
func (s *ReachService) Publish(ctx context.Context, actor Actor, p Period) (*ReachPublication, error) {
	all, err := s.store.View(ctx).Reach().Releases(ctx, p.Year)
	if err != nil {
		return nil, err
	}
	draft, ok := newest(releasesOf(all, p), ReleaseDraft, "")
	if !ok {
		if draft, err = s.makeDraft(ctx, actor, p); err != nil {
			return nil, err
		}
	}
	var out ReachPublication
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		now := tx.Now()
		if err := s.setStatus(ctx, tx, actor, draft, ReleasePublished, now, ""); err != nil {
			return err
		}
		draft.Status, draft.PublishedAt, draft.PublishedBy = ReleasePublished, &now, actor.Username
		out = draft.Publication()
		return s.freezeColumns(ctx, tx, actor, draft, now)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// freezeColumns stores the sub-period columns of a published half-year or
// year as published releases of each sub-period whose newest published T1
// shows something else.
func (s *ReachService) freezeColumns(ctx context.Context, tx Tx, actor Actor, parent StoredRelease, now time.Time) error {
	p, err := ParsePeriod(parent.Period)
	if err != nil || p.Kind == Quarter {
		return err
	}
	tables, err := tx.Reach().ReleaseTables(ctx, parent.ID)
	if err != nil {
		return err
	}
	all, err := tx.Reach().Releases(ctx, p.Year)
	if err != nil {
		return err
	}
	for _, q := range p.Parts() {
		if q == p {
			continue
		}
		t1 := tables[TableProgrammePeriod].ColumnsOf(q)
		if last, ok := newest(releasesOf(all, q), ReleasePublished, TableProgrammePeriod); ok {
			shown, err := tx.Reach().ReleaseTables(ctx, last.ID)
			if err != nil {
				return err
			}
			if sameCells(shown[TableProgrammePeriod], t1) {
				continue
			}
		}
		version, err := tx.Reach().NextVersion(ctx, q)
		if err != nil {
			return err
		}
		r := StoredRelease{Origin: OriginColumns, ParentID: parent.ID, CreatedByID: actor.UserID, PublishedByID: actor.UserID,
			ReachRelease: ReachRelease{Period: q.String(), Version: version, Status: ReleasePublished, CreatedAt: now,
				PublishedAt: &now, Rules: parent.Rules}}
		if _, err := tx.Reach().InsertRelease(ctx, &r, map[string]*ReachTable{TableProgrammePeriod: t1}, nil); err != nil {
			return err
		}
		if err := tx.Audit(AuditRecord{Actor: actor, Action: "publish", Entity: "reach", EntityID: q.String(),
			Detail: "version=" + strconv.Itoa(version) + " columns of " + parent.Period + " version " + strconv.Itoa(parent.Version)}); err != nil {
			return err
		}
	}
	return nil
}

// sameCells reports whether two T1 tables show the same rows and cells.
func sameCells(a, b *ReachTable) bool {
	return a != nil && b != nil && reflect.DeepEqual(a.Columns, b.Columns) && reflect.DeepEqual(a.Rows, b.Rows)
}

// Discard discards draft version of p. A discarded draft stays: it was
// seen, so later releases are protected against it.
func (s *ReachService) Discard(ctx context.Context, actor Actor, p Period, version int) (*ReachRelease, error) {
	var out ReachRelease
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		all, err := tx.Reach().Releases(ctx, p.Year)
		if err != nil {
			return err
		}
		for _, r := range releasesOf(all, p) {
			if r.Version != version {
				continue
			}
			if r.Status != ReleaseDraft {
				return Errorf(ECONFLICT, "reach_not_draft", version)
			}
			now := tx.Now()
			if err := s.setStatus(ctx, tx, actor, r, ReleaseDiscarded, now, ""); err != nil {
				return err
			}
			r.Status, r.DiscardedAt, r.DiscardedBy = ReleaseDiscarded, &now, actor.Username
			out = r.ReachRelease
			return nil
		}
		return NotFound("reach_version")
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

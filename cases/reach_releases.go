package cases

import (
	"slices"
	"time"
)

// Release statuses: a draft is frozen figures under review; it is published
// or discarded, and then never changes.
const (
	ReleaseDraft     = "draft"
	ReleasePublished = "published"
	ReleaseDiscarded = "discarded"
)

// Release origins: how a release came to be.
const (
	// OriginProtected: a draft made by ProtectRelease, all five tables.
	OriginProtected = "protected"
	// OriginColumns: the sub-period columns of a published half-year or
	// year, frozen as a release of the sub-period (T1 only). Its record is
	// its parent's.
	OriginColumns = "columns"
	// OriginLegacy: a version published before releases existed. Its
	// record holds its own period only.
	OriginLegacy = "legacy"
)

// ReachRelease is one draft or version of a period, as listed.
type ReachRelease struct {
	Period      string     `json:"period"`
	Version     int        `json:"version"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	PublishedBy string     `json:"published_by,omitempty"`
	DiscardedAt *time.Time `json:"discarded_at,omitempty"`
	DiscardedBy string     `json:"discarded_by,omitempty"`
	Rules       ReachRules `json:"rules"`
	// Tables are the tables the release holds: T1 only for the columns of
	// a published half-year or year, all five otherwise.
	Tables []string `json:"tables"`
}

// StoredRelease is a release as storage keeps it.
type StoredRelease struct {
	ReachRelease
	ID       int64
	ParentID int64 // the half-year or year whose columns it is (OriginColumns)
	Origin   string
	// CreatedByID, PublishedByID and DiscardedByID are user IDs (0: none).
	CreatedByID, PublishedByID, DiscardedByID int64
}

// TablesOf lists the tables a release of origin holds.
func TablesOf(origin string) []string {
	if origin == OriginColumns {
		return []string{TableProgrammePeriod}
	}
	return slices.Clone(ReachTables)
}

// Has reports whether the release holds table id.
func (r ReachRelease) Has(id string) bool { return slices.Contains(r.Tables, id) }

// Publication is a published release as the list of published versions
// shows it.
func (r ReachRelease) Publication() ReachPublication {
	p := ReachPublication{Period: r.Period, Version: r.Version, PublishedBy: r.PublishedBy, Rules: r.Rules,
		Tables: slices.Clone(r.Tables)}
	if r.PublishedAt != nil {
		p.PublishedAt = *r.PublishedAt
	}
	return p
}

// releasesOf picks, from releases of a year (oldest first), those of
// period p, newest first.
func releasesOf(releases []StoredRelease, p Period) []StoredRelease {
	var out []StoredRelease
	for i := len(releases) - 1; i >= 0; i-- {
		if releases[i].Period == p.String() {
			out = append(out, releases[i])
		}
	}
	return out
}

// newest returns the newest release of list (newest first) with status
// (any status when empty) that holds table (any when empty).
func newest(list []StoredRelease, status, table string) (StoredRelease, bool) {
	for _, r := range list {
		if (status == "" || r.Status == status) && (table == "" || r.Has(table)) {
			return r, true
		}
	}
	return StoredRelease{}, false
}

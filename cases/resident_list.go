package cases

import (
	"context"
	"strconv"
	"time"
)

// ResidentFilter selects records of the actor's organisation, most recently
// changed first: a search by name or phone and the list's filters.
type ResidentFilter struct {
	Query         string
	Neighbourhood string
	// Only records whose latest contact happened in [LastContactFrom,
	// LastContactTo); NoContact: only those without any.
	LastContactFrom, LastContactTo *time.Time
	NoContact                      bool
	Cursor                         string
	Limit                          int // 0: ResidentPageSize.Default
}

// MaxQuery is the longest search query.
const MaxQuery = 100

// ResidentKey is a record's place in a list: latest change first.
type ResidentKey struct {
	UpdatedAt time.Time
	Seq       int64
}

// ResidentQuery is a ResidentFilter as the store reads it.
type ResidentQuery struct {
	OrganisationID                 int64
	Words                          []string // every one in the search text
	Neighbourhood                  string
	LastContactFrom, LastContactTo *time.Time
	NoContact                      bool
	After                          *ResidentKey
	Limit                          int
}

// ResidentResult is what the store found: up to Limit records after the
// key (each with LastContactAt), and how many match in all.
type ResidentResult struct {
	Residents []*Resident
	Total     int
}

// ResidentList is one page of records.
type ResidentList struct {
	Residents  []*Resident `json:"residents"`
	NextCursor string      `json:"next_cursor,omitempty"`
	Total      int         `json:"total"`
	Offset     int         `json:"-"`
}

// Find lists a page of the organisation's records; an empty query lists
// them all, most recently changed first. The read is audited.
func (s *ResidentService) Find(ctx context.Context, actor Actor, f ResidentFilter) (*ResidentList, error) {
	q, cur, err := s.query(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	q.Limit++
	res, err := s.store.View(ctx).Residents().FindResidents(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &ResidentList{Residents: res.Residents, Total: res.Total, Offset: offsetOf(cur)}
	list.Residents, list.NextCursor = pageOf(list.Residents, limit, list.Offset, func(last *Resident) []string {
		return []string{FormatTime(last.UpdatedAt), strconv.FormatInt(last.Seq, 10)}
	})
	return list, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "search", Entity: "resident",
		Detail: "results=" + strconv.Itoa(len(list.Residents)), Query: f.Query, IDs: recordIDs(list.Residents)})
}

func (s *ResidentService) query(ctx context.Context, actor Actor, f ResidentFilter) (ResidentQuery, *Cursor, error) {
	q := ResidentQuery{OrganisationID: actor.OrganisationID, Words: SearchTerms(f.Query), Neighbourhood: f.Neighbourhood,
		LastContactFrom: f.LastContactFrom, LastContactTo: f.LastContactTo, NoContact: f.NoContact}
	var problems, err error
	if len([]rune(f.Query)) > MaxQuery {
		problems = FieldInvalid("q", "max_length", itoa(MaxQuery))
	}
	if q.Limit, err = ResidentPageSize.Of(f.Limit); err != nil {
		problems = MergeInvalid(problems, err)
	}
	if f.NoContact && (f.LastContactFrom != nil || f.LastContactTo != nil) {
		problems = MergeInvalid(problems, FieldInvalid("no_contact", "no_contact_and_period", ""))
	}
	cur, err := ParseCursor(f.Cursor, 2)
	if err == nil && cur != nil {
		q.After = &ResidentKey{}
		if q.After.UpdatedAt, err = cur.keyTime(0); err == nil {
			q.After.Seq, err = cur.keyInt(1)
		}
	}
	problems = MergeInvalid(problems, err)
	return q, cur, MergeInvalid(problems, s.checkReference(ctx, f.Neighbourhood))
}

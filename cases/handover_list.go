package cases

import (
	"context"
	"strconv"
	"time"
)

// Handover lists: the worker's inbox, the coordinator's review, a
// resident's handovers. They come in review order, in three parts: overdue
// handovers, the other open ones (both urgent first, then oldest first),
// then the closed ones (latest change first). A cursor names the part and
// the place in it, and the clock of the first page, so a handover keeps
// its part while someone pages on.

// Review order parts, in order.
const (
	PartOverdue = iota
	PartOpen
	PartClosed
)

// State groups a list may ask for instead of one state.
const (
	StatesOpen   = "open"
	StatesClosed = "closed"
)

// HandoverFilter selects handovers of the actor's organisation.
type HandoverFilter struct {
	Direction  string // "", incoming or outgoing
	State      string // "", one state, or a group: open or closed
	Overdue    bool   // only overdue ones
	Partner    string // the other organisation's slug
	Mine       bool   // incoming: assigned to me or not yet assigned; outgoing: sent by me
	MinAge     int    // only handovers sent at least this many days ago
	ResidentID string // only those of this record of the organisation (sent for it or received as it)
	Cursor     string
	Limit      int // 0: HandoverPageSize.Default
}

// Validate checks the filter's own values: the direction and the state.
func (f HandoverFilter) Validate() error {
	var problems []FieldError
	switch f.Direction {
	case "", DirectionIncoming, DirectionOutgoing:
	default:
		problems = append(problems, FieldError{Field: "direction", Tag: "unknown", Param: f.Direction})
	}
	if f.State != "" && f.State != StatesOpen && f.State != StatesClosed && !ValidState(f.State) {
		problems = append(problems, FieldError{Field: "state", Tag: "unknown", Param: f.State})
	}
	return InvalidOrNil(problems)
}

// HandoverList is a page of handovers with counts over all that match the
// direction, partner and resident (not the state, overdue, age or page),
// so a coordinator sees at a glance what is waiting. Total counts all that
// match the whole filter; Offset is how many came before this page.
type HandoverList struct {
	Handovers  []*Handover    `json:"handovers"`
	Counts     map[string]int `json:"counts"`
	Overdue    int            `json:"overdue"`
	Total      int            `json:"total"`
	NextCursor string         `json:"next_cursor,omitempty"`
	Offset     int            `json:"-"`
}

// HandoverKey is a handover's place in the review order.
type HandoverKey struct {
	Part        int
	Urgency     string
	RequestedAt time.Time // open parts
	UpdatedAt   time.Time // the closed part
	Seq         int64
}

// HandoverQuery is a list of handovers as the store reads it: the filter
// resolved to IDs, with the clock for the overdue rule. The store returns
// them in review order, from after After.
type HandoverQuery struct {
	OrganisationID int64
	Directions     []string // incoming, outgoing, or both
	PartnerID      int64    // 0: any
	MineUserID     int64    // 0: anyone's; incoming: assigned to this user or nobody; outgoing: sent by them
	ResidentID     string   // "": any; else the record it was sent for (outgoing) or received as (incoming)
	State          string   // "": any
	StateGroup     string   // "", StatesOpen or StatesClosed
	Overdue        bool
	SentBefore     *time.Time // only handovers sent at or before
	After          *HandoverKey
	Limit          int
	Now            time.Time
}

// HandoverPage is what the store found: a page of records and, over all
// that match the directions, partner, resident and "mine" (not the state,
// overdue, age or page), the counts per state and the number overdue;
// Total counts all that match the whole query.
type HandoverPage struct {
	Records []*HandoverRecord
	Counts  map[string]int
	Overdue int
	Total   int
}

// partOf is the part of the review order h is in at now.
func partOf(h *HandoverRecord, now time.Time) int {
	switch {
	case !OpenState(h.State):
		return PartClosed
	case Overdue(h.State, h.AcceptBy, h.ContactBy, now):
		return PartOverdue
	}
	return PartOpen
}

// keyOf is h's place in the review order at now.
func keyOf(h *HandoverRecord, now time.Time) HandoverKey {
	return HandoverKey{Part: partOf(h, now), Urgency: h.Urgency, RequestedAt: h.RequestedAt, UpdatedAt: h.UpdatedAt, Seq: h.Seq}
}

func (k HandoverKey) cursor(n int, now time.Time) string {
	return Cursor{Key: []string{itoa(k.Part), k.Urgency, FormatTime(k.RequestedAt), FormatTime(k.UpdatedAt),
		strconv.FormatInt(k.Seq, 10)}, N: n, At: now}.Encode()
}

func handoverKeyOf(c *Cursor) (*HandoverKey, error) {
	part, err := c.keyInt(0)
	if err != nil || part < PartOverdue || part > PartClosed || (c.Key[1] != "normal" && c.Key[1] != "urgent") {
		return nil, FieldInvalid("cursor", "cursor", "")
	}
	k := &HandoverKey{Part: int(part), Urgency: c.Key[1]}
	if k.RequestedAt, err = c.keyTime(2); err != nil {
		return nil, err
	}
	if k.UpdatedAt, err = c.keyTime(3); err != nil {
		return nil, err
	}
	if k.Seq, err = c.keyInt(4); err != nil {
		return nil, err
	}
	return k, nil
}

// Find lists a page of the organisation's handovers in review order, with
// counts per state over the direction, partner, resident and "mine" choice.
func (s *HandoverService) Find(ctx context.Context, actor Actor, f HandoverFilter) (*HandoverList, error) {
	now := s.store.Now()
	q, cur, err := s.query(ctx, actor, f, now)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	q.Limit++
	page, err := s.store.View(ctx).Handovers().FindHandovers(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &HandoverList{Handovers: make([]*Handover, 0, len(page.Records)), Counts: page.Counts,
		Overdue: page.Overdue, Total: page.Total, Offset: offsetOf(cur)}
	if len(page.Records) > limit {
		list.NextCursor = keyOf(page.Records[limit-1], q.Now).cursor(list.Offset+limit, q.Now)
		page.Records = page.Records[:limit]
	}
	for _, h := range page.Records {
		list.Handovers = append(list.Handovers, h.viewFor(actor, now))
	}
	var ids []AuditID
	for _, h := range list.Handovers {
		ids = append(ids, AuditID{Kind: "handover", ID: h.ID})
		ids = append(ids, residentIDs(h.ResidentID)...)
	}
	return list, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "list", Entity: "handover",
		Detail: "results=" + strconv.Itoa(len(list.Handovers)), IDs: ids})
}

// query resolves a filter for the store, naming every wrong field at once.
// A cursor brings the clock of the walk's first page.
func (s *HandoverService) query(ctx context.Context, actor Actor, f HandoverFilter, now time.Time) (HandoverQuery, *Cursor, error) {
	q := HandoverQuery{OrganisationID: actor.OrganisationID, State: f.State, Overdue: f.Overdue, Now: now,
		Directions: []string{DirectionIncoming, DirectionOutgoing}}
	if f.State == StatesOpen || f.State == StatesClosed {
		q.State, q.StateGroup = "", f.State
	}
	err := f.Validate()
	ref, rerr := s.store.View(ctx).Reference(ctx)
	if rerr != nil {
		return q, nil, rerr
	}
	if f.Partner != "" {
		if o, ok := ref.Organisation(f.Partner); ok {
			q.PartnerID = o.ID
		} else {
			err = MergeInvalid(err, FieldInvalid("partner", "unknown", f.Partner))
		}
	}
	if f.ResidentID != "" {
		r, rerr := s.store.View(ctx).Residents().Resident(ctx, actor.OrganisationID, f.ResidentID)
		switch {
		case ErrorCode(rerr) == ENOTFOUND:
			err = MergeInvalid(err, FieldInvalid("resident_id", "unknown_resident", ""))
		case rerr != nil:
			return q, nil, rerr
		default:
			q.ResidentID = r.ID
		}
	}
	limit, lerr := HandoverPageSize.Of(f.Limit)
	err = MergeInvalid(err, lerr)
	q.Limit = limit
	cur, cerr := ParseCursor(f.Cursor, 5)
	if cerr == nil && cur != nil {
		q.After, cerr = handoverKeyOf(cur)
		if !cur.At.IsZero() {
			q.Now = cur.At
		}
	}
	if err = MergeInvalid(err, cerr); err != nil {
		return q, nil, err
	}
	if f.Direction != "" {
		q.Directions = []string{f.Direction}
	}
	if f.Mine {
		q.MineUserID = actor.UserID
	}
	if f.MinAge > 0 {
		before := now.AddDate(0, 0, -f.MinAge)
		q.SentBefore = &before
	}
	return q, cur, nil
}

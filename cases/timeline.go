package cases

import (
	"context"
	"slices"
	"time"
)

// A resident's story in one place: the organisation's contacts with the
// record and the handovers sent for it or received as it, in one list,
// newest first, so a worker neither sends a second handover nor asks the
// resident to tell it all again.

// TimelineEntry is one event of the story: a contact or a handover (at the
// moment it was sent; its own steps go with it).
type TimelineEntry struct {
	At       time.Time
	Contact  *Contact
	Handover *Handover
}

// Timeline is one page of a record's story. Pages follow the contacts;
// the handovers of the time a page covers go with it.
type Timeline struct {
	Resident   *Resident
	Entries    []TimelineEntry
	Contacts   int // contacts in all
	Handovers  int // handovers in all
	Offset     int // entries on the pages before this one
	NextCursor string
	// Open are the open handovers sent for the record: who is already
	// working on it.
	Open []*Handover
}

// TimelineService reads residents' stories.
type TimelineService struct {
	residents *ResidentService
	contacts  *ContactService
	handovers *HandoverService
}

// NewTimelineService returns the service over the use cases it reads through.
func NewTimelineService(residents *ResidentService, contacts *ContactService, handovers *HandoverService) *TimelineService {
	return &TimelineService{residents: residents, contacts: contacts, handovers: handovers}
}

// TimelinePage is how many contacts one page of a story holds.
const TimelinePage = 50

// Of reads one page of record id's story (cursor "" is the newest). Every
// read goes through the use cases, so it is scoped and audited as theirs.
func (s *TimelineService) Of(ctx context.Context, actor Actor, id, cursor string) (*Timeline, error) {
	r, err := s.residents.ByID(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	contacts, err := s.contacts.Find(ctx, actor, ContactFilter{ResidentID: r.ID, Cursor: cursor, Limit: TimelinePage})
	if err != nil {
		return nil, err
	}
	// A resident has few handovers: all of them, placed by when they were sent.
	handovers, err := s.handovers.Find(ctx, actor, HandoverFilter{ResidentID: r.ID, Limit: HandoverPageSize.Max})
	if err != nil {
		return nil, err
	}
	t := &Timeline{Resident: r, Contacts: contacts.Total, Handovers: handovers.Total, NextCursor: contacts.NextCursor,
		Offset: contacts.Offset}
	// This page covers the time from the last contact of the page before
	// (the cursor's) down to its own last contact, or to the beginning.
	var newest, oldest *time.Time
	if c, _ := ParseCursor(cursor, 2); c != nil {
		at, _ := c.keyTime(0)
		newest = &at
	}
	if t.NextCursor != "" && len(contacts.Contacts) > 0 {
		oldest = &contacts.Contacts[len(contacts.Contacts)-1].OccurredAt
	}
	for _, c := range contacts.Contacts {
		t.Entries = append(t.Entries, TimelineEntry{At: c.OccurredAt, Contact: c})
	}
	for _, h := range handovers.Handovers {
		if h.Direction == DirectionOutgoing && OpenState(h.State) {
			t.Open = append(t.Open, h)
		}
		switch {
		case newest != nil && !h.RequestedAt.Before(*newest):
			t.Offset++ // on a page before
		case oldest == nil || !h.RequestedAt.Before(*oldest):
			t.Entries = append(t.Entries, TimelineEntry{At: h.RequestedAt, Handover: h})
		}
	}
	slices.SortStableFunc(t.Entries, func(a, b TimelineEntry) int { return b.At.Compare(a.At) })
	return t, nil
}

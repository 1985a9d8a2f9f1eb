package cases

import (
	"context"
	"strconv"
)

// Find lists a page of the organisation's contacts, newest first. Every
// worker and coordinator of an organisation reads all of its contacts (the
// rule lives here only): Mine narrows to the actor's own, Worker to a
// colleague's. Unknown values, a page size over the maximum and a foreign
// cursor are EINVALID naming the field.
func (s *ContactService) Find(ctx context.Context, actor Actor, f ContactFilter) (*ContactList, error) {
	q, cur, err := s.query(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	q.Limit++ // one more tells whether a next page exists
	res, err := s.store.View(ctx).Contacts().FindContacts(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &ContactList{Contacts: res.Contacts, Total: res.Total, Offset: offsetOf(cur)}
	list.Contacts, list.NextCursor = pageOf(list.Contacts, limit, list.Offset, func(last *Contact) []string {
		return []string{FormatTime(last.OccurredAt), strconv.FormatInt(last.Seq, 10)}
	})
	detail := "results=" + strconv.Itoa(len(list.Contacts))
	if f.ResidentID != "" {
		detail += " resident=" + f.ResidentID
	}
	return list, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "list", Entity: "contact", Detail: detail,
		IDs: contactIDs(list.Contacts)})
}

// query resolves a filter for the store, naming every wrong field at once.
func (s *ContactService) query(ctx context.Context, actor Actor, f ContactFilter) (ContactQuery, *Cursor, error) {
	q := ContactQuery{OrganisationID: actor.OrganisationID, ResidentID: f.ResidentID, Programme: f.Programme,
		Topic: f.Topic, Neighbourhood: f.Neighbourhood, Kind: f.Kind, From: f.From, To: f.To}
	var problems error
	var err error
	if q.Limit, err = ContactPageSize.Of(f.Limit); err != nil {
		problems = MergeInvalid(problems, err)
	}
	cur, err := ParseCursor(f.Cursor, 2)
	if err == nil && cur != nil {
		q.After = &ContactKey{}
		q.After.OccurredAt, err = cur.keyTime(0)
		if err == nil {
			q.After.Seq, err = cur.keyInt(1)
		}
	}
	problems = MergeInvalid(problems, err)
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return q, nil, err
	}
	if p, ok := ref.Programme(f.Programme); f.Programme != "" && (!ok || p.OrganisationID != actor.OrganisationID) {
		problems = MergeInvalid(problems, FieldInvalid("programme", "unknown", f.Programme))
	}
	for _, t := range []struct{ field, list, slug string }{{"topic", ListTopics, f.Topic},
		{"neighbourhood", ListNeighbourhoods, f.Neighbourhood}, {"kind", ListKinds, f.Kind}} {
		if _, ok := ref.Term(t.list, t.slug); t.slug != "" && !ok {
			problems = MergeInvalid(problems, FieldInvalid(t.field, "unknown", t.slug))
		}
	}
	switch {
	case f.Mine && f.Worker != "" && f.Worker != actor.Username:
		problems = MergeInvalid(problems, FieldInvalid("worker", "mine_and_worker", ""))
	case f.Mine:
		q.WorkerID = actor.UserID
	case f.Worker != "":
		u, err := s.store.View(ctx).Users().UserByUsername(ctx, f.Worker)
		switch {
		case ErrorCode(err) == ENOTFOUND || (err == nil && u.OrganisationID != actor.OrganisationID):
			problems = MergeInvalid(problems, FieldInvalid("worker", "unknown", f.Worker))
		case err != nil:
			return q, nil, err
		default:
			q.WorkerID = u.ID
		}
	}
	return q, cur, problems
}

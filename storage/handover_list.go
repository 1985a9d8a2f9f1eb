package storage

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The review lists an organisation's handovers in both directions: overdue
// ones first, then the other open ones (urgent first, oldest first), then
// closed ones (latest first), with counts per state. An organisation may
// hold tens of thousands, so nothing sorts them all: each part of the order
// is read from an index that already has that order (partial indexes on open
// and on closed handovers, migration 00003) and reading stops at the page
// size. A page costs a fixed number of small queries, never one per handover.
//
// Paging: a cursor names the part of the last row shown and its key in
// that part's order (cases.HandoverKey), with the clock of the first page,
// so overdue stays overdue for the whole walk. The next page reads the rest
// of that part from just after the key, then the later parts from their
// start. Each read is a seek in the part's index: in an open part the
// index is (organisation, urgency, sent), so the rest of the cursor's
// urgency and then the less urgent ones are two ranges, never a scan of
// what came before. A page stays a fixed number of queries however deep.

// stateIn is "h.state IN ('a', 'b')" for a list of states, written the way
// the partial indexes of migration 00003 write it, so SQLite uses them.
func stateIn(states []string) string {
	quoted := make([]string, len(states))
	for i, s := range states {
		quoted[i] = "'" + s + "'"
	}
	return "h.state IN (" + strings.Join(quoted, ", ") + ")"
}

// The SQL of the state rules of package cases; both ? of overdueSQL are now.
var (
	openStatesSQL   = stateIn(cases.OpenStates)
	closedStatesSQL = stateIn(cases.ClosedStates)
	overdueSQL      = "((" + stateIn(cases.AcceptDeadlineStates) + " AND h.accept_by <= ?) OR (" +
		stateIn(cases.ContactDeadlineStates) + " AND h.contact_by <= ?))"
)

// listDirection is one side of the review: the column holding the actor's
// organisation, the other party's column, what "mine" means, the column of
// the organisation's own record, and the indexes of its open and closed
// handovers.
type listDirection struct {
	own, other, mine, resident string
	openIndex, closedIndex     string
}

var listDirections = map[string]listDirection{
	cases.DirectionIncoming: {"h.to_org_id", "h.from_org_id", "(h.assignee_id = ? OR h.assignee_id IS NULL)",
		"h.to_resident_id", "handovers_to_open", "handovers_to_closed"},
	cases.DirectionOutgoing: {"h.from_org_id", "h.to_org_id", "h.from_user_id = ?",
		"h.from_resident_id", "handovers_from_open", "handovers_from_closed"},
}

// where is a condition with its arguments.
type where struct {
	sql  string
	args []any
}

func (w where) and(sql string, args ...any) where {
	return where{w.sql + " AND " + sql, append(slices.Clone(w.args), args...)}
}

// pageRow is a handover's place in the review order.
type pageRow struct {
	rowid                       int64
	id, urgency, requested, upd string
}

// segment is one part of the review order (cases.PartOverdue, PartOpen,
// PartClosed, in that order).
type segment struct {
	closed  bool  // the closed handovers' index, else the open ones'
	overdue *bool // only overdue (true) or only not overdue (false) ones
	order   string
	less    func(a, b pageRow) int
}

// after is the rest of a part after key k, as one or two ranges of its
// index. Open parts: the same urgency later, then the less urgent ones
// from their start (urgent sorts before normal); the closed part: earlier
// changes.
func (seg segment) after(k *cases.HandoverKey) []where {
	if seg.closed {
		at := cases.FormatTime(k.UpdatedAt)
		return []where{{`h.updated_at <= ? AND (h.updated_at < ? OR h.rowid < ?)`, []any{at, at, k.Seq}}}
	}
	at := cases.FormatTime(k.RequestedAt)
	out := []where{{`h.urgency = ? AND h.requested_at >= ? AND (h.requested_at > ? OR h.rowid > ?)`, []any{k.Urgency, at, at, k.Seq}}}
	if k.Urgency > "normal" {
		out = append(out, where{`h.urgency < ?`, []any{k.Urgency}})
	}
	return out
}

func openOrder(a, b pageRow) int {
	return cmp.Or(-cmp.Compare(a.urgency, b.urgency), cmp.Compare(a.requested, b.requested), cmp.Compare(a.rowid, b.rowid))
}

func closedOrder(a, b pageRow) int {
	return cmp.Or(-cmp.Compare(a.upd, b.upd), -cmp.Compare(a.rowid, b.rowid))
}

var (
	yes, no  = true, false
	segments = []segment{
		{false, &yes, `h.urgency DESC, h.requested_at, h.rowid`, openOrder},
		{false, &no, `h.urgency DESC, h.requested_at, h.rowid`, openOrder},
		{true, nil, `h.updated_at DESC, h.rowid DESC`, closedOrder},
	}
)

// listQuery is a HandoverQuery as conditions per direction: base is the
// direction with its partner and "mine", filtered adds the state and age.
type listQuery struct {
	q               cases.HandoverQuery
	dirs            []listDirection
	bases, filtered []where
	now             string
}

func newListQuery(q cases.HandoverQuery) listQuery {
	lq := listQuery{q: q, now: cases.FormatTime(q.Now)}
	for _, name := range q.Directions {
		d := listDirections[name]
		b := where{d.own + ` = ?`, []any{q.OrganisationID}}
		if q.PartnerID != 0 {
			b = b.and(d.other+` = ?`, q.PartnerID)
		}
		if q.MineUserID != 0 {
			b = b.and(d.mine, q.MineUserID)
		}
		if q.ResidentID != "" {
			b = b.and(d.resident+` = ?`, q.ResidentID)
		}
		f := b
		switch {
		case q.State != "":
			f = f.and(`h.state = ?`, q.State)
		case q.StateGroup == cases.StatesOpen:
			f = f.and(openStatesSQL)
		case q.StateGroup == cases.StatesClosed:
			f = f.and(closedStatesSQL)
		}
		if q.SentBefore != nil {
			f = f.and(`h.requested_at <= ?`, cases.FormatTime(*q.SentBefore))
		}
		lq.dirs, lq.bases, lq.filtered = append(lq.dirs, d), append(lq.bases, b), append(lq.filtered, f)
	}
	return lq
}

func (h handovers) FindHandovers(ctx context.Context, q cases.HandoverQuery) (*cases.HandoverPage, error) {
	lq := newListQuery(q)
	page := &cases.HandoverPage{Counts: map[string]int{}}
	for _, st := range cases.HandoverStates {
		page.Counts[st] = 0
	}
	if err := h.countStates(ctx, lq, page); err != nil {
		return nil, err
	}
	if err := h.countTotal(ctx, lq, page); err != nil {
		return nil, err
	}
	ids, err := h.pageIDs(ctx, lq)
	if err != nil {
		return nil, err
	}
	page.Records, err = h.byRowIDs(ctx, ids)
	return page, err
}

// countStates counts per state and overdue, straight from the (org, state,
// ...) indexes.
func (h handovers) countStates(ctx context.Context, lq listQuery, page *cases.HandoverPage) error {
	for _, b := range lq.bases {
		rows, err := h.q.QueryContext(ctx, `SELECT h.state, COUNT(*) FROM handovers h WHERE `+b.sql+` GROUP BY h.state`, b.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				rows.Close()
				return err
			}
			page.Counts[st] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		accept, contact := b.and(stateIn(cases.AcceptDeadlineStates)+` AND h.accept_by <= ?`, lq.now),
			b.and(stateIn(cases.ContactDeadlineStates)+` AND h.contact_by <= ?`, lq.now)
		var overdue int
		if err := h.q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM handovers h WHERE `+accept.sql+`) +
			(SELECT COUNT(*) FROM handovers h WHERE `+contact.sql+`)`, append(accept.args, contact.args...)...).
			Scan(&overdue); err != nil {
			return err
		}
		page.Overdue += overdue
	}
	return nil
}

// countTotal counts what the whole query matches, from the counts when
// they already tell.
func (h handovers) countTotal(ctx context.Context, lq listQuery, page *cases.HandoverPage) error {
	q := lq.q
	states := cases.HandoverStates
	switch {
	case q.State != "":
		states = []string{q.State}
	case q.StateGroup == cases.StatesOpen:
		states = cases.OpenStates
	case q.StateGroup == cases.StatesClosed:
		states = cases.ClosedStates
	}
	switch {
	case !q.Overdue && q.SentBefore == nil:
		for _, st := range states {
			page.Total += page.Counts[st]
		}
		return nil
	case q.Overdue && q.SentBefore == nil && q.State == "" && q.StateGroup != cases.StatesClosed:
		page.Total = page.Overdue // overdue ones are open
		return nil
	}
	for _, f := range lq.filtered {
		if q.Overdue {
			f = f.and(overdueSQL, lq.now, lq.now)
		}
		var n int
		if err := h.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM handovers h WHERE `+f.sql, f.args...).Scan(&n); err != nil {
			return err
		}
		page.Total += n
	}
	return nil
}

// pageIDs reads the page's rowids, part by part of the order, from after
// the cursor's key.
func (h handovers) pageIDs(ctx context.Context, lq listQuery) ([]int64, error) {
	var ids []int64
	q := lq.q
	for part, seg := range segments {
		remaining := q.Limit - len(ids)
		switch {
		case remaining <= 0:
			return ids, nil
		case q.After != nil && part < q.After.Part,
			q.Overdue && (seg.overdue == nil || !*seg.overdue),
			q.State != "" && seg.closed == cases.OpenState(q.State),
			q.StateGroup == cases.StatesOpen && seg.closed,
			q.StateGroup == cases.StatesClosed && !seg.closed:
			continue
		}
		ranges := []where{{"TRUE", nil}}
		if q.After != nil && part == q.After.Part {
			ranges = seg.after(q.After)
		}
		var found []pageRow
		for i, d := range lq.dirs {
			for _, r := range ranges {
				rows, err := h.segmentRows(ctx, lq, seg, d, lq.filtered[i].and(r.sql, r.args...), remaining)
				if err != nil {
					return nil, err
				}
				found = append(found, rows...)
			}
		}
		slices.SortFunc(found, seg.less)
		for _, r := range found[:min(len(found), remaining)] {
			ids = append(ids, r.rowid)
		}
	}
	return ids, nil
}

func (h handovers) segmentRows(ctx context.Context, lq listQuery, seg segment, d listDirection, f where, limit int) ([]pageRow, error) {
	index, states := d.openIndex, openStatesSQL
	if seg.closed {
		index, states = d.closedIndex, closedStatesSQL
	}
	f = f.and(states)
	if seg.overdue != nil {
		cond := overdueSQL
		if !*seg.overdue {
			cond = `NOT ` + overdueSQL
		}
		f = f.and(cond, lq.now, lq.now)
	}
	// A resident's few handovers come from the resident indexes instead.
	hint := h.db.engine.indexedBy(index)
	if lq.q.ResidentID != "" {
		hint = ""
	}
	rows, err := h.q.QueryContext(ctx, `SELECT h.rowid, h.id, h.urgency, h.requested_at, h.updated_at FROM handovers h`+
		hint+` WHERE `+f.sql+` ORDER BY `+seg.order+` LIMIT ?`, append(f.args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pageRow
	for rows.Next() {
		var r pageRow
		if err := rows.Scan(&r.rowid, &r.id, &r.urgency, &r.requested, &r.upd); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// byRowIDs reads the page's handovers in full, in one query, in ids' order.
func (h handovers) byRowIDs(ctx context.Context, ids []int64) ([]*cases.HandoverRecord, error) {
	out := []*cases.HandoverRecord{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := h.q.QueryContext(ctx, `SELECT `+handoverColumns+` FROM handovers h`+handoverJoins+
		`WHERE h.rowid IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*cases.HandoverRecord, len(ids))
	for rows.Next() {
		r, err := h.scanHandover(rows)
		if err != nil {
			return nil, err
		}
		byID[r.Seq] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

package storage

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The review lists an organisation's handovers in both directions: overdue
// ones first, then the other open ones (urgent first, oldest first), then
// closed ones (latest first), with counts per state. An organisation may
// hold tens of thousands, so nothing sorts them all: each part of the order
// is read from an index that already has that order (partial indexes on open
// and on closed handovers, migration 00003) and reading stops at the page
// size. A page costs a fixed number of small queries, never one per handover.

// overdueSQL is cases.Overdue in SQL; both ? are now.
const overdueSQL = `((h.state IN ('requested', 'received') AND h.accept_by <= ?) OR (h.state = 'accepted' AND h.contact_by <= ?))`

// The state sets of the partial indexes; queries repeat them word for word
// so that SQLite can use those indexes.
const (
	openStatesSQL   = `h.state IN ('requested', 'received', 'accepted', 'contacted')`
	closedStatesSQL = `h.state IN ('completed', 'declined', 'withdrawn')`
)

// listDirection is one side of the review: the column holding the actor's
// organisation, the other party's column, what "mine" means, and the
// indexes of its open and closed handovers.
type listDirection struct {
	name, own, other, mine string
	openIndex, closedIndex string
}

var listDirections = []listDirection{
	{cases.DirectionIncoming, "h.to_org_id", "h.from_org_id", "(h.assignee_id = ? OR h.assignee_id IS NULL)",
		"handovers_to_open", "handovers_to_closed"},
	{cases.DirectionOutgoing, "h.from_org_id", "h.to_org_id", "h.from_user_id = ?",
		"handovers_from_open", "handovers_from_closed"},
}

// pageRow is a handover's place in the review order.
type pageRow struct {
	rowid                       int64
	id, urgency, requested, upd string
}

// segment is one part of the review order.
type segment struct {
	states, index string // the state set and which index (open or closed)
	overdue       *bool  // only overdue (true) or only not overdue (false) ones
	order         string
	less          func(a, b pageRow) int
}

func openOrder(a, b pageRow) int {
	return cmp.Or(-cmp.Compare(a.urgency, b.urgency), cmp.Compare(a.requested, b.requested), cmp.Compare(a.rowid, b.rowid))
}

func closedOrder(a, b pageRow) int {
	return cmp.Or(-cmp.Compare(a.upd, b.upd), -cmp.Compare(a.rowid, b.rowid))
}

// FindHandovers lists the organisation's handovers (see above) with counts
// per state over the direction, partner and "mine" choice.
func (s *HandoverService) FindHandovers(ctx context.Context, actor cases.Actor, f cases.HandoverFilter) (*cases.HandoverList, error) {
	idx := s.ref.index()
	now := s.db.Now().UTC().Truncate(time.Millisecond)
	nowText := cases.FormatTime(now)
	var partnerID int64
	var problems []cases.FieldError
	if f.Partner != "" {
		var ok bool
		if partnerID, ok = idx.organisations[f.Partner]; !ok {
			problems = append(problems, cases.FieldError{Field: "partner", Tag: "unknown", Param: f.Partner})
		}
	}
	if f.State != "" && !cases.ValidState(f.State) {
		problems = append(problems, cases.FieldError{Field: "state", Tag: "unknown", Param: f.State})
	}
	var dirs []listDirection
	for _, d := range listDirections {
		if f.Direction == "" || f.Direction == d.name {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		problems = append(problems, cases.FieldError{Field: "direction", Tag: "unknown", Param: f.Direction})
	}
	if len(problems) > 0 {
		return nil, cases.Invalid(problems...)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}

	list := &cases.HandoverList{Handovers: []*cases.Handover{}, Counts: map[string]int{}}
	for _, st := range cases.HandoverStates {
		list.Counts[st] = 0
	}
	// base: the direction with its partner and "mine"; filtered adds the
	// state and age.
	type where struct {
		sql  string
		args []any
	}
	bases, filtered := map[string]where{}, map[string]where{}
	for _, d := range dirs {
		b := where{d.own + ` = ?`, []any{actor.OrganisationID}}
		if partnerID != 0 {
			b.sql += ` AND ` + d.other + ` = ?`
			b.args = append(b.args, partnerID)
		}
		if f.Mine {
			b.sql += ` AND ` + d.mine
			b.args = append(b.args, actor.UserID)
		}
		bases[d.name] = b
		fl := where{b.sql, slices.Clone(b.args)}
		if f.State != "" {
			fl.sql += ` AND h.state = ?`
			fl.args = append(fl.args, f.State)
		}
		if f.MinAge > 0 {
			fl.sql += ` AND h.requested_at <= ?`
			fl.args = append(fl.args, cases.FormatTime(now.AddDate(0, 0, -f.MinAge)))
		}
		filtered[d.name] = fl
	}

	// Counts per state and overdue, straight from the (org, state, ...)
	// indexes.
	for _, d := range dirs {
		b := bases[d.name]
		rows, err := s.db.Read.QueryContext(ctx, `SELECT h.state, COUNT(*) FROM handovers h WHERE `+b.sql+` GROUP BY h.state`, b.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				rows.Close()
				return nil, err
			}
			list.Counts[st] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		var overdue int
		args := append(append(slices.Clone(b.args), nowText), append(slices.Clone(b.args), nowText)...)
		if err := s.db.Read.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM handovers h WHERE `+b.sql+` AND h.state IN ('requested', 'received') AND h.accept_by <= ?) +
			(SELECT COUNT(*) FROM handovers h WHERE `+b.sql+` AND h.state = 'accepted' AND h.contact_by <= ?)`, args...).
			Scan(&overdue); err != nil {
			return nil, err
		}
		list.Overdue += overdue
	}
	switch {
	case !f.Overdue && f.MinAge == 0 && f.State != "":
		list.Total = list.Counts[f.State]
	case !f.Overdue && f.MinAge == 0:
		for _, n := range list.Counts {
			list.Total += n
		}
	case f.Overdue && f.MinAge == 0 && f.State == "":
		list.Total = list.Overdue
	default:
		for _, d := range dirs {
			fl := filtered[d.name]
			q, args := `SELECT COUNT(*) FROM handovers h WHERE `+fl.sql, fl.args
			if f.Overdue {
				q += ` AND ` + overdueSQL
				args = append(slices.Clone(args), nowText, nowText)
			}
			var n int
			if err := s.db.Read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				return nil, err
			}
			list.Total += n
		}
	}

	// The page, part by part of the order.
	yes, no := true, false
	segments := []segment{
		{openStatesSQL, "open", &yes, `h.urgency DESC, h.requested_at, h.rowid`, openOrder},
		{openStatesSQL, "open", &no, `h.urgency DESC, h.requested_at, h.rowid`, openOrder},
		{closedStatesSQL, "closed", nil, `h.updated_at DESC, h.rowid DESC`, closedOrder},
	}
	var ids []any // rowids
	for _, seg := range segments {
		remaining := f.Limit - len(ids)
		if remaining <= 0 {
			break
		}
		if f.Overdue && (seg.overdue == nil || !*seg.overdue) {
			continue
		}
		if f.State != "" && (seg.index == "open") != cases.OpenState(f.State) {
			continue
		}
		var found []pageRow
		for _, d := range dirs {
			fl := filtered[d.name]
			index := d.openIndex
			if seg.index == "closed" {
				index = d.closedIndex
			}
			q := `SELECT h.rowid, h.id, h.urgency, h.requested_at, h.updated_at FROM handovers h INDEXED BY ` + index +
				` WHERE ` + fl.sql + ` AND ` + seg.states
			args := slices.Clone(fl.args)
			if seg.overdue != nil {
				cond := overdueSQL
				if !*seg.overdue {
					cond = `NOT ` + overdueSQL
				}
				q += ` AND ` + cond
				args = append(args, nowText, nowText)
			}
			q += ` ORDER BY ` + seg.order + ` LIMIT ` + strconv.Itoa(remaining)
			rows, err := s.db.Read.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var r pageRow
				if err := rows.Scan(&r.rowid, &r.id, &r.urgency, &r.requested, &r.upd); err != nil {
					rows.Close()
					return nil, err
				}
				found = append(found, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		slices.SortFunc(found, seg.less)
		for _, r := range found[:min(len(found), remaining)] {
			ids = append(ids, r.rowid)
		}
	}

	// The page's rows in full, in one query.
	if len(ids) > 0 {
		rows, err := s.db.Read.QueryContext(ctx, `SELECT h.rowid, `+handoverColumns+` FROM handovers h`+handoverJoins+
			`WHERE h.rowid IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)`, ids...)
		if err != nil {
			return nil, err
		}
		orgs := s.orgSlugs()
		byID := make(map[int64]*cases.Handover, len(ids))
		for rows.Next() {
			var rowid int64
			r, err := scanHandover(scanAfter{rows, &rowid}, orgs)
			if err != nil {
				rows.Close()
				return nil, err
			}
			byID[rowid] = s.view(r, r.side(actor), now)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, id := range ids {
			if h, ok := byID[id.(int64)]; ok {
				list.Handovers = append(list.Handovers, h)
			}
		}
	}
	return list, s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(actor, "list", "handover", "", "results="+strconv.Itoa(len(list.Handovers)))
	})
}

// scanAfter scans a row whose first column is read into first.
type scanAfter struct {
	rows  interface{ Scan(...any) error }
	first any
}

func (s scanAfter) Scan(dest ...any) error { return s.rows.Scan(append([]any{s.first}, dest...)...) }

package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// notices stores the events of handovers and each user's notices of them.
type notices struct{ conn }

func (n notices) InsertEvent(ctx context.Context, event, handoverID, kind string, at time.Time) (bool, error) {
	res, err := n.q.ExecContext(ctx, `INSERT INTO notify_events (event, handover_id, kind, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (event) DO NOTHING`, event, handoverID, kind, cases.FormatTime(at))
	return inserted(res, err)
}

func (n notices) InsertNotice(ctx context.Context, no cases.Notice, digest bool) (bool, error) {
	state := "none"
	if digest {
		state = "pending"
	}
	res, err := n.q.ExecContext(ctx, `INSERT INTO notices (event, user_id, kind, handover_id, at, digest)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event, user_id) DO NOTHING`,
		no.Event, no.UserID, no.Kind, no.HandoverID, cases.FormatTime(no.At), state)
	return inserted(res, err)
}

func (n notices) MarkNoticesRead(ctx context.Context, userID int64, handoverID string, at time.Time) (int, error) {
	query, args := `UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{cases.FormatTime(at), userID}
	if handoverID != "" {
		query, args = query+` AND handover_id = ?`, append(args, strings.ToLower(handoverID))
	}
	res, err := n.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	count, err := res.RowsAffected()
	return int(count), err
}

func (n notices) MarkDigested(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := n.q.ExecContext(ctx, `UPDATE notices SET digest = 'sent' WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

func (n notices) UnreadNotices(ctx context.Context, userID int64) (map[string]int, error) {
	rows, err := n.q.QueryContext(ctx, `SELECT kind, COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL
		GROUP BY kind`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var count int
		if err := rows.Scan(&kind, &count); err != nil {
			return nil, err
		}
		out[kind] = count
	}
	return out, rows.Err()
}

// noticeSelect reads notices, read the column (noticeRead or
// noticeReadBy).
const noticeSelect = `SELECT n.id, n.event, n.user_id, n.kind, n.handover_id, n.at, (%s) = 1,
	h.from_org_id, h.to_org_id, h.accept_by, h.contact_by FROM notices n JOIN handovers h ON h.id = n.handover_id `

func (n notices) list(ctx context.Context, read, query string, args ...any) ([]cases.Notice, error) {
	rows, err := n.q.QueryContext(ctx, fmt.Sprintf(noticeSelect, read)+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.Notice{}
	for rows.Next() {
		var no cases.Notice
		var at, acceptBy, contactBy string
		if err := rows.Scan(&no.ID, &no.Event, &no.UserID, &no.Kind, &no.HandoverID, &at, &no.Read,
			&no.FromOrganisationID, &no.ToOrganisationID, &acceptBy, &contactBy); err != nil {
			return nil, err
		}
		no.At, no.AcceptBy, no.ContactBy = mustTime(at), mustTime(acceptBy), mustTime(contactBy)
		out = append(out, no)
	}
	return out, rows.Err()
}

// noticeRead is 0 for an unread notice and 1 for a read one, on both
// engines; noticeReadBy the same as of a moment (the parameter): a notice
// read since then counts as unread, so that a list paged from that moment
// keeps its order while notices are read.
const (
	noticeRead   = `(CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END)`
	noticeReadBy = `(CASE WHEN n.read_at IS NULL OR n.read_at > ? THEN 0 ELSE 1 END)`
)

func (n notices) FindNotices(ctx context.Context, q cases.NoticeQuery) (*cases.NoticeResult, error) {
	res := &cases.NoticeResult{}
	if err := n.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE user_id = ?`, q.UserID).Scan(&res.Total); err != nil {
		return nil, err
	}
	asOf := cases.FormatTime(q.AsOf)
	args := []any{asOf, q.UserID}
	where := `WHERE n.user_id = ? `
	if k := q.After; k != nil {
		read, at := 0, cases.FormatTime(k.At)
		if k.Read {
			read = 1
		}
		where += `AND (` + noticeReadBy + ` > ? OR (` + noticeReadBy + ` = ? AND (n.at < ? OR (n.at = ? AND n.id < ?)))) `
		args = append(args, asOf, read, asOf, read, at, at, k.ID)
	}
	args = append(args, asOf, q.Limit)
	list, err := n.list(ctx, noticeReadBy, where+`ORDER BY `+noticeReadBy+`, n.at DESC, n.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	res.Notices = list
	return res, nil
}

func (n notices) DigestNotices(ctx context.Context, userID int64, before time.Time) ([]cases.Notice, error) {
	return n.list(ctx, noticeRead, `WHERE n.user_id = ? AND n.digest = 'pending' AND n.at < ? ORDER BY n.at, n.id`,
		userID, cases.FormatTime(before))
}

func (n notices) DigestUsers(ctx context.Context, before time.Time) ([]int64, error) {
	rows, err := n.q.QueryContext(ctx, `SELECT DISTINCT user_id FROM notices WHERE digest = 'pending' AND at < ?
		ORDER BY user_id`, cases.FormatTime(before))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (n notices) HandoversNearDeadline(ctx context.Context, until time.Time) ([]*cases.HandoverRecord, map[string]bool, error) {
	cut := cases.FormatTime(until)
	rows, err := n.q.QueryContext(ctx, `SELECT `+handoverColumns+` FROM handovers h`+handoverJoins+
		`WHERE `+overdueSQL+` ORDER BY h.requested_at`, cut, cut)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []*cases.HandoverRecord
	for rows.Next() {
		r, err := n.scanHandover(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	decided := map[string]bool{}
	events, err := n.q.QueryContext(ctx, `SELECT e.event FROM notify_events e JOIN handovers h ON h.id = e.handover_id
		WHERE `+overdueSQL, cut, cut)
	if err != nil {
		return nil, nil, err
	}
	defer events.Close()
	for events.Next() {
		var e string
		if err := events.Scan(&e); err != nil {
			return nil, nil, err
		}
		decided[e] = true
	}
	return out, decided, events.Err()
}

package storage

import (
	"cmp"
	"context"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// The review reads each part of its order from a partial index (INDEXED
// BY on SQLite): the state filters built from the rules of package cases
// must be the indexes' own WHERE clauses, or SQLite could not use them;
// PostgreSQL keeps the clause in its own words, which must name the same
// states, and its planner must find the index for each part too.
func TestStateSQLIsThePartialIndexes(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	want := map[string]string{
		"handovers_to_open": openStatesSQL, "handovers_from_open": openStatesSQL,
		"handovers_to_closed": closedStatesSQL, "handovers_from_closed": closedStatesSQL,
	}
	for _, d := range listDirections {
		for _, index := range []string{d.openIndex, d.closedIndex} {
			if _, ok := want[index]; !ok {
				t.Errorf("the review reads index %s, which this test does not know", index)
			}
		}
	}
	postgres := storagetest.Postgres()
	where := regexp.MustCompile(`(?s)\bWHERE\s+(.*)$`)
	quoted := regexp.MustCompile(`'[a-z_]+'`)
	for index, built := range want {
		built = strings.TrimPrefix(built, "h.")
		if postgres {
			// state IN ('a', 'b') in PostgreSQL's words.
			built = "(state = ANY (ARRAY[" + strings.Join(quoted.FindAllString(built, -1), "::text, ") + "::text]))"
		}
		var got string
		if postgres {
			if err := db.Read.QueryRow(`SELECT COALESCE(pg_get_expr(i.indpred, i.indrelid), '') FROM pg_index i
				JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ?`, index).Scan(&got); err != nil {
				t.Fatalf("%s: %v", index, err)
			}
		} else {
			var sqlText string
			if err := db.Read.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, index).Scan(&sqlText); err != nil {
				t.Fatalf("%s: %v", index, err)
			}
			if m := where.FindStringSubmatch(sqlText); m != nil {
				got = strings.TrimSpace(m[1])
			}
		}
		if got == "" {
			t.Errorf("%s is not a partial index", index)
		} else if got != built {
			t.Errorf("%s: the index says %q, the rules build %q", index, got, built)
		}
	}
	// And the planner agrees: the plan of each part of the review uses its
	// index and does not sort. (PostgreSQL is told to avoid the other ways,
	// which on a table this small it would take.)
	for _, seg := range segments {
		for name, d := range listDirections {
			index, states := d.openIndex, openStatesSQL
			if seg.closed {
				index, states = d.closedIndex, closedStatesSQL
			}
			if text := queryPlan(t, db, `SELECT h.rowid FROM handovers h WHERE `+d.own+` = 1 AND `+states+
				` ORDER BY `+seg.order+` LIMIT 10`); !strings.Contains(text, "USING INDEX "+index) &&
				!strings.Contains(text, "using "+index+" ") || strings.Contains(text, "TEMP B-TREE") ||
				strings.Contains(text, "Sort") {
				t.Errorf("%s, closed=%v: plan %q, want %s without sorting", name, seg.closed, text, index)
			}
		}
	}
}

// queryPlan is the plan of query, its lines joined by "; ": SQLite's
// EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN with sequential and bitmap
// scans and sorting made the last resort.
func queryPlan(t *testing.T, db *DB, query string) string {
	t.Helper()
	var plan []string
	if storagetest.Postgres() {
		tx, err := db.Read.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, off := range []string{"enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort"} {
			if _, err := tx.Exec(`SET LOCAL ` + off + ` = off`); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := tx.Query(`EXPLAIN (COSTS OFF) ` + query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		return strings.Join(plan, "; ")
	}
	rows, err := db.Read.Query(`EXPLAIN QUERY PLAN ` + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// listFixture is a database with random handovers between three
// organisations, two accounts in each.
type listFixture struct {
	db    *DB
	orgs  []int64
	users map[int64][]int64 // organisation → accounts
	all   []*cases.HandoverRecord
	now   time.Time
}

func newListFixture(t *testing.T, rng *rand.Rand, n int) *listFixture {
	t.Helper()
	db := openTestDB(t)
	f := &listFixture{db: db, users: map[int64][]int64{}, now: testNow.AddDate(0, 0, 30)}
	residents := map[int64]string{}
	for _, org := range []string{"al-amal", "dock", "buurtteam"} {
		id := orgID(t, db, org)
		f.orgs = append(f.orgs, id)
		for _, name := range []string{".one", ".two"} {
			f.users[id] = append(f.users[id], addUser(t, db, org, org+name, cases.RoleWorker).ID)
		}
		r := &cases.Resident{ID: uuid.NewString(), OrganisationID: id, GivenName: "Bewoner", CreatedBy: f.users[id][0],
			CreatedAt: testNow, UpdatedAt: testNow}
		mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error {
			var err error
			if r.PersonID, err = tx.Residents().PersonFor(ctx, ""); err != nil {
				return err
			}
			return tx.Residents().InsertResident(ctx, r, "bewoner")
		})
		residents[id] = r.ID
	}
	// Deadlines around now, a fifth of them exactly at now; times to the
	// millisecond and distinct, so the order has no ties.
	around := func() time.Time {
		if rng.IntN(5) == 0 {
			return f.now
		}
		return f.now.Add(time.Duration(rng.Int64N(10*24*3600*1000)-5*24*3600*1000) * time.Millisecond)
	}
	seen := map[time.Time]bool{}
	distinct := func(t time.Time) time.Time {
		for seen[t] {
			t = t.Add(time.Millisecond)
		}
		seen[t] = true
		return t
	}
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error {
		for range n {
			from := f.orgs[rng.IntN(3)]
			to := f.orgs[(slices.Index(f.orgs, from)+1+rng.IntN(2))%3]
			sent := distinct(f.now.Add(-time.Duration(rng.Int64N(40*24*3600*1000)) * time.Millisecond))
			h := &cases.HandoverRecord{ID: uuid.NewString(), State: cases.HandoverStates[rng.IntN(len(cases.HandoverStates))],
				FromOrganisationID: from, ToOrganisationID: to, SenderID: f.users[from][rng.IntN(2)],
				FromResidentID: residents[from], Question: "?", Urgency: cases.Urgencies[rng.IntN(2)],
				Consent: cases.ConsentRecord{Consent: cases.Consent{How: "verbal", At: sent}, RecordedByID: f.users[from][0]},
				HandoverTimes: cases.HandoverTimes{RequestedAt: sent, AcceptBy: around(), ContactBy: around(),
					UpdatedAt: distinct(sent.Add(time.Duration(rng.Int64N(3600*1000)) * time.Millisecond))}}
			if rng.IntN(2) == 0 {
				h.AssigneeID = f.users[to][rng.IntN(2)]
			}
			if err := tx.Handovers().InsertHandover(ctx, h); err != nil {
				return err
			}
			// The assignee is written by SaveHandover, as the moves do.
			if err := tx.Handovers().SaveHandover(ctx, h); err != nil {
				return err
			}
			f.all = append(f.all, h)
		}
		return nil
	})
	return f
}

// expect is the review of q computed from the records with the rules of
// package cases (Overdue, OpenState) and the documented order, without SQL.
func (f *listFixture) expect(q cases.HandoverQuery) (ids []string, counts map[string]int, overdue, total int) {
	counts = map[string]int{}
	for _, s := range cases.HandoverStates {
		counts[s] = 0
	}
	var page []*cases.HandoverRecord
	for _, h := range f.all {
		var dir string
		var other int64
		var mine bool
		switch q.OrganisationID {
		case h.ToOrganisationID:
			dir, other = cases.DirectionIncoming, h.FromOrganisationID
			mine = h.AssigneeID == q.MineUserID || h.AssigneeID == 0
		case h.FromOrganisationID:
			dir, other = cases.DirectionOutgoing, h.ToOrganisationID
			mine = h.SenderID == q.MineUserID
		default:
			continue
		}
		if !slices.Contains(q.Directions, dir) || q.PartnerID != 0 && other != q.PartnerID || q.MineUserID != 0 && !mine {
			continue
		}
		late := cases.Overdue(h.State, h.AcceptBy, h.ContactBy, q.Now)
		counts[h.State]++
		if late {
			overdue++
		}
		if q.State != "" && h.State != q.State || q.SentBefore != nil && h.RequestedAt.After(*q.SentBefore) || q.Overdue && !late {
			continue
		}
		total++
		page = append(page, h)
	}
	// Overdue first, then the other open ones, then the closed ones.
	part := func(h *cases.HandoverRecord) int {
		switch {
		case !cases.OpenState(h.State):
			return 2
		case cases.Overdue(h.State, h.AcceptBy, h.ContactBy, q.Now):
			return 0
		}
		return 1
	}
	slices.SortFunc(page, func(a, b *cases.HandoverRecord) int {
		if c := cmp.Compare(part(a), part(b)); c != 0 {
			return c
		}
		if part(a) == 2 {
			return b.UpdatedAt.Compare(a.UpdatedAt) // the latest change first
		}
		// Urgent first, then the oldest.
		return cmp.Or(-cmp.Compare(a.Urgency, b.Urgency), a.RequestedAt.Compare(b.RequestedAt))
	})
	for _, h := range page[:min(len(page), q.Limit)] {
		ids = append(ids, h.ID)
	}
	return ids, counts, overdue, total
}

// FindHandovers, built from index-ordered SQL, agrees on random handovers
// and random queries with the rules of package cases computed in Go: which
// handovers are overdue, the counts, the total and the review order.
func TestFindHandoversAgreesWithTheRules(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	f := newListFixture(t, rng, 150)
	ctx := context.Background()
	queries := 200
	if testing.Short() {
		queries = 50
	}
	for i := range queries {
		org := f.orgs[rng.IntN(3)]
		q := cases.HandoverQuery{OrganisationID: org, Now: f.now, Limit: 1 + rng.IntN(60),
			Directions: [][]string{{cases.DirectionIncoming, cases.DirectionOutgoing}, {cases.DirectionIncoming},
				{cases.DirectionOutgoing}}[rng.IntN(3)]}
		if rng.IntN(3) == 0 {
			q.PartnerID = f.orgs[rng.IntN(3)] // sometimes the organisation itself: nothing
		}
		if rng.IntN(3) == 0 {
			q.MineUserID = f.users[org][rng.IntN(2)]
		}
		if rng.IntN(3) == 0 {
			q.State = cases.HandoverStates[rng.IntN(len(cases.HandoverStates))]
		}
		q.Overdue = rng.IntN(3) == 0
		if rng.IntN(3) == 0 {
			before := f.now.Add(-time.Duration(rng.Int64N(40*24)) * time.Hour)
			q.SentBefore = &before
		}
		if i%10 == 0 {
			q.Now = f.all[rng.IntN(len(f.all))].AcceptBy // exactly at someone's deadline
		}
		page, err := f.db.View(ctx).Handovers().FindHandovers(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		var got []string
		for _, r := range page.Records {
			got = append(got, r.ID)
		}
		ids, counts, overdue, total := f.expect(q)
		if !slices.Equal(got, ids) || page.Overdue != overdue || page.Total != total || !maps.Equal(page.Counts, counts) {
			t.Fatalf("query %+v:\n got %d records, counts %v, overdue %d, total %d\nwant %d records, counts %v, overdue %d, total %d\n got %v\nwant %v",
				q, len(got), page.Counts, page.Overdue, page.Total, len(ids), counts, overdue, total, got, ids)
		}
	}
}

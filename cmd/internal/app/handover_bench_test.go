package app

// The coordinator's review of an organisation with 10,000 handovers must
// answer in < 50 ms:
//
//	go test ./cmd/internal/app -run '^$' -bench HandoverReview -benchmem
//
// The handovers are generated straight into the schema (one transaction),
// with topics, consent records and deadlines, in every state, incoming and
// outgoing; the benchmark then drives the real HTTP handlers with a
// coordinator's session.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// seedHandovers writes n handovers of which about 70% are received by
// al-amal and 30% sent by it.
func seedHandovers(b *testing.B, e *benchEnv, n int) {
	b.Helper()
	ctx := context.Background()
	idOf := func(query string, args ...any) int64 {
		var id int64
		if err := e.app.DB.Read.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
		return id
	}
	type org struct{ id, user, programme int64 }
	orgOf := func(slug, username string) org {
		return org{idOf(`SELECT id FROM organisations WHERE slug = ?`, slug),
			idOf(`SELECT id FROM users WHERE username = ?`, username),
			idOf(`SELECT COALESCE(programme_id, 0) FROM users WHERE username = ?`, username)}
	}
	hoop := orgOf("al-amal", "hoop.worker")
	others := []org{orgOf("dock", "dock.worker"), orgOf("buurtteam", "buurtteam.worker"), orgOf("dok030", "bhb.worker")}
	coordID := idOf(`SELECT id FROM users WHERE username = 'hoop.coord'`)
	topics := []int64{}
	rows, err := e.app.DB.Read.QueryContext(ctx, `SELECT id FROM topics`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		topics = append(topics, id)
	}
	rows.Close()
	hood := idOf(`SELECT id FROM neighbourhoods WHERE slug = 'zambesibuurt'`)

	tx, err := e.app.DB.Write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(query string, args ...any) {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
	}
	now := time.Now().UTC()
	// One resident record per organisation per 10 handovers.
	residents := map[int64][]string{}
	for _, o := range append([]org{hoop}, others...) {
		for i := range n/10 + 1 {
			id := uuid.NewString()
			exec(`INSERT INTO persons (pseudonym, created_at) VALUES (NULL, ?)`, cases.FormatTime(now))
			exec(`INSERT INTO residents (id, organisation_id, person_id, given_name, family_name, phone, neighbourhood_id,
				created_by, created_at, updated_at, search_text) VALUES (?, ?, last_insert_rowid(), 'Bench', ?, '06-12345678', ?, ?, ?, ?, '')`,
				id, o.id, fmt.Sprintf("Persoon %d", i), hood, o.user, cases.FormatTime(now), cases.FormatTime(now))
			residents[o.id] = append(residents[o.id], id)
		}
	}
	rng := rand.New(rand.NewPCG(3, 10000))
	// Realistic: recent handovers are in every state, older ones are mostly
	// closed, and about 3% of them got stuck open (overdue).
	recent := []string{"requested", "received", "accepted", "accepted", "contacted", "contacted", "completed", "declined"}
	old := []string{"completed", "completed", "completed", "completed", "completed", "declined", "withdrawn"}
	stuck := []string{"requested", "received", "accepted", "contacted"}
	for i := range n {
		from, to := others[i%len(others)], hoop
		if i%10 < 3 {
			from, to = hoop, others[i%len(others)]
		}
		sent := now.Add(-time.Duration(rng.Int64N(int64(540 * 24 * time.Hour))))
		state := old[rng.IntN(len(old))]
		switch {
		case now.Sub(sent) < 20*24*time.Hour:
			state = recent[rng.IntN(len(recent))]
		case rng.IntN(100) < 3:
			state = stuck[rng.IntN(len(stuck))]
		}
		acceptBy, contactBy := cases.DefaultHandoverLimits.Deadlines(sent)
		stamp := func(after time.Duration) string { return cases.FormatTime(sent.Add(after)) }
		var received, accepted, contacted, completed, declined, withdrawn, assignee any
		reached := map[string]int{"requested": 0, "received": 1, "accepted": 2, "contacted": 3, "completed": 4, "declined": 2, "withdrawn": 1}[state]
		if reached >= 1 {
			received = stamp(3 * time.Hour)
		}
		if reached >= 2 && state != "declined" {
			accepted, assignee = stamp(30*time.Hour), to.user
		}
		if reached >= 3 {
			contacted = stamp(80 * time.Hour)
		}
		switch state {
		case "completed":
			completed = stamp(200 * time.Hour)
		case "declined":
			declined = stamp(40 * time.Hour)
		case "withdrawn":
			withdrawn = stamp(20 * time.Hour)
		}
		urgency := "normal"
		if i%7 == 0 {
			urgency = "urgent"
		}
		id := uuid.NewString()
		res := residents[from.id][rng.IntN(len(residents[from.id]))]
		exec(`INSERT INTO handovers (id, state, from_org_id, from_programme_id, from_user_id, from_resident_id, to_org_id,
			assignee_id, question, urgency, shared_given_name, shared_family_name, shared_phone, shared_story,
			requested_at, received_at, accepted_at, contacted_at, completed_at, declined_at, withdrawn_at, updated_at,
			accept_by, contact_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Hulp bij schulden en regelingen', ?, 'Bench', 'Persoon', '06-12345678',
			'Een verhaal van een paar zinnen over de situatie thuis.', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, state, from.id, nullID(from.programme), from.user, res, to.id, assignee, urgency,
			cases.FormatTime(sent), received, accepted, contacted, completed, declined, withdrawn, stamp(time.Hour),
			cases.FormatTime(acceptBy), cases.FormatTime(contactBy))
		exec(`INSERT INTO handover_consents (handover_id, given, how, given_at, recorded_by, recorded_at,
			scope_name, scope_phone, scope_story) VALUES (?, 1, 'verbal', ?, ?, ?, 1, 1, 1)`,
			id, cases.FormatTime(sent), from.user, cases.FormatTime(sent))
		t1 := topics[rng.IntN(len(topics))]
		exec(`INSERT INTO handover_topics (handover_id, topic_id) VALUES (?, ?)`, id, t1)
		if t2 := topics[rng.IntN(len(topics))]; t2 != t1 {
			exec(`INSERT INTO handover_topics (handover_id, topic_id) VALUES (?, ?)`, id, t2)
		}
	}
	_ = coordID
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := e.app.DB.Write.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func BenchmarkHandoverReview(b *testing.B) {
	const n = 10000
	e := newBenchEnv(b, "hoop.worker", "hoop.coord", "dock.worker", "buurtteam.worker", "bhb.worker")
	seedHandovers(b, e, n)
	coord := e.login(b, "hoop.coord")
	get := func(b *testing.B, target string) {
		req := httptest.NewRequest("GET", target, nil)
		req.AddCookie(coord.cookie)
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	// The organisation really has 10,000 handovers.
	list, err := e.app.Handovers.Find(context.Background(), coord.user.Actor(), cases.HandoverFilter{Limit: 1})
	if err != nil || list.Total != n {
		b.Fatalf("total %v (%v)", list, err)
	}
	// Deep pages cost what the first does: a cursor is a seek in the index
	// of its part of the review order. The walk's cursors, page 40 of 50
	// (into the closed part) and one inside the open part.
	deep := map[int]string{}
	cursor := ""
	for page := 1; page <= 40; page++ {
		l, err := e.app.Handovers.Find(context.Background(), coord.user.Actor(), cases.HandoverFilter{Cursor: cursor})
		if err != nil || l.NextCursor == "" {
			b.Fatalf("page %d: %v", page, err)
		}
		cursor = l.NextCursor
		deep[page] = url.QueryEscape(cursor)
	}
	for _, bc := range []struct{ name, target string }{
		{"api", "/api/v1/handovers"},                                // both directions, first 100, counts
		{"api-overdue", "/api/v1/handovers?overdue=true&limit=500"}, // what is stuck
		{"api-incoming-received", "/api/v1/handovers?direction=incoming&state=received"},
		{"api-page-5", "/api/v1/handovers?cursor=" + deep[4]},
		{"api-page-41", "/api/v1/handovers?cursor=" + deep[40]},
		{"page", "/handovers/review"}, // the coordinator's screen: the open ones, counts
		{"page-all-41", "/handovers/review?state=all&cursor=" + deep[40]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			get(b, bc.target) // warm the caches
			b.ResetTimer()
			for b.Loop() {
				get(b, bc.target)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/review")
		})
	}
}

package app

// Benchmarks of the contact log: creating a contact through the real HTTP
// handler (session cookie, CSRF header, Casbin, SQLite file) beside a raw
// insert of the same rows, so the cost of everything around the insert shows.
//
//	go test ./cmd/internal/app -run '^$' -bench . -benchmem
//
// With BUURTBRUG_TEST_POSTGRES the benchmarks on a database of their own run
// a second time on PostgreSQL (the raw SQLite insert aside).
//
// The ratio of BenchmarkCreateContactHTTP to BenchmarkRawInsertContact is
// what the application adds to the SQLite limit.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// benchEnv is a real instance on a database of its own with the real clock.
type benchEnv struct {
	app    *App
	dbPath string
}

func newBenchEnv(b *testing.B, users ...string) *benchEnv {
	b.Helper()
	dbPath := storagetest.DSN(b, "bench")
	a, err := Open(context.Background(), Config{DBPath: dbPath, Secret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	for _, du := range demo.Users {
		for _, name := range users {
			if du.Username == name {
				if _, err := demo.CreateUser(context.Background(), demoServices(a), du); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return &benchEnv{app: a, dbPath: dbPath}
}

// benchSession is a logged-in API session: the cookie and the CSRF token.
type benchSession struct {
	cookie *http.Cookie
	csrf   string
	user   *cases.User
}

func (e *benchEnv) login(b *testing.B, username string) benchSession {
	b.Helper()
	body := `{"username":"` + username + `","password":"` + demo.Password + `"}`
	req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.app.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("login %s: %d %s", username, rec.Code, rec.Body)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		b.Fatal(err)
	}
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "buurtbrug_session" {
			cookie = c
		}
	}
	if cookie == nil {
		b.Fatal("login set no session cookie")
	}
	u, err := e.app.Users.ByUsername(context.Background(), username)
	if err != nil {
		b.Fatal(err)
	}
	return benchSession{cookie: cookie, csrf: out.CSRFToken, user: u}
}

// createResident registers one resident through the service.
func (e *benchEnv) createResident(b *testing.B, u *cases.User, family string) string {
	b.Helper()
	r, err := e.app.Residents.Create(context.Background(), u.Actor(),
		cases.ResidentInput{GivenName: "Bench", FamilyName: family, Neighbourhood: "zambesibuurt"})
	if err != nil {
		b.Fatal(err)
	}
	return r.ID
}

// benchContactBody is the JSON of a typical contact: two topics, one outcome, a
// short note, a resident on even i and anonymous on odd i.
func benchContactBody(id, residentID string, i int) []byte {
	who := `"anonymous":true`
	if i%2 == 0 {
		who = `"resident_id":"` + residentID + `"`
	}
	return []byte(`{"id":"` + id + `","programme":"hoop","neighbourhood":"zambesibuurt","kind":"deur-aan-deur",` +
		who + `,"topics":["schulden","eenzaamheid"],"outcomes":["informatie-gegeven"],"note":"Gesprek bij de deur."}`)
}

func (s benchSession) contactRequest(target string, body []byte) *http.Request {
	req := httptest.NewRequest("POST", target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", s.csrf)
	req.AddCookie(s.cookie)
	return req
}

// benchStart resets the timer and notes the process's CPU time, so that
// benchReportRate can report CPU per contact beside wall time: on a shared
// machine the wall time moves with the neighbours' load, the CPU much less.
func benchStart(b *testing.B) time.Duration {
	b.ResetTimer()
	return benchCPU()
}

func benchReportRate(b *testing.B, startCPU time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
	b.ReportMetric(float64((benchCPU()-startCPU).Microseconds())/float64(b.N), "cpu-µs/op")
}

// benchCPU is the user and system time of this process so far.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCreateContactHTTP posts contacts to the handler directly (no TCP).
func BenchmarkCreateContactHTTP(b *testing.B) {
	env := newBenchEnv(b, "hoop.worker")
	sess := env.login(b, "hoop.worker")
	residentID := env.createResident(b, sess.user, "Bakker")
	ids := benchUUIDs(b.N)
	b.ReportAllocs()
	start := benchStart(b)
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		env.app.Handler.ServeHTTP(rec, sess.contactRequest("/api/v1/contacts", benchContactBody(ids[i], residentID, i)))
		if rec.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	benchReportRate(b, start)
}

// BenchmarkCreateContactHTTPParallel is the handler under concurrent
// clients (GOMAXPROCS goroutines, or -cpu), all through one writer.
func BenchmarkCreateContactHTTPParallel(b *testing.B) {
	env := newBenchEnv(b, "hoop.worker")
	sess := env.login(b, "hoop.worker")
	residentID := env.createResident(b, sess.user, "Bakker")
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	start := benchStart(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			rec := httptest.NewRecorder()
			env.app.Handler.ServeHTTP(rec, sess.contactRequest("/api/v1/contacts", benchContactBody(uuid.NewString(), residentID, i)))
			if rec.Code != http.StatusCreated {
				b.Errorf("create: %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
	benchReportRate(b, start)
}

// BenchmarkCreateContactTCP posts contacts over a loopback connection
// (keep-alive), as a tablet would.
func BenchmarkCreateContactTCP(b *testing.B) {
	env := newBenchEnv(b, "hoop.worker")
	sess := env.login(b, "hoop.worker")
	residentID := env.createResident(b, sess.user, "Bakker")
	srv := httptest.NewServer(env.app.Handler)
	defer srv.Close()
	client := srv.Client()
	ids := benchUUIDs(b.N)
	b.ReportAllocs()
	start := benchStart(b)
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/contacts", bytes.NewReader(benchContactBody(ids[i], residentID, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", sess.csrf)
		req.AddCookie(sess.cookie)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("create: %d", res.StatusCode)
		}
	}
	benchReportRate(b, start)
}

// benchRawDSN is the writer's DSN of storage.Open, repeated here so the raw
// insert runs with the same pragmas and locking.
func benchRawDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(ON)",
		"temp_store(MEMORY)", "cache_size(-16000)", "wal_autocheckpoint(4000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// BenchmarkRawInsertContact is the SQLite limit: the rows one created contact
// writes (contacts, two contact_topics, one contact_outcomes, audit_log) in a
// BEGIN IMMEDIATE transaction with plain database/sql, on a database of the
// same schema and DSN, without HTTP, validation, session or policy.
//
//   - plain: each statement text parsed on every use, one transaction per contact;
//   - prepared: statements prepared once, one transaction per contact;
//   - batch16: prepared, 16 contacts per transaction, each in a savepoint.
func BenchmarkRawInsertContact(b *testing.B) {
	for _, mode := range []struct {
		name     string
		prepared bool
		batch    int
	}{{"plain", false, 1}, {"prepared", true, 1}, {"batch16", true, 16}} {
		b.Run(mode.name, func(b *testing.B) { benchRawInsert(b, mode.prepared, mode.batch) })
	}
}

func benchRawInsert(b *testing.B, prepared bool, batch int) {
	storagetest.SkipOnPostgres(b, "the raw insert is SQLite's limit")
	env := newBenchEnv(b, "hoop.worker")
	u, err := env.app.Users.ByUsername(context.Background(), "hoop.worker")
	if err != nil {
		b.Fatal(err)
	}
	residentID := env.createResident(b, u, "Bakker")
	env.app.Close() // the raw connection is the only writer
	db, err := sql.Open("sqlite", benchRawDSN(env.dbPath))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var programmeID, hoodID, kindID, topic1, topic2, outcomeID int64
	for _, q := range []struct {
		sql string
		dst *int64
	}{
		{`SELECT id FROM programmes WHERE slug = 'hoop'`, &programmeID},
		{`SELECT id FROM neighbourhoods WHERE slug = 'zambesibuurt'`, &hoodID},
		{`SELECT id FROM contact_kinds WHERE slug = 'deur-aan-deur'`, &kindID},
		{`SELECT id FROM topics WHERE slug = 'schulden'`, &topic1},
		{`SELECT id FROM topics WHERE slug = 'eenzaamheid'`, &topic2},
		{`SELECT id FROM outcomes WHERE slug = 'informatie-gegeven'`, &outcomeID},
	} {
		if err := db.QueryRow(q.sql).Scan(q.dst); err != nil {
			b.Fatalf("%s: %v", q.sql, err)
		}
	}
	const (
		insContact = `INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id, occurred_at,
			neighbourhood_id, kind_id, note, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`
		insTopic   = `INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`
		insOutcome = `INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`
		insAudit   = `INSERT INTO audit_log (at, user_id, username, organisation_id, action, entity, entity_id, detail)
			VALUES (?, ?, ?, ?, 'create', 'contact', ?, '')`
	)
	stmts := map[string]*sql.Stmt{}
	if prepared {
		for _, q := range []string{insContact, insTopic, insOutcome, insAudit, "SAVEPOINT item", "RELEASE item"} {
			if stmts[q], err = db.Prepare(q); err != nil {
				b.Fatal(err)
			}
		}
	}
	exec := func(tx *sql.Tx, q string, args ...any) error {
		var err error
		if st := stmts[q]; st != nil {
			_, err = tx.Stmt(st).Exec(args...)
		} else {
			_, err = tx.Exec(q, args...)
		}
		return err
	}
	insert := func(tx *sql.Tx, i int, id string) error {
		now := cases.FormatTime(time.Now().UTC())
		var resident any
		if i%2 == 0 {
			resident = residentID
		}
		if err := exec(tx, insContact, id, u.OrganisationID, programmeID, u.ID, resident, now, hoodID, kindID,
			"Gesprek bij de deur.", now, now); err != nil {
			return err
		}
		for _, t := range []int64{topic1, topic2} {
			if err := exec(tx, insTopic, id, t); err != nil {
				return err
			}
		}
		if err := exec(tx, insOutcome, id, outcomeID); err != nil {
			return err
		}
		return exec(tx, insAudit, now, u.ID, u.Username, u.OrganisationID, id)
	}
	ids := benchUUIDs(b.N)
	ctx := context.Background()
	b.ReportAllocs()
	start := benchStart(b)
	for i := 0; i < b.N; i += batch {
		err := func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for j := i; j < min(i+batch, b.N); j++ {
				if batch > 1 {
					if err := exec(tx, "SAVEPOINT item"); err != nil {
						return err
					}
				}
				if err := insert(tx, j, ids[j]); err != nil {
					return err
				}
				if batch > 1 {
					if err := exec(tx, "RELEASE item"); err != nil {
						return err
					}
				}
			}
			return tx.Commit()
		}()
		if err != nil {
			b.Fatal(err)
		}
	}
	benchReportRate(b, start)
}

func benchUUIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = uuid.NewString()
	}
	return out
}

// seedRows writes n residents and n contacts for the worker through the
// services, spread over the past weeks.
func (e *benchEnv) seedRows(b *testing.B, u *cases.User, n int) {
	b.Helper()
	ctx := context.Background()
	actor := u.Actor()
	hoods := []string{"zambesibuurt", "themadreven", "3s-dreven", "overig-overvecht"}
	family := []string{"de Boer", "El Idrissi", "Yilmaz", "van der Linden", "Bakker", "Ouali", "Kaya", "Jansen"}
	now := time.Now()
	for i := range n {
		r, err := e.app.Residents.Create(ctx, actor, cases.ResidentInput{
			GivenName: "Bench" + strconv.Itoa(i), FamilyName: family[i%len(family)], Neighbourhood: hoods[i%len(hoods)],
			Phone: fmt.Sprintf("06-%08d", i)})
		if err != nil {
			b.Fatal(err)
		}
		in := cases.ContactInput{ID: uuid.NewString(), Programme: "hoop", Neighbourhood: hoods[i%len(hoods)],
			Kind: "deur-aan-deur", ResidentID: r.ID, Topics: []string{"schulden"},
			OccurredAt: now.Add(-time.Duration(i) * time.Minute).UTC().Format(time.RFC3339)}
		if _, _, err := e.app.Contacts.Create(ctx, actor, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindResidents searches 3,000 records through the handler.
func BenchmarkFindResidents(b *testing.B) {
	env := newBenchEnv(b, "hoop.worker")
	sess := env.login(b, "hoop.worker")
	env.seedRows(b, sess.user, 3000)
	for _, q := range []string{"", "bakker", "bench12"} {
		b.Run("q="+q, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", "/api/v1/residents?q="+q, nil)
				req.AddCookie(sess.cookie)
				rec := httptest.NewRecorder()
				env.app.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("find: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkFindContacts lists the newest contacts of 3,000 through the handler.
func BenchmarkFindContacts(b *testing.B) {
	env := newBenchEnv(b, "hoop.worker")
	sess := env.login(b, "hoop.worker")
	env.seedRows(b, sess.user, 3000)
	from := time.Now().Add(-24 * time.Hour).UTC().Format(time.DateOnly)
	for _, q := range []string{"", "?limit=500", "?mine=true&from=" + from} {
		b.Run("query="+strings.TrimPrefix(q, "?"), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", "/api/v1/contacts"+q, nil)
				req.AddCookie(sess.cookie)
				rec := httptest.NewRecorder()
				env.app.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("find: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

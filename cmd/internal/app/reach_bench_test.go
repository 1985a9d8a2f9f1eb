package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
)

// The reach benchmarks run on the city-scale dataset of issue 4 (a million
// contacts, 200,000 persons, 5 programmes, 12 neighbourhoods, 2024–2025).
// Generating it takes a few minutes, so make it once with
//
//	go run ./cmd/buurtbrug gen --db /tmp/city.db
//
// and point BUURTBRUG_REACH_DB at it:
//
//	BUURTBRUG_REACH_DB=/tmp/city.db go test ./cmd/internal/app -run '^$' -bench Reach -benchtime 20x
//
// On PostgreSQL: move it there (buurtbrug migrate-to-postgres --from
// /tmp/city.db --to postgres://.../city) and give the URL, with the city's
// secret in BUURTBRUG_SECRET (the contents of /tmp/city.db.secret).
//
// Without it the benchmarks generate the dataset themselves (not with -short).

var (
	reachBenchOnce sync.Once
	reachBenchPath string
	reachBenchErr  error
)

// reachBenchDB returns the path of the benchmark dataset, made when needed.
func reachBenchDB(b *testing.B) string {
	b.Helper()
	reachBenchOnce.Do(func() {
		if reachBenchPath = os.Getenv("BUURTBRUG_REACH_DB"); reachBenchPath != "" {
			return
		}
		if testing.Short() {
			reachBenchErr = errSkip
			return
		}
		dir, err := os.MkdirTemp("", "buurtbrug-reach-bench")
		if err != nil {
			reachBenchErr = err
			return
		}
		reachBenchPath = filepath.Join(dir, "city.db")
		a, err := Open(context.Background(), Config{DBPath: reachBenchPath})
		if err != nil {
			reachBenchErr = err
			return
		}
		defer a.Close()
		_, reachBenchErr = storage.Generate(context.Background(), a.DB, storage.CityScale(), func(s string) { b.Log(s) })
	})
	if reachBenchErr == errSkip {
		b.Skip("set BUURTBRUG_REACH_DB or run without -short")
	}
	if reachBenchErr != nil {
		b.Fatal(reachBenchErr)
	}
	return reachBenchPath
}

func reachBenchApp(b *testing.B) *App {
	b.Helper()
	a, err := Open(context.Background(), Config{DBPath: reachBenchDB(b), Secret: os.Getenv("BUURTBRUG_SECRET")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

type skipError struct{}

func (skipError) Error() string { return "skip" }

var errSkip error = skipError{}

var year2024 = cases.Period{Year: 2024, Kind: cases.Year}

// reachBenchCopy copies the benchmark database with its secret, so that
// releases made by a benchmark do not stay in it. A SQLite file only: the
// benchmarks that publish skip on a PostgreSQL URL.
func reachBenchCopy(b *testing.B, src string) string {
	b.Helper()
	if _, ok := storage.FilePath(src); !ok {
		b.Skip("publishing benchmarks copy a SQLite file; give BUURTBRUG_REACH_DB a file")
	}
	dst := filepath.Join(b.TempDir(), "city.db")
	for _, suffix := range []string{"", ".secret"} {
		data, err := os.ReadFile(src + suffix)
		if err != nil && suffix == "" {
			b.Fatal(err)
		} else if err == nil {
			if err := os.WriteFile(dst+suffix, data, 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dst
}

// publishEarlier publishes every quarter and half-year of 2024, as the
// monitor would through the year, so a release of the year is protected
// against all six.
func publishEarlier(b *testing.B, a *App) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	for _, p := range []cases.Period{{Year: 2024, Kind: cases.Quarter, N: 1}, {Year: 2024, Kind: cases.Quarter, N: 2},
		{Year: 2024, Kind: cases.Half, N: 1}, {Year: 2024, Kind: cases.Quarter, N: 3}, {Year: 2024, Kind: cases.Quarter, N: 4},
		{Year: 2024, Kind: cases.Half, N: 2}} {
		if _, err := a.Reach.Publish(ctx, cases.System, p); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("published the quarters and halves of 2024 in %v", time.Since(start).Round(time.Millisecond))
}

// BenchmarkReachPublishYear publishes 2024 (a draft made and published:
// counts read, protection against the six earlier releases with its
// audit, tables built and stored) on a copy of the database on which the
// quarters and halves were published first. Run it with -benchtime 1x.
func BenchmarkReachPublishYear(b *testing.B) {
	prepared := reachBenchCopy(b, reachBenchDB(b))
	a, err := Open(context.Background(), Config{DBPath: prepared})
	if err != nil {
		b.Fatal(err)
	}
	publishEarlier(b, a)
	a.Close()
	hidden := -1.0
	for b.Loop() {
		b.StopTimer()
		a, err := Open(context.Background(), Config{DBPath: reachBenchCopy(b, prepared)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := a.Reach.Publish(context.Background(), cases.System, year2024); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if hidden < 0 {
			// The seven releases of the year audited together, apart from
			// the engine's own audit of each, and what they hid.
			res, err := a.Reach.AuditYear(context.Background(), 2024)
			if err != nil {
				b.Fatal(err)
			}
			hidden = 100 * res.Loss["all"].Share()
			b.Logf("%d releases, %d suppressed cells, every one shown safe; hidden: %v", res.Releases, len(res.Summary.Ranges), res.Loss)
		}
		a.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/publish")
	b.ReportMetric(hidden, "%hidden")
}

// benchPublished is an app on a copy of the benchmark database with 2024
// published.
func benchPublished(b *testing.B) *App {
	b.Helper()
	a, err := Open(context.Background(), Config{DBPath: reachBenchCopy(b, reachBenchDB(b))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.Reach.Publish(context.Background(), cases.System, year2024); err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkReachYearT1T2 answers a year's published T1 (programme ×
// period: reached, helped, moments for the year, its halves and quarters)
// and T2 (programme × neighbourhood) as stored, decoded from the database
// each time (no tables kept in memory): what a first request costs.
func BenchmarkReachYearT1T2(b *testing.B) {
	a := benchPublished(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		a.Reach.ForgetTables()
		for _, table := range []string{cases.TableProgrammePeriod, cases.TableProgrammeHood} {
			if _, err := a.Reach.Table(ctx, cases.MonitorViewer, cases.ReachQuery{Period: year2024, Table: table}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/T1+T2")
}

// BenchmarkReachYearT1T2HTTP is the same through the router with a monitor
// token, JSON encoding included, cold (tables decoded from the database)
// and warm (kept in memory).
func BenchmarkReachYearT1T2HTTP(b *testing.B) {
	a := benchPublished(b)
	ctx := context.Background()
	_, secret, err := a.Tokens.Create(ctx, cases.System, cases.ReachTokenInput{Name: "bench " + time.Now().String()})
	if err != nil {
		b.Fatal(err)
	}
	for _, cold := range []bool{true, false} {
		name := map[bool]string{true: "cold", false: "warm"}[cold]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if cold {
					a.Reach.ForgetTables()
				}
				for _, table := range []string{"T1", "T2"} {
					req := httptest.NewRequest("GET", "/api/v1/reach?period=2024&table="+table, nil)
					req.Header.Set("Authorization", "Bearer "+secret)
					w := httptest.NewRecorder()
					a.Handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", table, w.Code, w.Body)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/T1+T2")
		})
	}
}

// BenchmarkReachCountDistinct is the plain scan the facts replace, in the
// same run: distinct persons per programme and all together for one year
// (T1's reached column for the year alone, no breakdowns).
func BenchmarkReachCountDistinct(b *testing.B) {
	a := reachBenchApp(b)
	ctx := context.Background()
	from, to := cases.FormatTime(year2024.Start()), cases.FormatTime(year2024.End())
	b.ResetTimer()
	for b.Loop() {
		rows, err := a.DB.Read.QueryContext(ctx, `SELECT c.programme_id, COUNT(DISTINCT r.person_id)
			FROM contacts c JOIN residents r ON r.id = c.resident_id
			WHERE c.occurred_at >= ? AND c.occurred_at < ? AND c.voided_at IS NULL GROUP BY c.programme_id`, from, to)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		var all int
		if err := a.DB.Read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT r.person_id)
			FROM contacts c JOIN residents r ON r.id = c.resident_id
			WHERE c.occurred_at >= ? AND c.occurred_at < ? AND c.voided_at IS NULL`, from, to).Scan(&all); err != nil {
			b.Fatal(err)
		}
		if n == 0 || all == 0 {
			b.Fatal("no contacts in 2024")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
}

// BenchmarkReachCountDistinctRecords is the cheapest plain scan, for scale:
// distinct resident records (not persons: no join) per programme in a year.
func BenchmarkReachCountDistinctRecords(b *testing.B) {
	a := reachBenchApp(b)
	ctx := context.Background()
	from, to := cases.FormatTime(year2024.Start()), cases.FormatTime(year2024.End())
	b.ResetTimer()
	for b.Loop() {
		rows, err := a.DB.Read.QueryContext(ctx, `SELECT programme_id, COUNT(DISTINCT resident_id) FROM contacts
			WHERE occurred_at >= ? AND occurred_at < ? AND voided_at IS NULL GROUP BY programme_id`, from, to)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
}

// BenchmarkReachCreateContact is the cost the facts add to logging a
// contact: the contact service with its reach refresh, on the city-scale
// database.
func BenchmarkReachCreateContact(b *testing.B) {
	a := reachBenchApp(b)
	ctx := context.Background()
	u, err := a.Users.ByUsername(ctx, "hoop.worker")
	if err != nil {
		b.Fatal(err)
	}
	actor := u.Actor()
	r, err := a.Residents.Create(ctx, actor, cases.ResidentInput{GivenName: "Bench", FamilyName: "Meting", Neighbourhood: "zambesibuurt"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		in := cases.ContactInput{ID: uuid.NewString(), Programme: "hoop", Neighbourhood: "zambesibuurt", Kind: "spreekuur",
			ResidentID: r.ID, Topics: []string{"schulden"}, Outcomes: []string{"betalingsregeling"}}
		if _, _, err := a.Contacts.Create(ctx, actor, in); err != nil {
			b.Fatal(err)
		}
	}
}

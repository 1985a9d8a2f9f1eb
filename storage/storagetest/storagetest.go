// Package storagetest gives the tests of storage, cases and the end-to-end
// harness a fresh database of the engine under test. `go test ./...` tests
// on SQLite; with BUURTBRUG_TEST_POSTGRES set to the URL of a PostgreSQL
// server (a user that may create databases), Main runs a package's tests a
// second time on PostgreSQL, each test on a database of its own that it
// creates and drops. It imports nothing of storage, so storage's own tests
// use it too.
package storagetest

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgres names the server to test on PostgreSQL against.
const EnvPostgres = "BUURTBRUG_TEST_POSTGRES"

// onPostgres is set while the second run of Main tests on PostgreSQL.
var onPostgres atomic.Bool

// Main runs the tests on SQLite and then, when EnvPostgres is set, those
// that opened a database again on PostgreSQL; it exits with the worse of
// the two runs. migrate (storage.Open and Close) makes the template that
// each test's database is copied from, so that no test waits for the
// migrations.
func Main(m *testing.M, migrate func(ctx context.Context, dsn string) error) {
	template.migrate = migrate
	code := m.Run()
	if names := usedDatabase(); os.Getenv(EnvPostgres) != "" && len(names) > 0 {
		fmt.Printf("=== the %d tests that use a database again, on PostgreSQL (%s)\n", len(names), EnvPostgres)
		only := "^(" + strings.Join(names, "|") + ")$"
		_ = flag.Set("test.run", only)
		if bench := flag.Lookup("test.bench"); bench != nil && bench.Value.String() != "" {
			_ = flag.Set("test.bench", only)
		}
		onPostgres.Store(true)
		code = max(code, m.Run())
		dropTemplate()
		closeServer()
	}
	os.Exit(code)
}

// users are the top-level tests and benchmarks that asked for a database.
var users struct {
	sync.Mutex
	names map[string]bool
}

func usedDatabase() []string {
	users.Lock()
	defer users.Unlock()
	out := make([]string, 0, len(users.names))
	for n := range users.names {
		out = append(out, regexp.QuoteMeta(n))
	}
	slices.Sort(out)
	return out
}

// Postgres reports whether the tests run on PostgreSQL now.
func Postgres() bool { return onPostgres.Load() }

// SkipOnPostgres skips a test of something only SQLite has (its files,
// WAL and pragmas).
func SkipOnPostgres(t testing.TB, what string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + what)
	}
}

// DSN is a new database for t, removed when t ends: a file named name in
// t's temporary folder, or a database on the PostgreSQL server with the
// newest schema (that storage.Open finds up to date).
func DSN(t testing.TB, name string) string {
	t.Helper()
	// Read during the tests, so that go test's cache knows the result
	// depends on it (Main reads it outside them).
	base := os.Getenv(EnvPostgres)
	if !Postgres() {
		used(t)
		return filepath.Join(t.TempDir(), name+".db")
	}
	dsn, drop, err := createDatabase(base)
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(drop)
	return dsn
}

// EmptyPostgres is a new PostgreSQL database without any table, removed
// when t ends. On the SQLite run it skips t, which then runs on the
// PostgreSQL run.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if !Postgres() {
		used(t)
		t.Skip("needs PostgreSQL: runs again with " + EnvPostgres)
	}
	name := fmt.Sprintf("buurtbrug_test_%d_%d", os.Getpid(), databases.Add(1))
	dsn, err := withDatabase(base, name)
	if err == nil {
		err = onServer(base, `CREATE DATABASE `+name)
	}
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() { dropDatabase(base, name) })
	return dsn
}

// used notes that t's top-level test uses a database.
func used(t testing.TB) {
	users.Lock()
	defer users.Unlock()
	if users.names == nil {
		users.names = map[string]bool{}
	}
	root, _, _ := strings.Cut(t.Name(), "/")
	users.names[root] = true
}

func dropDatabase(base, name string) {
	if err := onServer(base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		fmt.Fprintf(os.Stderr, "storagetest: dropping %s: %v\n", name, err)
	}
}

var (
	server struct {
		sync.Mutex
		conn *pgx.Conn
	}
	databases atomic.Int64
)

// template is the migrated database the tests' databases are copies of,
// one per test process, made on first use.
var template struct {
	once    sync.Once
	name    string
	err     error
	base    string
	migrate func(ctx context.Context, dsn string) error
}

func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func makeTemplate(base string) error {
	template.once.Do(func() {
		template.base = base
		name := fmt.Sprintf("buurtbrug_test_%d_template", os.Getpid())
		dsn, err := withDatabase(base, name)
		if err == nil {
			err = onServer(base, `CREATE DATABASE `+name)
		}
		if err == nil {
			template.name = name
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err = template.migrate(ctx, dsn)
		}
		template.err = err
	})
	return template.err
}

func dropTemplate() {
	if template.name != "" {
		dropDatabase(template.base, template.name)
	}
}

// createDatabase makes a database on the server and returns its URL and
// what drops it (with any connection a test left open).
func createDatabase(base string) (string, func(), error) {
	if err := makeTemplate(base); err != nil {
		return "", nil, fmt.Errorf("the template database: %w", err)
	}
	name := fmt.Sprintf("buurtbrug_test_%d_%d", os.Getpid(), databases.Add(1))
	dsn, err := withDatabase(base, name)
	if err != nil {
		return "", nil, err
	}
	if err := onServer(base, `CREATE DATABASE `+name+` TEMPLATE `+template.name+` STRATEGY FILE_COPY`); err != nil {
		return "", nil, err
	}
	return dsn, func() { dropDatabase(base, name) }, nil
}

// onServer runs one statement on the server's connection, made on first
// use; statements run one at a time, as CREATE DATABASE must.
func onServer(base, stmt string) error {
	server.Lock()
	defer server.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if server.conn == nil || server.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return fmt.Errorf("connecting to %s: %w", EnvPostgres, err)
		}
		server.conn = conn
	}
	_, err := server.conn.Exec(ctx, stmt)
	return err
}

func closeServer() {
	server.Lock()
	defer server.Unlock()
	if server.conn != nil {
		server.conn.Close(context.Background())
		server.conn = nil
	}
}

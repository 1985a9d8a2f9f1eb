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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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

// Main runs the tests on SQLite and then, when EnvPostgres is set, again on
// PostgreSQL; it exits with the worse of the two.
func Main(m *testing.M) {
	code := m.Run()
	if os.Getenv(EnvPostgres) != "" {
		fmt.Println("=== the same tests on PostgreSQL (" + EnvPostgres + ")")
		onPostgres.Store(true)
		code = max(code, m.Run())
		closeServer()
	}
	os.Exit(code)
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

// DSN is a new, empty database for t, removed when t ends: a file named
// name in t's temporary folder, or a database on the PostgreSQL server.
func DSN(t testing.TB, name string) string {
	t.Helper()
	// Read during the tests, so that go test's cache knows the result
	// depends on it (Main reads it outside them).
	base := os.Getenv(EnvPostgres)
	if !Postgres() {
		return filepath.Join(t.TempDir(), name+".db")
	}
	dsn, drop, err := createDatabase(base)
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(drop)
	return dsn
}

var (
	server struct {
		sync.Mutex
		conn *pgx.Conn
	}
	databases atomic.Int64
)

// createDatabase makes a database on the server and returns its URL and
// what drops it (with any connection a test left open).
func createDatabase(base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	name := fmt.Sprintf("buurtbrug_test_%d_%d", os.Getpid(), databases.Add(1))
	if err := onServer(base, `CREATE DATABASE `+name); err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		if err := onServer(base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "storagetest: dropping %s: %v\n", name, err)
		}
	}
	return u.String(), drop, nil
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

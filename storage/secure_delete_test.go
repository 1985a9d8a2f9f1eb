package storage

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestSecureDeleteOnEveryConnection: the writer and every reader held at
// once have secure_delete on (pragmas in the DSN, not set on one
// connection), and a row deleted leaves nothing of its value in the
// database file, nor in the WAL once that is emptied. The erasure of a
// resident relies on it.
func TestSecureDeleteOnEveryConnection(t *testing.T) {
	storagetest.SkipOnPostgres(t, "secure_delete is SQLite's")
	db, path := openTestDBFile(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`CREATE TABLE secure_test (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	var conns []*sql.Conn
	for i := range 5 {
		pool := db.Read
		if i == 0 {
			pool = db.Write
		}
		c, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var on int
		if err := c.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil || on != 1 {
			t.Errorf("connection %d (0: the writer): secure_delete %d (%v), want 1", i, on, err)
		}
		c.Close()
	}
	marker := "VERWIJDERD-" + strings.Repeat("x", 64)
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO secure_test (v) VALUES (?)`, marker); err != nil {
		t.Fatal(err)
	}
	db.emptyWAL()
	if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte(marker)) {
		t.Fatal("the value never reached the file: the test would prove nothing")
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM secure_test`); err != nil {
		t.Fatal(err)
	}
	db.emptyWAL()
	for _, f := range []string{path, path + "-wal"} {
		if data, err := os.ReadFile(f); err == nil && bytes.Contains(data, []byte(marker)) {
			t.Errorf("%s still holds the deleted value", f)
		}
	}
}

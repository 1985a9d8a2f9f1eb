package storage

import (
	"context"
	"testing"

	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestMain runs the tests on SQLite and, with BUURTBRUG_TEST_POSTGRES, on
// PostgreSQL too.
func TestMain(m *testing.M) { storagetest.Main(m, migrateNew) }

// migrateNew makes the schema of a new database.
func migrateNew(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	return db.Close()
}

// beginTx starts a write transaction beside the writer, for tests that
// write rows the way a bulk tool or an older version would. Nothing else
// may write meanwhile: the single connection waits for it.
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	sqlTx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	return db.newTx(sqlTx, nil), nil
}

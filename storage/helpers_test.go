package storage

import "context"

// beginTx starts a write transaction beside the writer, for tests that
// write rows the way a bulk tool or an older version would. Nothing else
// may write meanwhile: the single connection waits for it.
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	sqlTx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return db.newTx(sqlTx, nil), nil
}

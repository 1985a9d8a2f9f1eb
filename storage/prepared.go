package storage

import (
	"database/sql"
	"fmt"
)

// hotStatements are prepared once on the writer connection when the
// database opens: the driver keeps a prepared statement compiled, so the
// writes of every logged contact skip SQLite's parser, which otherwise costs
// about as much as the inserts themselves.
var hotStatements = []string{
	auditInsert,
	contactInsert,
	contactTopicInsert,
	contactOutcomeInsert,
	contactOrganisation,
	savepointBegin,
	savepointRelease,
	savepointRollback,
}

// stmtCache holds the prepared hot statements. It is filled in Open, before
// any transaction, and only read afterwards: preparing on the single writer
// connection while a transaction holds it would wait forever.
type stmtCache struct {
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) prepare(db *sql.DB, queries []string) error {
	c.stmts = make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		st, err := db.Prepare(q)
		if err != nil {
			c.close()
			return fmt.Errorf("storage: preparing %q: %w", q, err)
		}
		c.stmts[q] = st
	}
	return nil
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// execPrepared runs query in tx, prepared when it is one of hotStatements
// and as a plain statement otherwise.
func (tx *Tx) execPrepared(query string, args ...any) (sql.Result, error) {
	if st := tx.hot(query); st != nil {
		return st.Exec(args...)
	}
	return tx.Exec(query, args...)
}

// hot returns query's prepared statement bound to tx, or nil when query is
// not one of hotStatements. Binding allocates, so it is done once per
// transaction; database/sql closes the bound statements when tx ends.
func (tx *Tx) hot(query string) *sql.Stmt {
	st := tx.db.stmts.stmts[query]
	if st == nil {
		return nil
	}
	if tx.bound == nil {
		return tx.Stmt(st)
	}
	b := tx.bound[query]
	if b == nil {
		b = tx.Stmt(st)
		tx.bound[query] = b
	}
	return b
}

// queryRowPrepared is execPrepared for a query of one row.
func (tx *Tx) queryRowPrepared(query string, args ...any) *sql.Row {
	if st := tx.hot(query); st != nil {
		return st.QueryRow(args...)
	}
	return tx.QueryRow(query, args...)
}

package storage

import (
	"context"
	"database/sql"

	"github.com/buurtbrug/buurtbrug/cases"
)

// queryer is what repositories run SQL on: the read pool or a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn is where a repository reads and, inside a transaction, writes: q is
// the read pool or the transaction, tx is nil on the read pool. The
// repositories are small types around it, one per table group.
type conn struct {
	db *DB
	q  queryer
	tx *Tx
}

var _ cases.View = conn{}

func (tx *Tx) conn() conn { return conn{db: tx.db, q: tx.Tx, tx: tx} }

// Reference returns the cached reference data.
func (c conn) Reference(context.Context) (*cases.Reference, error) { return c.db.ref.get(), nil }

func (c conn) Residents() cases.ResidentReader { return residents{c} }
func (c conn) Contacts() cases.ContactReader   { return contacts{c} }
func (c conn) Handovers() cases.HandoverReader { return handovers{c} }
func (c conn) Users() cases.UserReader         { return users{c} }
func (c conn) Sessions() cases.SessionReader   { return sessions{c} }
func (c conn) Reach() cases.ReachReader        { return reach{c} }
func (c conn) Tokens() cases.TokenReader       { return tokens{c} }
func (c conn) Audit() cases.AuditReader        { return auditLog{c} }
func (c conn) Notices() cases.NoticeReader     { return notices{c} }
func (c conn) Outbox() cases.OutboxReader      { return outbox{c} }
func (c conn) Partners() cases.PartnerReader   { return partners{c} }

func (tx *Tx) References() cases.ReferenceRepo { return references{tx.conn()} }
func (tx *Tx) Residents() cases.ResidentRepo   { return residents{tx.conn()} }
func (tx *Tx) Contacts() cases.ContactRepo     { return contacts{tx.conn()} }
func (tx *Tx) Handovers() cases.HandoverRepo   { return handovers{tx.conn()} }
func (tx *Tx) Users() cases.UserRepo           { return users{tx.conn()} }
func (tx *Tx) Sessions() cases.SessionRepo     { return sessions{tx.conn()} }
func (tx *Tx) Reach() cases.ReachRepo          { return reach{tx.conn()} }
func (tx *Tx) Tokens() cases.TokenRepo         { return tokens{tx.conn()} }
func (tx *Tx) Notices() cases.NoticeRepo       { return notices{tx.conn()} }
func (tx *Tx) Outbox() cases.OutboxRepo        { return outbox{tx.conn()} }
func (tx *Tx) Partners() cases.PartnerRepo     { return partners{tx.conn()} }

// scanner is a row or rows.
type scanner interface{ Scan(dest ...any) error }

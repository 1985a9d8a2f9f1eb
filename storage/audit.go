package storage

import (
	"context"
	"strconv"

	"github.com/buurtbrug/buurtbrug/cases"
)

// AuditLog reads and appends the audit log outside other transactions
// (logins, page reads). Use cases write theirs inside their own transaction.
type AuditLog struct{ db *DB }

// NewAuditLog returns the log.
func NewAuditLog(db *DB) *AuditLog { return &AuditLog{db: db} }

// Append writes one line.
func (a *AuditLog) Append(ctx context.Context, actor cases.Actor, action, entity, entityID, detail string) error {
	return a.db.inTx(ctx, func(tx *Tx) error { return tx.audit(actor, action, entity, entityID, detail) })
}

// Entries returns the newest lines, optionally for one entity.
func (a *AuditLog) Entries(ctx context.Context, entity, entityID string, limit int) ([]cases.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	query := `SELECT at, COALESCE(user_id, 0), username, COALESCE(organisation_id, 0), action, entity, entity_id, detail
		FROM audit_log WHERE (? = '' OR entity = ?) AND (? = '' OR entity_id = ?) ORDER BY id DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := a.db.Read.QueryContext(ctx, query, entity, entity, entityID, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.AuditEntry
	for rows.Next() {
		var e cases.AuditEntry
		var at string
		if err := rows.Scan(&at, &e.UserID, &e.Username, &e.OrganisationID, &e.Action, &e.Entity, &e.EntityID, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = cases.ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

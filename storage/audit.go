package storage

import (
	"context"

	"github.com/buurtbrug/buurtbrug/cases"
)

// auditLog reads the append-only audit log; lines are written by Tx.Audit.
type auditLog struct{ conn }

func (a auditLog) AuditEntries(ctx context.Context, entity, entityID string, limit int) ([]cases.AuditEntry, error) {
	rows, err := a.q.QueryContext(ctx, `SELECT at, COALESCE(user_id, 0), username, COALESCE(organisation_id, 0), action,
		entity, entity_id, detail FROM audit_log WHERE (? = '' OR entity = ?) AND (? = '' OR entity_id = ?)
		ORDER BY id DESC LIMIT ?`, entity, entity, entityID, entityID, limit)
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

package storage

import (
	"context"

	"github.com/buurtbrug/buurtbrug/cases"
)

// privacy stores the organisations' retention and consent periods.
type privacy struct{ conn }

func (c conn) Privacy() cases.PrivacyReader { return privacy{c} }
func (tx *Tx) Privacy() cases.PrivacyRepo   { return privacy{tx.conn()} }

func (p privacy) PrivacySettings(ctx context.Context) (map[int64]cases.PrivacySettings, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT organisation_id, retention_months, consent_months FROM organisation_privacy`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]cases.PrivacySettings{}
	for rows.Next() {
		var id int64
		var s cases.PrivacySettings
		if err := rows.Scan(&id, &s.RetentionMonths, &s.ConsentMonths); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

func (p privacy) SetPrivacySettings(ctx context.Context, orgID int64, s cases.PrivacySettings) error {
	_, err := p.q.ExecContext(ctx, `INSERT INTO organisation_privacy (organisation_id, retention_months, consent_months,
		updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id) DO UPDATE SET
		retention_months = excluded.retention_months, consent_months = excluded.consent_months,
		updated_at = excluded.updated_at`, orgID, s.RetentionMonths, s.ConsentMonths, cases.FormatTime(p.tx.now))
	return err
}

package storage

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// BenchmarkReachContactWrite is what the reach facts add to logging a
// contact: a write transaction with the contact, a topic and an outcome,
// with the reach refresh ("refresh") or without it (the pending marks
// cleared instead, "none"). "repeat" is a resident seen before in the
// period (only the moment counter moves), "new" one seen for the first time
// (six facts and their counters), "anonymous" a contact without resident.
func BenchmarkReachContactWrite(b *testing.B) {
	now := time.Date(2024, 7, 20, 12, 0, 0, 0, time.UTC)
	for _, mode := range []string{"repeat", "new", "anonymous"} {
		for _, refresh := range []bool{false, true} {
			name := mode + "/none"
			if refresh {
				name = mode + "/refresh"
			}
			b.Run(name, func(b *testing.B) {
				f := newReachFixture(&testing.T{}, now)
				b.Cleanup(func() { f.db.Close() })
				ctx := context.Background()
				actor := f.actors[0]
				r, err := f.residents.Create(ctx, actor, cases.ResidentInput{GivenName: "A", FamilyName: "B", BirthYear: 1980})
				if err != nil {
					b.Fatal(err)
				}
				var progID int64
				f.db.Read.QueryRow(`SELECT id FROM programmes WHERE slug = 'hoop'`).Scan(&progID)
				for b.Loop() {
					tx, err := f.db.beginTx(ctx)
					if err != nil {
						b.Fatal(err)
					}
					resident := any(r.ID)
					switch mode {
					case "new":
						var pid int64
						if err := tx.QueryRow(`INSERT INTO persons (created_at) VALUES ('2024-07-20T12:00:00.000Z')
							RETURNING id`).Scan(&pid); err != nil {
							b.Fatal(err)
						}
						id := uuid.NewString()
						if _, err := tx.Exec(`INSERT INTO residents (id, organisation_id, person_id, birth_year, created_by,
							created_at, updated_at) VALUES (?, ?, ?, 1990, ?, '', '')`, id, actor.OrganisationID, pid, actor.UserID); err != nil {
							b.Fatal(err)
						}
						resident = id
					case "anonymous":
						resident = nil
					}
					id := uuid.NewString()
					if _, err := tx.Exec(`INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id,
						occurred_at, neighbourhood_id, kind_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)`,
						id, actor.OrganisationID, progID, actor.UserID, resident, cases.FormatTime(now.Add(-time.Hour)),
						cases.FormatTime(now), cases.FormatTime(now)); err != nil {
						b.Fatal(err)
					}
					tx.Exec(`INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, 2)`, id)
					tx.Exec(`INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, 3)`, id)
					if refresh {
						err = tx.refreshReach()
					} else {
						_, err = tx.Exec(`DELETE FROM reach_dirty_contacts`)
						if err == nil {
							_, err = tx.Exec(`DELETE FROM reach_dirty_persons`)
						}
					}
					if err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

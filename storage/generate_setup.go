package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The generator's set-up: the programmes and reference data it writes for.

// bulk runs fn in a transaction of its own on the writer connection.
func (db *DB) bulk(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func sortedIDs(m map[string]int64) []int64 {
	out := make([]int64, 0, len(m))
	for _, id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// genHoods are made-up extra neighbourhoods for a city-scale dataset.
var genHoods = []string{"Vechtzoom", "Tigrisdreef e.o.", "Taagdreef e.o.", "Poldergebied", "Neckardreef e.o.",
	"Wolgadreef e.o.", "Bedrijventerrein Overvecht", "Zamenhofdreef e.o.", "Kopenhagendreef e.o.", "Overvecht-Noord"}

// genProgramme is a programme the generator writes contacts for.
type genProgramme struct {
	id, orgID, workerID int64
	slug                string
}

// genProgrammes are the active programmes with a worker, each with its
// first worker.
func (db *DB) genProgrammes(ctx context.Context) ([]genProgramme, error) {
	rows, err := db.Write.QueryContext(ctx, `SELECT p.id, p.organisation_id, MIN(u.id), p.slug FROM programmes p
		JOIN users u ON u.programme_id = p.id JOIN user_roles r ON r.user_id = u.id AND r.role = ?
		WHERE p.active GROUP BY p.id ORDER BY p.id`, cases.RoleWorker)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []genProgramme
	for rows.Next() {
		var p genProgramme
		if err := rows.Scan(&p.id, &p.orgID, &p.workerID, &p.slug); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, errors.New("storage: generate: no programme has a worker")
	}
	return out, rows.Err()
}

// ensureNeighbourhoods extends the neighbourhoods to n.
func (db *DB) ensureNeighbourhoods(ctx context.Context, n int) error {
	var have int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM neighbourhoods`).Scan(&have); err != nil {
		return err
	}
	for i := 0; have < n && i < len(genHoods); i++ {
		slug := fmt.Sprintf("gen-buurt-%d", i+1)
		res, err := db.Write.ExecContext(ctx, `INSERT INTO neighbourhoods (slug, name_nl, name_en, sort)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, slug, genHoods[i], genHoods[i], 10+i)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			have++
		}
	}
	return db.ref.load(ctx, db.Read)
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// GenSpec sizes a generated reach dataset. All of it is made up.
type GenSpec struct {
	Persons  int
	Contacts int
	// Neighbourhoods the reference data is extended to (at least the
	// seeded ones are kept).
	Neighbourhoods int
	// Start is the first instant; contacts spread over Years years.
	Start time.Time
	Years int
	Seed  uint64
	// AnonymousShare of the contacts have no resident; VoidShare are voided.
	AnonymousShare, VoidShare float64
}

// CityScale is the dataset of the speed requirement of issue 4: a million
// contacts of 200,000 persons in 5 programmes and 12 neighbourhoods over two
// years.
func CityScale() GenSpec {
	return GenSpec{Persons: 200_000, Contacts: 1_000_000, Neighbourhoods: 12,
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, cases.Amsterdam), Years: 2, Seed: 1,
		AnonymousShare: 0.05, VoidShare: 0.01}
}

// GroundTruth is what the generator knows it wrote: per period and
// programme slug (cases.AllProgrammes for all together), the distinct persons
// reached and helped and the contact moments.
type GroundTruth struct {
	Reached, Helped, Moments map[string]map[string]int
	// Sum is, per period, the sum of the programmes' reached persons: more
	// than the union whenever persons are in several programmes.
	Sum map[string]int
}

// bitset is a set of person numbers.
type bitset []uint64

func (b bitset) add(i int) bool {
	w, m := i/64, uint64(1)<<(i%64)
	had := b[w]&m != 0
	b[w] |= m
	return !had
}

// Generate writes a made-up dataset straight into the database in bulk
// transactions, then rebuilds the reach counters: contacts of every active
// programme that has a worker, logged by that worker. It returns the ground
// truth of what it wrote. Nothing else may write meanwhile: it takes the
// writer connection itself.
func Generate(ctx context.Context, db *DB, spec GenSpec, progress func(string)) (*GroundTruth, error) {
	if progress == nil {
		progress = func(string) {}
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x6275757274))
	if err := db.ensureNeighbourhoods(ctx, spec.Neighbourhoods); err != nil {
		return nil, err
	}
	// A made-up dataset needs no durability while it is written, and a
	// large cache keeps the index inserts in memory. The writer is one
	// connection, so the pragmas hold for every statement below.
	for _, pragma := range []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144"} {
		if _, err := db.Write.ExecContext(ctx, pragma); err != nil {
			return nil, err
		}
	}
	defer db.Write.ExecContext(ctx, "PRAGMA synchronous = NORMAL")
	defer db.Write.ExecContext(ctx, "PRAGMA cache_size = -16000")
	ref := db.ref.get()
	progs, err := db.genProgrammes(ctx)
	if err != nil {
		return nil, err
	}
	ids := func(table string) ([]int64, error) {
		rows, err := db.Write.QueryContext(ctx, `SELECT id FROM `+table+` ORDER BY id`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	hoods, err := ids("neighbourhoods")
	if err != nil {
		return nil, err
	}
	topics, err := ids("topics")
	if err != nil {
		return nil, err
	}
	outcomes, err := ids("outcomes")
	if err != nil {
		return nil, err
	}
	kinds, err := ids("contact_kinds")
	if err != nil {
		return nil, err
	}
	var infoOutcome int64
	for _, o := range ref.Outcomes {
		if o.Slug == cases.OutcomeInformationOnly {
			infoOutcome = o.ID
		}
	}

	// Persons and their records: most are known to one programme, some to
	// two or three (those are the overlaps the union must not double).
	var base int64
	if err := db.Write.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM persons`).Scan(&base); err != nil {
		return nil, err
	}
	type pair struct {
		person int
		prog   int
		res    string
	}
	var pairs []pair
	home := make([]int64, spec.Persons)
	now := cases.FormatTime(db.Now())
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	personStmt, err := tx.PrepareContext(ctx, `INSERT INTO persons (id, pseudonym, created_at) VALUES (?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	resStmt, err := tx.PrepareContext(ctx, `INSERT INTO residents (id, organisation_id, person_id, given_name, family_name,
		birth_date, birth_year, neighbourhood_id, gender, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 'Gen', ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	genders := []any{nil, "vrouw", "man", "anders"}
	for i := range spec.Persons {
		pid := base + int64(i) + 1
		if _, err := personStmt.ExecContext(ctx, pid, fmt.Sprintf("gen-%d-%d", spec.Seed, pid), now); err != nil {
			return nil, err
		}
		home[i] = hoods[rng.IntN(len(hoods))]
		n := 1
		switch r := rng.Float64(); {
		case r < 0.08:
			n = 3
		case r < 0.30:
			n = 2
		}
		var birthDate, birthYear any
		switch rng.IntN(10) {
		case 0, 1:
		case 2:
			birthYear = 1930 + rng.IntN(95)
		default:
			birthDate = time.Date(1930+rng.IntN(95), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		gender := genders[rng.IntN(len(genders))]
		for _, k := range rng.Perm(len(progs))[:n] {
			res := fmt.Sprintf("%08x-0000-4000-8000-%012x", spec.Seed&0xffffffff, len(pairs)+1+int(base)*4)
			if _, err := resStmt.ExecContext(ctx, res, progs[k].orgID, pid, fmt.Sprintf("Persoon %d", pid),
				birthDate, birthYear, home[i], gender, progs[k].workerID, now, now); err != nil {
				return nil, err
			}
			pairs = append(pairs, pair{i, k, res})
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("%d persons, %d records", spec.Persons, len(pairs)))

	truth := &GroundTruth{Reached: map[string]map[string]int{}, Helped: map[string]map[string]int{},
		Moments: map[string]map[string]int{}, Sum: map[string]int{}}
	reached, helped := map[string]bitset{}, map[string]bitset{}
	mark := func(m map[string]bitset, counts map[string]map[string]int, period, slug string, person int) {
		key := period + "|" + slug
		b, ok := m[key]
		if !ok {
			b = make(bitset, spec.Persons/64+1)
			m[key] = b
		}
		if b.add(person) {
			if counts[period] == nil {
				counts[period] = map[string]int{}
			}
			counts[period][slug]++
		}
	}
	end := spec.Start.AddDate(spec.Years, 0, 0)
	span := end.Sub(spec.Start)
	// Every pair gets at least one contact; the rest are spread at random.
	const batch = 50_000
	written := 0
	for written < spec.Contacts {
		tx, err := db.Write.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		contactStmt, err := tx.PrepareContext(ctx, `INSERT INTO contacts (id, organisation_id, programme_id, worker_id,
			resident_id, occurred_at, neighbourhood_id, kind_id, version, created_at, updated_at, voided_at, voided_by,
			void_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		topicStmt, err := tx.PrepareContext(ctx, `INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		outcomeStmt, err := tx.PrepareContext(ctx, `INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		for n := 0; n < batch && written < spec.Contacts; n++ {
			written++
			id := fmt.Sprintf("%08x-0001-4000-8000-%012x", spec.Seed&0xffffffff, written+int(base)*8)
			at := spec.Start.Add(time.Duration(rng.Int64N(int64(span))))
			var p pair
			anonymous := rng.Float64() < spec.AnonymousShare
			var resident any
			var k int
			var hood int64
			if anonymous {
				k = rng.IntN(len(progs))
				hood = hoods[rng.IntN(len(hoods))]
			} else {
				if written <= len(pairs) {
					p = pairs[written-1]
				} else {
					p = pairs[rng.IntN(len(pairs))]
				}
				k, resident = p.prog, p.res
				hood = home[p.person]
				if rng.IntN(4) == 0 { // met elsewhere now and then
					hood = hoods[rng.IntN(len(hoods))]
				}
			}
			var voidedAt, voidedBy, reason any
			voided := rng.Float64() < spec.VoidShare
			if voided {
				voidedAt, voidedBy, reason = now, progs[k].workerID, "gen"
			}
			if _, err := contactStmt.ExecContext(ctx, id, progs[k].orgID, progs[k].id, progs[k].workerID, resident,
				cases.FormatTime(at), hood, kinds[rng.IntN(len(kinds))], now, now, voidedAt, voidedBy, reason); err != nil {
				tx.Rollback()
				return nil, err
			}
			t1 := topics[rng.IntN(len(topics))]
			if _, err := topicStmt.ExecContext(ctx, id, t1); err != nil {
				tx.Rollback()
				return nil, err
			}
			if rng.IntN(3) == 0 {
				if t2 := topics[rng.IntN(len(topics))]; t2 != t1 {
					if _, err := topicStmt.ExecContext(ctx, id, t2); err != nil {
						tx.Rollback()
						return nil, err
					}
				}
			}
			isHelped := false
			if r := rng.IntN(10); r < 6 {
				o := infoOutcome
				if r < 3 {
					o = outcomes[rng.IntN(len(outcomes))]
				}
				isHelped = o != infoOutcome
				if _, err := outcomeStmt.ExecContext(ctx, id, o); err != nil {
					tx.Rollback()
					return nil, err
				}
			}
			if voided {
				continue
			}
			for _, period := range cases.PeriodsOf(at) {
				ps := period.String()
				for _, slug := range []string{progs[k].slug, cases.AllProgrammes} {
					if truth.Moments[ps] == nil {
						truth.Moments[ps] = map[string]int{}
					}
					truth.Moments[ps][slug]++
					if anonymous {
						continue
					}
					mark(reached, truth.Reached, ps, slug, p.person)
					if isHelped {
						mark(helped, truth.Helped, ps, slug, p.person)
					}
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		progress(fmt.Sprintf("%d contacts", written))
	}
	for period, bySlug := range truth.Reached {
		for slug, n := range bySlug {
			if slug != cases.AllProgrammes {
				truth.Sum[period] += n
			}
		}
	}
	started := time.Now()
	if err := db.submit(ctx, func(tx *Tx) error { return tx.rebuildReach() }); err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("reach facts rebuilt in %v", time.Since(started).Round(time.Millisecond)))
	return truth, nil
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
		WHERE p.active = 1 GROUP BY p.id ORDER BY p.id`, cases.RoleWorker)
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
		res, err := db.Write.ExecContext(ctx, `INSERT OR IGNORE INTO neighbourhoods (slug, name_nl, name_en, sort)
			VALUES (?, ?, ?, ?)`, slug, genHoods[i], genHoods[i], 10+i)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			have++
		}
	}
	return db.ref.load(ctx, db.Read)
}

package storage

import (
	"context"
	"database/sql"
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
	if err := db.ensureNeighbourhoods(ctx, spec.Neighbourhoods); err != nil {
		return nil, err
	}
	g, err := newGenerator(ctx, db, spec)
	if err != nil {
		return nil, err
	}
	// A made-up dataset needs no durability while it is written. The
	// writer is one connection, so the settings hold for every statement
	// of write.
	done, err := db.engine.bulk(ctx, db.Write)
	if err != nil {
		return nil, err
	}
	err = g.write(ctx, db, progress)
	if derr := done(ctx); err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	g.truth.sum()
	started := time.Now()
	if err := db.submit(ctx, func(tx *Tx) error { return tx.rebuildReach() }); err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("reach facts rebuilt in %v", time.Since(started).Round(time.Millisecond)))
	return g.truth, nil
}

// write writes the persons, their records and the contacts.
func (g *generator) write(ctx context.Context, db *DB, progress func(string)) error {
	if err := db.bulk(ctx, g.writePersons); err != nil {
		return err
	}
	progress(fmt.Sprintf("%d persons, %d records", g.spec.Persons, len(g.pairs)))
	for g.written < g.spec.Contacts {
		if err := db.bulk(ctx, g.writeContacts); err != nil {
			return err
		}
		progress(fmt.Sprintf("%d contacts", g.written))
	}
	return nil
}

// generator is the state of one Generate run.
type generator struct {
	spec                           GenSpec
	rng                            *rand.Rand
	progs                          []genProgramme
	hoods, topics, outcomes, kinds []int64
	infoOutcome                    int64
	base                           int64 // persons before this run
	pairs                          []genPair
	home                           []int64 // each person's neighbourhood
	now                            string
	written                        int
	truth                          *GroundTruth
	reached, helped                map[string]bitset
}

// genPair is one record of a person with one programme.
type genPair struct {
	person, prog int
	res          string
}

func newGenerator(ctx context.Context, db *DB, spec GenSpec) (*generator, error) {
	g := &generator{spec: spec, rng: rand.New(rand.NewPCG(spec.Seed, 0x6275757274)), now: cases.FormatTime(db.Now()),
		home: make([]int64, spec.Persons), reached: map[string]bitset{}, helped: map[string]bitset{},
		truth: &GroundTruth{Reached: map[string]map[string]int{}, Helped: map[string]map[string]int{},
			Moments: map[string]map[string]int{}, Sum: map[string]int{}}}
	var err error
	if g.progs, err = db.genProgrammes(ctx); err != nil {
		return nil, err
	}
	idx := db.ref.index()
	g.hoods, g.topics, g.outcomes, g.kinds = sortedIDs(idx.neighbourhoods), sortedIDs(idx.topics),
		sortedIDs(idx.outcomes), sortedIDs(idx.kinds)
	g.infoOutcome = idx.outcomes[cases.OutcomeInformationOnly]
	err = db.Write.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM persons`).Scan(&g.base)
	return g, err
}

func (g *generator) pick(ids []int64) int64 { return ids[g.rng.IntN(len(ids))] }

// writePersons writes the persons and their records: most are known to one
// programme, some to two or three (the overlaps the union must not double).
func (g *generator) writePersons(ctx context.Context, tx *sql.Tx) error {
	personStmt, err := tx.PrepareContext(ctx, `INSERT INTO persons (id, pseudonym, created_at) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	resStmt, err := tx.PrepareContext(ctx, `INSERT INTO residents (id, organisation_id, person_id, given_name, family_name,
		birth_date, birth_year, neighbourhood_id, gender, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 'Gen', ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	genders := []any{nil, "vrouw", "man", "anders"}
	for i := range g.spec.Persons {
		pid := g.base + int64(i) + 1
		if _, err := personStmt.ExecContext(ctx, pid, fmt.Sprintf("gen-%d-%d", g.spec.Seed, pid), g.now); err != nil {
			return err
		}
		g.home[i] = g.pick(g.hoods)
		n := 1
		switch r := g.rng.Float64(); {
		case r < 0.08:
			n = 3
		case r < 0.30:
			n = 2
		}
		birthDate, birthYear := g.birth()
		gender := genders[g.rng.IntN(len(genders))]
		for _, k := range g.rng.Perm(len(g.progs))[:min(n, len(g.progs))] {
			res := fmt.Sprintf("%08x-0000-4000-8000-%012x", g.spec.Seed&0xffffffff, len(g.pairs)+1+int(g.base)*4)
			if _, err := resStmt.ExecContext(ctx, res, g.progs[k].orgID, pid, fmt.Sprintf("Persoon %d", pid),
				birthDate, birthYear, g.home[i], gender, g.progs[k].workerID, g.now, g.now); err != nil {
				return err
			}
			g.pairs = append(g.pairs, genPair{i, k, res})
		}
	}
	return nil
}

// birth is a made-up date of birth, or only a year, or neither.
func (g *generator) birth() (date, year any) {
	switch g.rng.IntN(10) {
	case 0, 1:
		return nil, nil
	case 2:
		return nil, 1930 + g.rng.IntN(95)
	}
	return time.Date(1930+g.rng.IntN(95), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC).
		Format(time.DateOnly), nil
}

// genBatch is how many contacts one transaction writes.
const genBatch = 50_000

// writeContacts writes the next batch of contacts: every pair gets at least
// one, the rest are spread at random.
func (g *generator) writeContacts(ctx context.Context, tx *sql.Tx) error {
	stmts := make([]*sql.Stmt, 3)
	for i, q := range []string{`INSERT INTO contacts (id, organisation_id, programme_id, worker_id,
		resident_id, occurred_at, neighbourhood_id, kind_id, version, created_at, updated_at, voided_at, voided_by,
		void_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
		`INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`,
		`INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`} {
		var err error
		if stmts[i], err = tx.PrepareContext(ctx, q); err != nil {
			return err
		}
	}
	for n := 0; n < genBatch && g.written < g.spec.Contacts; n++ {
		g.written++
		if err := g.writeContact(ctx, stmts[0], stmts[1], stmts[2]); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeContact(ctx context.Context, contactStmt, topicStmt, outcomeStmt *sql.Stmt) error {
	span := g.spec.Start.AddDate(g.spec.Years, 0, 0).Sub(g.spec.Start)
	id := fmt.Sprintf("%08x-0001-4000-8000-%012x", g.spec.Seed&0xffffffff, g.written+int(g.base)*8)
	at := g.spec.Start.Add(time.Duration(g.rng.Int64N(int64(span))))
	anonymous := g.rng.Float64() < g.spec.AnonymousShare
	var p genPair
	var resident any
	var k int
	var hood int64
	if anonymous {
		k, hood = g.rng.IntN(len(g.progs)), g.pick(g.hoods)
	} else {
		if g.written <= len(g.pairs) {
			p = g.pairs[g.written-1]
		} else {
			p = g.pairs[g.rng.IntN(len(g.pairs))]
		}
		k, resident, hood = p.prog, p.res, g.home[p.person]
		if g.rng.IntN(4) == 0 { // met elsewhere now and then
			hood = g.pick(g.hoods)
		}
	}
	var voidedAt, voidedBy, reason any
	voided := g.rng.Float64() < g.spec.VoidShare
	if voided {
		voidedAt, voidedBy, reason = g.now, g.progs[k].workerID, "gen"
	}
	if _, err := contactStmt.ExecContext(ctx, id, g.progs[k].orgID, g.progs[k].id, g.progs[k].workerID, resident,
		cases.FormatTime(at), hood, g.pick(g.kinds), g.now, g.now, voidedAt, voidedBy, reason); err != nil {
		return err
	}
	t1 := g.pick(g.topics)
	if _, err := topicStmt.ExecContext(ctx, id, t1); err != nil {
		return err
	}
	if g.rng.IntN(3) == 0 {
		if t2 := g.pick(g.topics); t2 != t1 {
			if _, err := topicStmt.ExecContext(ctx, id, t2); err != nil {
				return err
			}
		}
	}
	isHelped := false
	if r := g.rng.IntN(10); r < 6 {
		o := g.infoOutcome
		if r < 3 {
			o = g.pick(g.outcomes)
		}
		isHelped = o != g.infoOutcome
		if _, err := outcomeStmt.ExecContext(ctx, id, o); err != nil {
			return err
		}
	}
	if !voided {
		g.count(at, g.progs[k].slug, anonymous, p.person, isHelped)
	}
	return nil
}

// count adds a counted contact to the ground truth.
func (g *generator) count(at time.Time, programme string, anonymous bool, person int, helped bool) {
	for _, period := range cases.PeriodsOf(at) {
		ps := period.String()
		for _, slug := range []string{programme, cases.AllProgrammes} {
			if g.truth.Moments[ps] == nil {
				g.truth.Moments[ps] = map[string]int{}
			}
			g.truth.Moments[ps][slug]++
			if anonymous {
				continue
			}
			g.mark(g.reached, g.truth.Reached, ps, slug, person)
			if helped {
				g.mark(g.helped, g.truth.Helped, ps, slug, person)
			}
		}
	}
}

func (g *generator) mark(m map[string]bitset, counts map[string]map[string]int, period, slug string, person int) {
	key := period + "|" + slug
	b, ok := m[key]
	if !ok {
		b = make(bitset, g.spec.Persons/64+1)
		m[key] = b
	}
	if b.add(person) {
		if counts[period] == nil {
			counts[period] = map[string]int{}
		}
		counts[period][slug]++
	}
}

// sum totals the programmes' reached persons per period.
func (t *GroundTruth) sum() {
	for period, bySlug := range t.Reached {
		for slug, n := range bySlug {
			if slug != cases.AllProgrammes {
				t.Sum[period] += n
			}
		}
	}
}

package storage

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// referenceCache keeps the reference lists in memory: they are small and
// read on every contact written. It is loaded at start and again after every
// transaction that changed them; the ID maps let repositories store IDs
// while the use cases speak slugs.
//
// Another server on the same database (or the command line) may change
// them too: every change moves reference_generation (triggers), and at most
// every refRecheck a read of the cache compares it in the background and
// reloads what moved, so such a change shows here within about a second.
type referenceCache struct {
	mu  sync.RWMutex
	ref *cases.Reference
	ids refIDs
	gen int64 // reference_generation the lists were read at

	src     *sql.DB      // the pool it reloads from in the background
	checked atomic.Int64 // when the generation was last compared (Unix ns)
}

// refRecheck is how often the cache compares the generation.
const refRecheck = time.Second

const referenceGeneration = `SELECT n FROM reference_generation WHERE id = 1`

type refIDs struct {
	programmes, organisations                           map[string]int64
	neighbourhoods, topics, outcomes, kinds             map[string]int64
	programmeSlug, orgSlug                              map[int64]string
	neighbourhoodSlug, topicSlug, outcomeSlug, kindSlug map[int64]string
}

// listTables maps each reference list to its table; table names never come
// from input.
var listTables = map[string]string{
	cases.ListNeighbourhoods: "neighbourhoods", cases.ListTopics: "topics",
	cases.ListOutcomes: "outcomes", cases.ListKinds: "contact_kinds",
}

func (c *referenceCache) load(ctx context.Context, db *sql.DB) error {
	var ref cases.Reference
	// The generation first: a change made while the lists are read moves
	// it past what is kept, and the next comparison reloads.
	var gen int64
	if err := db.QueryRowContext(ctx, referenceGeneration).Scan(&gen); err != nil {
		return err
	}
	var err error
	if ref.Organisations, err = loadOrganisations(ctx, db); err != nil {
		return err
	}
	if ref.Programmes, err = loadProgrammes(ctx, db); err != nil {
		return err
	}
	for list, dst := range map[string]*[]cases.Term{cases.ListNeighbourhoods: &ref.Neighbourhoods,
		cases.ListTopics: &ref.Topics, cases.ListOutcomes: &ref.Outcomes, cases.ListKinds: &ref.Kinds} {
		if *dst, err = loadTerms(ctx, db, listTables[list]); err != nil {
			return err
		}
	}
	ids := refIDs{programmes: map[string]int64{}, organisations: map[string]int64{},
		programmeSlug: map[int64]string{}, orgSlug: map[int64]string{}}
	ids.neighbourhoods, ids.neighbourhoodSlug = termIDs(ref.Neighbourhoods)
	ids.topics, ids.topicSlug = termIDs(ref.Topics)
	ids.outcomes, ids.outcomeSlug = termIDs(ref.Outcomes)
	ids.kinds, ids.kindSlug = termIDs(ref.Kinds)
	for _, p := range ref.Programmes {
		ids.programmes[p.Slug], ids.programmeSlug[p.ID] = p.ID, p.Slug
	}
	for _, o := range ref.Organisations {
		ids.organisations[o.Slug], ids.orgSlug[o.ID] = o.ID, o.Slug
	}
	c.mu.Lock()
	c.ref, c.ids, c.gen = ref.Indexed(), ids, gen
	c.mu.Unlock()
	return nil
}

func (c *referenceCache) get() *cases.Reference {
	c.recheck()
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ref
}

func (c *referenceCache) index() refIDs {
	c.recheck()
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ids
}

// recheck starts a comparison of the generation when the last is
// refRecheck old. It does not wait for it: a read that holds a pooled
// connection must not wait for another.
func (c *referenceCache) recheck() {
	now, last := time.Now().UnixNano(), c.checked.Load()
	if c.src == nil || now-last < int64(refRecheck) || !c.checked.CompareAndSwap(last, now) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var gen int64
		if err := c.src.QueryRowContext(ctx, referenceGeneration).Scan(&gen); err != nil {
			return // closed, or busy: the next read tries again
		}
		c.mu.RLock()
		moved := gen != c.gen
		c.mu.RUnlock()
		if moved {
			_ = c.load(ctx, c.src)
		}
	}()
}

func termIDs(terms []cases.Term) (map[string]int64, map[int64]string) {
	ids, slugs := make(map[string]int64, len(terms)), make(map[int64]string, len(terms))
	for _, t := range terms {
		ids[t.Slug], slugs[t.ID] = t.ID, t.Slug
	}
	return ids, slugs
}

func loadOrganisations(ctx context.Context, db *sql.DB) ([]cases.Organisation, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, slug, name, receives_handovers FROM organisations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Organisation
	for rows.Next() {
		var o cases.Organisation
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.ReceivesHandovers); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func loadProgrammes(ctx context.Context, db *sql.DB) ([]cases.Programme, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.id, p.slug, p.name, p.organisation_id, o.slug
		FROM programmes p JOIN organisations o ON o.id = p.organisation_id
		WHERE p.active ORDER BY p.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Programme
	for rows.Next() {
		var p cases.Programme
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.OrganisationID, &p.OrganisationSlug); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// loadTerms reads one reference list; table is one of listTables.
func loadTerms(ctx context.Context, db *sql.DB, table string) ([]cases.Term, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, slug, name_nl, name_en FROM `+table+` ORDER BY sort, name_nl`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Term
	for rows.Next() {
		var t cases.Term
		if err := rows.Scan(&t.ID, &t.Slug, &t.NameNL, &t.NameEN); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// references writes reference data; the cache reloads after the commit.
type references struct{ conn }

func (r references) table(list string) (string, error) {
	table, ok := listTables[list]
	if !ok {
		return "", cases.NotFound("reference_list")
	}
	return table, nil
}

func (r references) AddTerm(ctx context.Context, list string, in cases.TermInput) error {
	table, err := r.table(list)
	if err != nil {
		return err
	}
	r.tx.referenceChanged = true
	_, err = r.q.ExecContext(ctx, `INSERT INTO `+table+` (slug, name_nl, name_en, sort)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(sort), 0) + 1 FROM `+table+`))`, in.Slug, in.NameNL, in.NameEN)
	return err
}

func (r references) RenameTerm(ctx context.Context, list, slug string, in cases.TermInput) (bool, error) {
	table, err := r.table(list)
	if err != nil {
		return false, err
	}
	r.tx.referenceChanged = true
	res, err := r.q.ExecContext(ctx, `UPDATE `+table+` SET name_nl = ?, name_en = ? WHERE slug = ?`, in.NameNL, in.NameEN, slug)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (r references) AddOrganisation(ctx context.Context, in cases.OrganisationInput) error {
	r.tx.referenceChanged = true
	_, err := r.q.ExecContext(ctx, `INSERT INTO organisations (slug, name, receives_handovers) VALUES (?, ?, TRUE)`,
		in.Slug, in.Name)
	return err
}

func (r references) AddProgramme(ctx context.Context, in cases.ProgrammeInput, orgID int64) error {
	r.tx.referenceChanged = true
	_, err := r.q.ExecContext(ctx, `INSERT INTO programmes (slug, name, organisation_id) VALUES (?, ?, ?)`,
		in.Slug, in.Name, orgID)
	return err
}

// slugOf names an ID of a reference list; an ID the cache lacks (a term
// added by another process since) is shown as it is.
func slugOf(slugs map[int64]string, id int64) string {
	if s, ok := slugs[id]; ok {
		return s
	}
	return "id-" + strconv.FormatInt(id, 10)
}

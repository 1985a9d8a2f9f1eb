package storage

// Reach facts: per person, programme and period, kept up to date as contacts
// are written, so that a year's reach tables are counter look-ups instead of
// COUNT(DISTINCT) over hundreds of thousands of contacts.
//
// Migration 00004 adds triggers that mark every change that matters:
// contacts inserted or changed (programme, time, neighbourhood, voided,
// resident), their topics and outcomes, residents linked to another person or
// given another birth date or gender. refreshReach folds the marks into
// reach_facts and reach_counts:
//
//   - a new contact is merged into the person's facts of its quarter,
//     half-year and year, for its programme and for all programmes: it may
//     become the first contact (and move the person to its neighbourhood),
//     make the person helped, add topics. No other contact is read, so the
//     cost does not grow with a person's history;
//   - a corrected or voided contact, and any change to a person's records,
//     recomputes that person's facts from their non-voided contacts (the
//     old person too, when a record moved to another person);
//   - contact moments are adjusted by the state the facts last accounted
//     for, which the triggers keep (so anonymous contacts need no facts).
//
// Every changed fact moves the counters by its old contribution out and its
// new one in. ContactService calls refreshReach inside its write
// transaction; ReachService calls it before reading, for changes made
// elsewhere. rebuildReach recomputes everything from the contacts; tests
// check that it agrees with the incremental path.

import (
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// rebuildAbove is how many pending contacts make a refresh rebuild instead
// (the first refresh after migrating a database with history, or a bulk load).
const rebuildAbove = 20000

// hookLimit is how many pending contacts the refresh inside a contact's
// transaction takes on. More are left to the next reader (ReachService
// refreshes before every read, and at start-up), so logging a contact never
// waits for a backlog written elsewhere.
const hookLimit = 200

// reachOutcomeSlugs selects a contact's outcomes, so that cases.Helped
// decides whether it helped.
const reachOutcomeSlugs = `COALESCE((SELECT string_agg(o.slug, ',') FROM contact_outcomes co
		JOIN outcomes o ON o.id = co.outcome_id WHERE co.contact_id = c.id), '')`

// reachTopicKeys selects a contact's topic IDs, sorted ("3,7").
const reachTopicKeys = `COALESCE((SELECT string_agg(CAST(topic_id AS TEXT), ',' ORDER BY topic_id)
		FROM contact_topics WHERE contact_id = c.id), '')`

// Statements on the path of every logged contact, prepared once (see
// hotStatements).
const (
	// Both queues in one query: contacts (person 0), then persons.
	reachDirty = `SELECT contact_id, existed, counted, COALESCE(programme_id, 0), COALESCE(occurred_at, ''),
		COALESCE(resident_id, ''), 0 FROM reach_dirty_contacts
		UNION ALL SELECT '', FALSE, FALSE, 0, '', '', person_id FROM reach_dirty_persons LIMIT ?`
	reachContactState = `SELECT c.rowid, COALESCE(r.person_id, 0), c.programme_id, c.occurred_at, c.neighbourhood_id,
		` + reachTopicKeys + `, ` + reachOutcomeSlugs + `,
		c.voided_at IS NULL
		FROM contacts c LEFT JOIN residents r ON r.id = c.resident_id WHERE c.id = ?`
	reachFactsOfPerson = `SELECT programme_id, period, first_at, first_seq, neighbourhood_id, helped, topics, age_band, gender
		FROM reach_facts WHERE person_id = ?`
	reachPersonAttrs = `SELECT organisation_id, COALESCE(birth_date, ''), COALESCE(birth_year, 0), COALESCE(gender, ''),
		erased_at IS NOT NULL FROM residents WHERE person_id = ? ORDER BY updated_at, id`
	reachProgrammeOrgs = `SELECT id, organisation_id FROM programmes`
	reachForgetContact = `DELETE FROM reach_dirty_contacts WHERE contact_id = ?`
)

// countBatches and factBatches are the row counts of the prepared
// upserts; changes are written in as few statements as these sizes allow.
var (
	countBatches = []int{16, 4, 1}
	factBatches  = []int{6, 1} // a new person: 3 periods × (programme, all)
)

// reachFactUpsert writes n facts.
func reachFactUpsert(n int) string {
	return `INSERT INTO reach_facts (person_id, programme_id, period, first_at, first_seq, neighbourhood_id,
		helped, topics, age_band, gender) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ") + `
		ON CONFLICT (person_id, programme_id, period) DO UPDATE SET first_at = excluded.first_at,
		first_seq = excluded.first_seq, neighbourhood_id = excluded.neighbourhood_id, helped = excluded.helped,
		topics = excluded.topics, age_band = excluded.age_band, gender = excluded.gender`
}

// batched splits rows into chunks of the prepared sizes.
func batched[T any](rows []T, sizes []int, write func(chunk []T) error) error {
	for len(rows) > 0 {
		n := sizes[len(sizes)-1]
		for _, size := range sizes {
			if size <= len(rows) {
				n = size
				break
			}
		}
		if err := write(rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// reachCountAdd adds n rows of counter changes.
func reachCountAdd(n int) string {
	return `INSERT INTO reach_counts (period, programme_id, measure, key, n) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ") +
		` ON CONFLICT (period, programme_id, measure, key) DO UPDATE SET n = reach_counts.n + excluded.n`
}

func init() {
	hotStatements = append(hotStatements, reachDirty, reachContactState, reachFactsOfPerson, reachPersonAttrs,
		reachProgrammeOrgs, reachForgetContact)
	for _, n := range countBatches {
		hotStatements = append(hotStatements, reachCountAdd(n))
	}
	for _, n := range factBatches {
		hotStatements = append(hotStatements, reachFactUpsert(n))
	}
}

type dirtyContact struct {
	id          string
	existed     bool
	counted     bool
	programmeID int64
	at          string
	residentID  string
}

// refreshReach folds the pending changes into the reach facts and counters.
// Call it inside a write transaction after writing contacts; a backlog of
// more than hookLimit changes is left to refreshReachAll.
func (tx *Tx) refreshReach() error { return tx.refreshReachUpTo(hookLimit) }

// refreshReachAll folds every pending change in, rebuilding when there are
// very many.
func (tx *Tx) refreshReachAll() error { return tx.refreshReachUpTo(0) }

func (tx *Tx) refreshReachUpTo(limit int) error {
	// With a limit, read one change more than it: enough to know the
	// backlog is too big, without reading all of it.
	n := math.MaxInt64
	if limit > 0 {
		n = limit + 1
	}
	dirty, persons, err := tx.dirtyQueues(n)
	if err != nil {
		return err
	}
	switch {
	case len(dirty) == 0 && len(persons) == 0:
		return nil
	case limit > 0 && len(dirty)+len(persons) > limit:
		return nil
	case len(dirty) > rebuildAbove:
		return tx.rebuildReach()
	}
	d := cases.CounterDelta{}
	full := map[int64]bool{}
	for _, p := range persons {
		full[p] = true
	}
	added, err := tx.sortDirty(dirty, d, full)
	if err != nil {
		return err
	}
	if err := tx.foldIn(d, full, added); err != nil {
		return err
	}
	return tx.forgetQueued(dirty, persons)
}

// sortDirty moves the moments of changed contacts in d, and tells the new
// contacts of known persons (returned: merged into their facts) from the
// changes that need a person's facts recomputed (added to full).
func (tx *Tx) sortDirty(dirty []dirtyContact, d cases.CounterDelta, full map[int64]bool) ([]cases.ReachContact, error) {
	var added []cases.ReachContact
	for _, dc := range dirty {
		cur, err := tx.contactState(dc.id)
		if err != nil {
			return nil, err
		}
		if dc.existed && dc.counted {
			if at, err := cases.ParseTime(dc.at); err == nil {
				d.Moments(dc.programmeID, at, -1)
			}
		}
		if cur.Counted {
			d.Moments(cur.Programme, cur.At, +1)
		}
		switch {
		case dc.existed:
			if dc.residentID != "" {
				var old int64
				if err := tx.QueryRow(`SELECT person_id FROM residents WHERE id = ?`, dc.residentID).Scan(&old); err == nil {
					full[old] = true
				} else if !errors.Is(err, sql.ErrNoRows) {
					return nil, err
				}
			}
			if cur.Person != 0 {
				full[cur.Person] = true
			}
		case cur.Counted && cur.Person != 0:
			added = append(added, cur)
		}
	}
	return added, nil
}

// foldIn recomputes the persons of full and merges the added contacts of
// the others into their facts, then applies the counter changes.
func (tx *Tx) foldIn(d cases.CounterDelta, full map[int64]bool, added []cases.ReachContact) error {
	orgs, err := tx.programmeOrgs()
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(full))
	for p := range full {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	for _, p := range ids {
		if err := tx.recomputePerson(p, d, orgs); err != nil {
			return err
		}
	}
	byPerson := map[int64][]cases.ReachContact{}
	var order []int64
	for _, c := range added {
		if !full[c.Person] {
			if byPerson[c.Person] == nil {
				order = append(order, c.Person)
			}
			byPerson[c.Person] = append(byPerson[c.Person], c)
		}
	}
	for _, p := range order {
		if err := tx.addContactsToFacts(p, byPerson[p], d, orgs); err != nil {
			return err
		}
	}
	return tx.applyCounts(d)
}

// forgetQueued deletes the marks that were read and folded in, and only
// those: a mark written since (by a bulk load beside the writer, say)
// stays for the next refresh.
func (tx *Tx) forgetQueued(dirty []dirtyContact, persons []int64) error {
	if len(dirty) == 1 && len(persons) == 0 { // the path of every logged contact
		_, err := tx.execPrepared(reachForgetContact, dirty[0].id)
		return err
	}
	ids := make([]any, len(dirty))
	for i, dc := range dirty {
		ids[i] = dc.id
	}
	if err := tx.forget(`reach_dirty_contacts`, `contact_id`, ids); err != nil {
		return err
	}
	ids = make([]any, len(persons))
	for i, p := range persons {
		ids[i] = p
	}
	return tx.forget(`reach_dirty_persons`, `person_id`, ids)
}

// forget deletes the rows of table whose key column is one of keys; table
// and column are constants of this file.
func (tx *Tx) forget(table, column string, keys []any) error {
	return batched(keys, forgetBatches, func(chunk []any) error {
		_, err := tx.Exec(`DELETE FROM `+table+` WHERE `+column+` IN (`+placeholders(len(chunk))+`)`, chunk...)
		return err
	})
}

// forgetBatches are the sizes of forget's statements.
var forgetBatches = []int{500, 50, 1}

// dirtyQueues reads up to n pending changes (n < 0: all).
func (tx *Tx) dirtyQueues(n int) (contacts []dirtyContact, persons []int64, err error) {
	rows, err := tx.queryPrepared(reachDirty, n)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var dc dirtyContact
		var person int64
		if err := rows.Scan(&dc.id, &dc.existed, &dc.counted, &dc.programmeID, &dc.at, &dc.residentID, &person); err != nil {
			return nil, nil, err
		}
		if person != 0 {
			persons = append(persons, person)
		} else {
			contacts = append(contacts, dc)
		}
	}
	return contacts, persons, rows.Err()
}

// queryPrepared is execPrepared for a query of many rows.
func (tx *Tx) queryPrepared(query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.stmts.stmts[query]; st != nil {
		return tx.Stmt(st).Query(args...)
	}
	return tx.Query(query, args...)
}

// contactState reads a contact as it now is; a contact that does not exist
// is not counted.
func (tx *Tx) contactState(id string) (cases.ReachContact, error) {
	var c cases.ReachContact
	var topics, outcomes, at string
	err := tx.queryRowPrepared(reachContactState, id).Scan(&c.Seq, &c.Person, &c.Programme, &at, &c.Hood,
		&topics, &outcomes, &c.Counted)
	if errors.Is(err, sql.ErrNoRows) {
		return cases.ReachContact{}, nil
	} else if err != nil {
		return c, err
	}
	c.Topics = cases.ParseKeys(topics)
	c.Helped = cases.Helped(splitList(outcomes))
	c.At, err = cases.ParseTime(at)
	return c, err
}

// splitList splits a string_agg of slugs ("a,b"); slugs hold no commas.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// personAttrs reads a person's records once and answers what each
// programme's facts read of them (cases.AttrsOf); orgs names each
// programme's organisation.
func (tx *Tx) personAttrs(personID int64, orgs map[int64]int64) (cases.AttrsByProgramme, error) {
	rows, err := tx.queryPrepared(reachPersonAttrs, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var records []cases.PersonRecord
	for rows.Next() {
		var r cases.PersonRecord
		if err := rows.Scan(&r.Organisation, &r.BirthDate, &r.BirthYear, &r.Gender, &r.Erased); err != nil {
			return nil, err
		}
		records = append(records, r)
	}
	return cases.AttrsOf(records, func(programme int64) int64 { return orgs[programme] }), rows.Err()
}

// programmeOrgs maps every programme, active or not, to its organisation.
func (tx *Tx) programmeOrgs() (map[int64]int64, error) {
	rows, err := tx.queryPrepared(reachProgrammeOrgs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, org int64
		if err := rows.Scan(&id, &org); err != nil {
			return nil, err
		}
		out[id] = org
	}
	return out, rows.Err()
}

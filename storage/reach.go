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
	"maps"
	"slices"
	"strconv"
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
const reachOutcomeSlugs = `COALESCE((SELECT group_concat(o.slug) FROM contact_outcomes co
		JOIN outcomes o ON o.id = co.outcome_id WHERE co.contact_id = c.id), '')`

// Statements on the path of every logged contact, prepared once (see
// hotStatements).
const (
	// Both queues in one query: contacts (person 0), then persons.
	reachDirty = `SELECT contact_id, existed, counted, COALESCE(programme_id, 0), COALESCE(occurred_at, ''),
		COALESCE(resident_id, ''), 0 FROM reach_dirty_contacts
		UNION ALL SELECT '', 0, 0, 0, '', '', person_id FROM reach_dirty_persons LIMIT ?`
	reachContactState = `SELECT c.rowid, COALESCE(r.person_id, 0), c.programme_id, c.occurred_at, c.neighbourhood_id,
		COALESCE((SELECT group_concat(topic_id) FROM contact_topics WHERE contact_id = c.id), ''),
		` + reachOutcomeSlugs + `,
		c.voided_at IS NULL
		FROM contacts c LEFT JOIN residents r ON r.id = c.resident_id WHERE c.id = ?`
	reachFactsOfPerson = `SELECT programme_id, period, first_at, first_seq, neighbourhood_id, helped, topics, age_band, gender
		FROM reach_facts WHERE person_id = ?`
	reachPersonAttrs = `SELECT COALESCE(birth_date, ''), COALESCE(birth_year, 0), COALESCE(gender, '')
		FROM residents WHERE person_id = ? ORDER BY updated_at, id`
	reachClearDirty = `DELETE FROM reach_dirty_contacts`
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
		` ON CONFLICT (period, programme_id, measure, key) DO UPDATE SET n = n + excluded.n`
}

func init() {
	hotStatements = append(hotStatements, reachDirty, reachContactState, reachFactsOfPerson, reachPersonAttrs,
		reachClearDirty)
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
	n := -1
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
	var added []cases.ReachContact
	for _, dc := range dirty {
		cur, err := tx.contactState(dc.id)
		if err != nil {
			return err
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
					return err
				}
			}
			if cur.Person != 0 {
				full[cur.Person] = true
			}
		case cur.Counted && cur.Person != 0:
			added = append(added, cur)
		}
	}
	ids := make([]int64, 0, len(full))
	for p := range full {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	for _, p := range ids {
		if err := tx.recomputePerson(p, d); err != nil {
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
		if err := tx.addContactsToFacts(p, byPerson[p], d); err != nil {
			return err
		}
	}
	if err := tx.applyCounts(d); err != nil {
		return err
	}
	if len(dirty) > 0 {
		if _, err := tx.execPrepared(reachClearDirty); err != nil {
			return err
		}
	}
	if len(persons) > 0 {
		if _, err := tx.Exec(`DELETE FROM reach_dirty_persons`); err != nil {
			return err
		}
	}
	return nil
}

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

// splitList splits a group_concat of slugs ("a,b"); slugs hold no commas.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (tx *Tx) personAttrs(personID int64) (cases.PersonAttrs, error) {
	rows, err := tx.queryPrepared(reachPersonAttrs, personID)
	if err != nil {
		return cases.PersonAttrs{}, err
	}
	defer rows.Close()
	var records []cases.PersonAttrs
	for rows.Next() {
		var r cases.PersonAttrs
		if err := rows.Scan(&r.BirthDate, &r.BirthYear, &r.Gender); err != nil {
			return cases.PersonAttrs{}, err
		}
		records = append(records, r)
	}
	return cases.CombineAttrs(records), rows.Err()
}

// addContactsToFacts merges new contacts of one person into their facts,
// reading the facts once and writing the changed ones in one batch.
func (tx *Tx) addContactsToFacts(personID int64, contacts []cases.ReachContact, d cases.CounterDelta) error {
	rows, err := tx.queryPrepared(reachFactsOfPerson, personID)
	if err != nil {
		return err
	}
	have, err := scanFacts(rows)
	if err != nil {
		return err
	}
	old := maps.Clone(have)
	var attrs *cases.PersonAttrs
	var changed []cases.FactKey
	for _, c := range contacts {
		for _, k := range cases.FactKeys(c.Programme, c.At) {
			f, ok := have[k]
			if ok {
				f = f.Merge(c)
			} else {
				if attrs == nil {
					a, err := tx.personAttrs(personID)
					if err != nil {
						return err
					}
					attrs = &a
				}
				p, _ := cases.ParsePeriod(k.Period)
				f = cases.NewFact(c, *attrs, p)
			}
			if !ok || f != have[k] {
				if !slices.Contains(changed, k) {
					changed = append(changed, k)
				}
				have[k] = f
			}
		}
	}
	var writes []factWrite
	for _, k := range changed {
		o, existed := old[k]
		if existed && o == have[k] {
			continue
		}
		if existed {
			d.Fact(k, o, -1)
		}
		d.Fact(k, have[k], +1)
		writes = append(writes, factWrite{k, have[k]})
	}
	return tx.writeFacts(personID, writes)
}

type factWrite struct {
	key  cases.FactKey
	fact cases.Fact
}

func scanFacts(rows *sql.Rows) (map[cases.FactKey]cases.Fact, error) {
	defer rows.Close()
	out := map[cases.FactKey]cases.Fact{}
	for rows.Next() {
		var k cases.FactKey
		var f cases.Fact
		if err := rows.Scan(&k.Programme, &k.Period, &f.FirstAt, &f.FirstSeq, &f.Hood, &f.Helped, &f.Topics,
			&f.Age, &f.Gender); err != nil {
			return nil, err
		}
		out[k] = f
	}
	return out, rows.Err()
}

// writeFacts inserts or updates facts of one person in batches.
func (tx *Tx) writeFacts(personID int64, writes []factWrite) error {
	return batched(writes, factBatches, func(chunk []factWrite) error {
		args := make([]any, 0, 10*len(chunk))
		for _, w := range chunk {
			f := w.fact
			args = append(args, personID, w.key.Programme, w.key.Period, f.FirstAt, f.FirstSeq, f.Hood, f.Helped,
				f.Topics, f.Age, f.Gender)
		}
		_, err := tx.execPrepared(reachFactUpsert(len(chunk)), args...)
		return err
	})
}

// recomputePerson recomputes a person's facts from their counted contacts
// and moves the counters by the difference.
func (tx *Tx) recomputePerson(personID int64, d cases.CounterDelta) error {
	attrs, err := tx.personAttrs(personID)
	if err != nil {
		return err
	}
	contacts, err := tx.personContacts(personID)
	if err != nil {
		return err
	}
	want := cases.PersonFacts(contacts, attrs)
	rows, err := tx.queryPrepared(reachFactsOfPerson, personID)
	if err != nil {
		return err
	}
	have, err := scanFacts(rows)
	if err != nil {
		return err
	}
	var writes []factWrite
	for k, old := range have {
		f, keep := want[k]
		switch {
		case !keep:
			d.Fact(k, old, -1)
			if _, err := tx.Exec(`DELETE FROM reach_facts WHERE person_id = ? AND programme_id = ? AND period = ?`,
				personID, k.Programme, k.Period); err != nil {
				return err
			}
		case f != old:
			d.Fact(k, old, -1)
			d.Fact(k, f, +1)
			writes = append(writes, factWrite{k, f})
		}
	}
	for k, f := range want {
		if _, ok := have[k]; !ok {
			d.Fact(k, f, +1)
			writes = append(writes, factWrite{k, f})
		}
	}
	return tx.writeFacts(personID, writes)
}

const reachContactColumns = `c.rowid, r.person_id, c.programme_id, c.occurred_at, c.neighbourhood_id,
	COALESCE((SELECT group_concat(topic_id) FROM contact_topics WHERE contact_id = c.id), ''),
	` + reachOutcomeSlugs

func (tx *Tx) personContacts(personID int64) ([]cases.ReachContact, error) {
	rows, err := tx.Query(`SELECT `+reachContactColumns+`
		FROM residents r JOIN contacts c ON c.resident_id = r.id
		WHERE r.person_id = ? AND c.voided_at IS NULL`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.ReachContact
	for rows.Next() {
		c, err := scanReachContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanReachContact(rows *sql.Rows) (cases.ReachContact, error) {
	c := cases.ReachContact{Counted: true}
	var topics, outcomes, at string
	if err := rows.Scan(&c.Seq, &c.Person, &c.Programme, &at, &c.Hood, &topics, &outcomes); err != nil {
		return c, err
	}
	c.Topics = cases.ParseKeys(topics)
	c.Helped = cases.Helped(splitList(outcomes))
	var err error
	c.At, err = cases.ParseTime(at)
	return c, err
}

func (tx *Tx) applyCounts(d cases.CounterDelta) error {
	keys := make([]cases.CounterKey, 0, len(d))
	for k, n := range d {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// A fixed order keeps the writes deterministic.
	slices.SortFunc(keys, func(a, b cases.CounterKey) int {
		return strings.Compare(a.Period+"\x00"+a.Measure+"\x00"+a.Key+"\x00"+strconv.FormatInt(a.Programme, 10),
			b.Period+"\x00"+b.Measure+"\x00"+b.Key+"\x00"+strconv.FormatInt(b.Programme, 10))
	})
	return batched(keys, countBatches, func(chunk []cases.CounterKey) error {
		args := make([]any, 0, 5*len(chunk))
		for _, k := range chunk {
			args = append(args, k.Period, k.Programme, k.Measure, k.Key, d[k])
		}
		_, err := tx.execPrepared(reachCountAdd(len(chunk)), args...)
		return err
	})
}

// rebuildReach recomputes all facts and counters from the contacts, in one
// pass over the contacts in person order. For bulk loads and migrated
// databases; the incremental path must agree with it.
func (tx *Tx) rebuildReach() error {
	for _, stmt := range []string{`DELETE FROM reach_facts`, `DELETE FROM reach_counts`,
		`DELETE FROM reach_dirty_contacts`, `DELETE FROM reach_dirty_persons`} {
		if _, err := tx.Exec(stmt); err != nil {
			return err
		}
	}
	attrs, err := tx.allPersonAttrs()
	if err != nil {
		return err
	}
	d := cases.CounterDelta{}
	insert, err := tx.Prepare(`INSERT INTO reach_facts (person_id, programme_id, period, first_at, first_seq,
		neighbourhood_id, helped, topics, age_band, gender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	flush := func(personID int64, contacts []cases.ReachContact) error {
		for k, f := range cases.PersonFacts(contacts, attrs[personID]) {
			d.Fact(k, f, +1)
			if _, err := insert.Exec(personID, k.Programme, k.Period, f.FirstAt, f.FirstSeq, f.Hood, f.Helped,
				f.Topics, f.Age, f.Gender); err != nil {
				return err
			}
		}
		return nil
	}
	rows, err := tx.Query(`SELECT ` + reachContactColumns + `
		FROM residents r INDEXED BY residents_person JOIN contacts c ON c.resident_id = r.id
		WHERE c.voided_at IS NULL ORDER BY r.person_id`)
	if err != nil {
		return err
	}
	var person int64
	var batch []cases.ReachContact
	for rows.Next() {
		c, err := scanReachContact(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if c.Person != person && len(batch) > 0 {
			if err := flush(person, batch); err != nil {
				rows.Close()
				return err
			}
			batch = batch[:0]
		}
		person = c.Person
		batch = append(batch, c)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		if err := flush(person, batch); err != nil {
			return err
		}
	}
	moments, err := tx.Query(`SELECT programme_id, occurred_at FROM contacts WHERE voided_at IS NULL`)
	if err != nil {
		return err
	}
	for moments.Next() {
		var prog int64
		var at string
		if err := moments.Scan(&prog, &at); err != nil {
			moments.Close()
			return err
		}
		if t, err := cases.ParseTime(at); err == nil {
			d.Moments(prog, t, +1)
		}
	}
	if err := moments.Close(); err != nil {
		return err
	}
	return tx.applyCounts(d)
}

func (tx *Tx) allPersonAttrs() (map[int64]cases.PersonAttrs, error) {
	rows, err := tx.Query(`SELECT person_id, COALESCE(birth_date, ''), COALESCE(birth_year, 0), COALESCE(gender, '')
		FROM residents ORDER BY person_id, updated_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	records := map[int64][]cases.PersonAttrs{}
	for rows.Next() {
		var id int64
		var r cases.PersonAttrs
		if err := rows.Scan(&id, &r.BirthDate, &r.BirthYear, &r.Gender); err != nil {
			return nil, err
		}
		records[id] = append(records[id], r)
	}
	out := make(map[int64]cases.PersonAttrs, len(records))
	for id, rs := range records {
		out[id] = cases.CombineAttrs(rs)
	}
	return out, rows.Err()
}

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
	"time"

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

// reachContact is a contact as reach counts it.
type reachContact struct {
	seq         int64 // the contact's rowid: breaks ties between equal times
	personID    int64 // 0: anonymous
	programmeID int64
	at          time.Time
	hoodID      int64
	topics      []int64
	helped      bool
	counted     bool // exists and not voided
}

// personAttrs are what the age and gender breakdowns read of a person: from
// any of their records (linked records share the birth date the pseudonym
// was made from); gender from the most recently updated record that has one.
type personAttrs struct {
	birthDate string
	birthYear int
	gender    string
}

type factKey struct {
	programmeID int64 // 0: all programmes
	period      string
}

type fact struct {
	firstAt, firstSeq int64 // Unix milliseconds, contact rowid
	hoodID            int64
	helped            bool
	topics            string // sorted IDs, comma-separated
	age, gender       string
}

// newFact starts the fact of a period with its first contact.
func newFact(c reachContact, attrs personAttrs, p cases.Period) fact {
	return fact{firstAt: c.at.UnixMilli(), firstSeq: c.seq, hoodID: c.hoodID, helped: c.helped, topics: mergeTopics("", c.topics),
		age: cases.AgeBand(attrs.birthDate, attrs.birthYear, p.LastDay()), gender: cases.GenderColumn(attrs.gender)}
}

// merge takes another contact of the same person and period into f.
func (f fact) merge(c reachContact) fact {
	if at := c.at.UnixMilli(); at < f.firstAt || (at == f.firstAt && c.seq < f.firstSeq) {
		f.firstAt, f.firstSeq, f.hoodID = at, c.seq, c.hoodID
	}
	f.helped = f.helped || c.helped
	f.topics = mergeTopics(f.topics, c.topics)
	return f
}

func mergeTopics(list string, add []int64) string {
	ids := parseIDs(list)
	for _, t := range add {
		if !slices.Contains(ids, t) {
			ids = append(ids, t)
		}
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func parseIDs(list string) []int64 {
	var out []int64
	for _, s := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// personFacts computes a person's facts from all their counted contacts.
func personFacts(contacts []reachContact, attrs personAttrs) map[factKey]fact {
	out := map[factKey]fact{}
	for _, c := range contacts {
		for _, p := range cases.PeriodsOf(c.at) {
			for _, prog := range [2]int64{c.programmeID, 0} {
				k := factKey{prog, p.String()}
				if f, ok := out[k]; ok {
					out[k] = f.merge(c)
				} else {
					out[k] = newFact(c, attrs, p)
				}
			}
		}
	}
	return out
}

type counterKey struct {
	period      string
	programmeID int64
	measure     string
	key         string
}

// counterDelta collects counter changes of one refresh.
type counterDelta map[counterKey]int

func (d counterDelta) fact(k factKey, f fact, sign int) {
	add := func(measure, key string) { d[counterKey{k.period, k.programmeID, measure, key}] += sign }
	add(cases.MeasureReached, "")
	if f.helped {
		add(cases.MeasureHelped, "")
	}
	add(cases.MeasureHood, strconv.FormatInt(f.hoodID, 10))
	for _, t := range strings.Split(f.topics, ",") {
		if t != "" {
			add(cases.MeasureTopic, t)
		}
	}
	add(cases.MeasureAge, f.age)
	add(cases.MeasureGender, f.gender)
}

// moments counts one contact moment in its quarter. Moments add up, so
// half-years and years are the sums of their quarters (ReachService.counts).
func (d counterDelta) moments(programmeID int64, at string, sign int) {
	t, err := cases.ParseTime(at)
	if err != nil {
		return
	}
	d[counterKey{cases.PeriodsOf(t)[0].String(), programmeID, cases.MeasureMoments, ""}] += sign
}

// Statements on the path of every logged contact, prepared once (see
// hotStatements).
const (
	// Both queues in one query: contacts (person 0), then persons.
	reachDirty = `SELECT contact_id, existed, counted, COALESCE(programme_id, 0), COALESCE(occurred_at, ''),
		COALESCE(resident_id, ''), 0 FROM reach_dirty_contacts
		UNION ALL SELECT '', 0, 0, 0, '', '', person_id FROM reach_dirty_persons LIMIT ?`
	reachContactState = `SELECT c.rowid, COALESCE(r.person_id, 0), c.programme_id, c.occurred_at, c.neighbourhood_id,
		COALESCE((SELECT group_concat(topic_id) FROM contact_topics WHERE contact_id = c.id), ''),
		EXISTS (SELECT 1 FROM contact_outcomes o WHERE o.contact_id = c.id
			AND o.outcome_id NOT IN (SELECT id FROM outcomes WHERE slug = '` + cases.OutcomeInformationOnly + `')),
		c.voided_at IS NULL
		FROM contacts c LEFT JOIN residents r ON r.id = c.resident_id WHERE c.id = ?`
	reachFactsOfPerson = `SELECT programme_id, period, first_at, first_seq, neighbourhood_id, helped, topics, age_band, gender
		FROM reach_facts WHERE person_id = ?`
	reachPersonAttrs = `SELECT COALESCE(MAX(birth_date), ''), COALESCE(MAX(birth_year), 0),
		COALESCE((SELECT gender FROM residents WHERE person_id = ?1 AND gender IS NOT NULL
			ORDER BY updated_at DESC, id DESC LIMIT 1), '')
		FROM residents WHERE person_id = ?1`
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
	d := counterDelta{}
	full := map[int64]bool{}
	for _, p := range persons {
		full[p] = true
	}
	var added []reachContact
	for _, dc := range dirty {
		cur, err := tx.contactState(dc.id)
		if err != nil {
			return err
		}
		if dc.existed && dc.counted {
			d.moments(dc.programmeID, dc.at, -1)
		}
		if cur.counted {
			d.moments(cur.programmeID, cases.FormatTime(cur.at), +1)
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
			if cur.personID != 0 {
				full[cur.personID] = true
			}
		case cur.counted && cur.personID != 0:
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
	byPerson := map[int64][]reachContact{}
	var order []int64
	for _, c := range added {
		if !full[c.personID] {
			if byPerson[c.personID] == nil {
				order = append(order, c.personID)
			}
			byPerson[c.personID] = append(byPerson[c.personID], c)
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
func (tx *Tx) contactState(id string) (reachContact, error) {
	var c reachContact
	var topics, at string
	err := tx.queryRowPrepared(reachContactState, id).Scan(&c.seq, &c.personID, &c.programmeID, &at, &c.hoodID,
		&topics, &c.helped, &c.counted)
	if errors.Is(err, sql.ErrNoRows) {
		return reachContact{}, nil
	} else if err != nil {
		return c, err
	}
	c.topics = parseIDs(topics)
	c.at, err = cases.ParseTime(at)
	return c, err
}

func (tx *Tx) personAttrs(personID int64) (personAttrs, error) {
	var a personAttrs
	err := tx.queryRowPrepared(reachPersonAttrs, personID).Scan(&a.birthDate, &a.birthYear, &a.gender)
	return a, err
}

// addContactsToFacts merges new contacts of one person into their facts,
// reading the facts once and writing the changed ones in one batch.
func (tx *Tx) addContactsToFacts(personID int64, contacts []reachContact, d counterDelta) error {
	rows, err := tx.queryPrepared(reachFactsOfPerson, personID)
	if err != nil {
		return err
	}
	have, err := scanFacts(rows)
	if err != nil {
		return err
	}
	old := maps.Clone(have)
	var attrs *personAttrs
	var changed []factKey
	for _, c := range contacts {
		for _, p := range cases.PeriodsOf(c.at) {
			for _, prog := range [2]int64{c.programmeID, 0} {
				k := factKey{prog, p.String()}
				f, ok := have[k]
				if ok {
					f = f.merge(c)
				} else {
					if attrs == nil {
						a, err := tx.personAttrs(personID)
						if err != nil {
							return err
						}
						attrs = &a
					}
					f = newFact(c, *attrs, p)
				}
				if !ok || f != have[k] {
					if !slices.Contains(changed, k) {
						changed = append(changed, k)
					}
					have[k] = f
				}
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
			d.fact(k, o, -1)
		}
		d.fact(k, have[k], +1)
		writes = append(writes, factWrite{k, have[k]})
	}
	return tx.writeFacts(personID, writes)
}

type factWrite struct {
	key  factKey
	fact fact
}

func scanFacts(rows *sql.Rows) (map[factKey]fact, error) {
	defer rows.Close()
	out := map[factKey]fact{}
	for rows.Next() {
		var k factKey
		var f fact
		if err := rows.Scan(&k.programmeID, &k.period, &f.firstAt, &f.firstSeq, &f.hoodID, &f.helped, &f.topics,
			&f.age, &f.gender); err != nil {
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
			args = append(args, personID, w.key.programmeID, w.key.period, f.firstAt, f.firstSeq, f.hoodID, f.helped,
				f.topics, f.age, f.gender)
		}
		_, err := tx.execPrepared(reachFactUpsert(len(chunk)), args...)
		return err
	})
}

// recomputePerson recomputes a person's facts from their counted contacts
// and moves the counters by the difference.
func (tx *Tx) recomputePerson(personID int64, d counterDelta) error {
	attrs, err := tx.personAttrs(personID)
	if err != nil {
		return err
	}
	contacts, err := tx.personContacts(personID)
	if err != nil {
		return err
	}
	want := personFacts(contacts, attrs)
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
			d.fact(k, old, -1)
			if _, err := tx.Exec(`DELETE FROM reach_facts WHERE person_id = ? AND programme_id = ? AND period = ?`,
				personID, k.programmeID, k.period); err != nil {
				return err
			}
		case f != old:
			d.fact(k, old, -1)
			d.fact(k, f, +1)
			writes = append(writes, factWrite{k, f})
		}
	}
	for k, f := range want {
		if _, ok := have[k]; !ok {
			d.fact(k, f, +1)
			writes = append(writes, factWrite{k, f})
		}
	}
	return tx.writeFacts(personID, writes)
}

const reachContactColumns = `c.rowid, r.person_id, c.programme_id, c.occurred_at, c.neighbourhood_id,
	COALESCE((SELECT group_concat(topic_id) FROM contact_topics WHERE contact_id = c.id), ''),
	EXISTS (SELECT 1 FROM contact_outcomes o WHERE o.contact_id = c.id
		AND o.outcome_id NOT IN (SELECT id FROM outcomes WHERE slug = '` + cases.OutcomeInformationOnly + `'))`

func (tx *Tx) personContacts(personID int64) ([]reachContact, error) {
	rows, err := tx.Query(`SELECT `+reachContactColumns+`
		FROM residents r JOIN contacts c ON c.resident_id = r.id
		WHERE r.person_id = ? AND c.voided_at IS NULL`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reachContact
	for rows.Next() {
		c, err := scanReachContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanReachContact(rows *sql.Rows) (reachContact, error) {
	c := reachContact{counted: true}
	var topics, at string
	if err := rows.Scan(&c.seq, &c.personID, &c.programmeID, &at, &c.hoodID, &topics, &c.helped); err != nil {
		return c, err
	}
	c.topics = parseIDs(topics)
	var err error
	c.at, err = cases.ParseTime(at)
	return c, err
}

func (tx *Tx) applyCounts(d counterDelta) error {
	keys := make([]counterKey, 0, len(d))
	for k, n := range d {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// A fixed order keeps the writes deterministic.
	slices.SortFunc(keys, func(a, b counterKey) int {
		return strings.Compare(a.period+"\x00"+a.measure+"\x00"+a.key+"\x00"+strconv.FormatInt(a.programmeID, 10),
			b.period+"\x00"+b.measure+"\x00"+b.key+"\x00"+strconv.FormatInt(b.programmeID, 10))
	})
	return batched(keys, countBatches, func(chunk []counterKey) error {
		args := make([]any, 0, 5*len(chunk))
		for _, k := range chunk {
			args = append(args, k.period, k.programmeID, k.measure, k.key, d[k])
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
	d := counterDelta{}
	insert, err := tx.Prepare(`INSERT INTO reach_facts (person_id, programme_id, period, first_at, first_seq,
		neighbourhood_id, helped, topics, age_band, gender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	flush := func(personID int64, contacts []reachContact) error {
		for k, f := range personFacts(contacts, attrs[personID]) {
			d.fact(k, f, +1)
			if _, err := insert.Exec(personID, k.programmeID, k.period, f.firstAt, f.firstSeq, f.hoodID, f.helped,
				f.topics, f.age, f.gender); err != nil {
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
	var batch []reachContact
	for rows.Next() {
		c, err := scanReachContact(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if c.personID != person && len(batch) > 0 {
			if err := flush(person, batch); err != nil {
				rows.Close()
				return err
			}
			batch = batch[:0]
		}
		person = c.personID
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
		d.moments(prog, at, +1)
	}
	if err := moments.Close(); err != nil {
		return err
	}
	return tx.applyCounts(d)
}

func (tx *Tx) allPersonAttrs() (map[int64]personAttrs, error) {
	rows, err := tx.Query(`SELECT person_id, COALESCE(birth_date, ''), COALESCE(birth_year, 0), COALESCE(gender, '')
		FROM residents ORDER BY person_id, updated_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]personAttrs{}
	for rows.Next() {
		var id int64
		var r personAttrs
		if err := rows.Scan(&id, &r.birthDate, &r.birthYear, &r.gender); err != nil {
			return nil, err
		}
		a := out[id]
		// The same choice as reachPersonAttrs: the largest birth date and
		// year, the gender of the most recently updated record with one.
		a.birthDate = max(a.birthDate, r.birthDate)
		a.birthYear = max(a.birthYear, r.birthYear)
		if r.gender != "" {
			a.gender = r.gender
		}
		out[id] = a
	}
	return out, rows.Err()
}

package storage

import "github.com/buurtbrug/buurtbrug/cases"

// rebuildReach recomputes all facts and counters from the contacts, in one
// pass over the contacts in person order (a range of persons at a time).
// For bulk loads and migrated databases; the incremental path must agree
// with it.
func (tx *Tx) rebuildReach() error {
	for _, stmt := range []string{`DELETE FROM reach_facts`, `DELETE FROM reach_counts`,
		`DELETE FROM reach_dirty_contacts`, `DELETE FROM reach_dirty_persons`} {
		if _, err := tx.Exec(stmt); err != nil {
			return err
		}
	}
	orgs, err := tx.programmeOrgs()
	if err != nil {
		return err
	}
	records, err := tx.allPersonRecords()
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
		attrs := cases.AttrsOf(records[personID], func(programme int64) int64 { return orgs[programme] })
		for k, f := range cases.PersonFacts(contacts, attrs) {
			d.Fact(k, f, +1)
			if _, err := insert.Exec(personID, k.Programme, k.Period, f.FirstAt, f.FirstSeq, f.Hood, f.Helped,
				f.Topics, f.Age, f.Gender); err != nil {
				return err
			}
		}
		return nil
	}
	// Persons are read a range of ids at a time, whole, and written after
	// each range: PostgreSQL cannot write on a connection while it still
	// reads a query's rows.
	var last int64
	if err := tx.QueryRow(`SELECT COALESCE(MAX(person_id), 0) FROM residents`).Scan(&last); err != nil {
		return err
	}
	for from := int64(0); from <= last; from += rebuildPersons {
		byPerson, order, err := tx.contactsOfPersons(from, from+rebuildPersons)
		if err != nil {
			return err
		}
		for _, p := range order {
			if err := flush(p, byPerson[p]); err != nil {
				return err
			}
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

// rebuildPersons is how many person ids a rebuild reads at a time.
const rebuildPersons = 20000

// contactsOfPersons reads the counted contacts of the persons with ids in
// [from, to), in person order.
func (tx *Tx) contactsOfPersons(from, to int64) (map[int64][]cases.ReachContact, []int64, error) {
	rows, err := tx.Query(`SELECT `+reachContactColumns+`
		FROM residents r`+tx.db.engine.indexedBy("residents_person")+` JOIN contacts c ON c.resident_id = r.id
		WHERE r.person_id >= ? AND r.person_id < ? AND c.voided_at IS NULL ORDER BY r.person_id`, from, to)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := map[int64][]cases.ReachContact{}
	var order []int64
	for rows.Next() {
		c, err := scanReachContact(rows)
		if err != nil {
			return nil, nil, err
		}
		if out[c.Person] == nil {
			order = append(order, c.Person)
		}
		out[c.Person] = append(out[c.Person], c)
	}
	return out, order, rows.Err()
}

// allPersonRecords reads every person's records, oldest update first.
func (tx *Tx) allPersonRecords() (map[int64][]cases.PersonRecord, error) {
	rows, err := tx.Query(`SELECT person_id, organisation_id, COALESCE(birth_date, ''), COALESCE(birth_year, 0),
		COALESCE(gender, '') FROM residents ORDER BY person_id, updated_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]cases.PersonRecord{}
	for rows.Next() {
		var id int64
		var r cases.PersonRecord
		if err := rows.Scan(&id, &r.Organisation, &r.BirthDate, &r.BirthYear, &r.Gender); err != nil {
			return nil, err
		}
		out[id] = append(out[id], r)
	}
	return out, rows.Err()
}

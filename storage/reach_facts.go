package storage

import (
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The reach facts and counters as stored: reading a person's facts and
// contacts, and writing the changes of a refresh in batches.

// addContactsToFacts merges new contacts of one person into their facts,
// reading the facts once and writing the changed ones in one batch.
func (tx *Tx) addContactsToFacts(personID int64, contacts []cases.ReachContact, d cases.CounterDelta, orgs map[int64]int64) error {
	rows, err := tx.queryPrepared(reachFactsOfPerson, personID)
	if err != nil {
		return err
	}
	have, err := scanFacts(rows)
	if err != nil {
		return err
	}
	old := maps.Clone(have)
	var attrs cases.AttrsByProgramme
	var changed []cases.FactKey
	for _, c := range contacts {
		for _, k := range cases.FactKeys(c.Programme, c.At) {
			f, ok := have[k]
			if ok {
				f = f.Merge(c)
			} else {
				if attrs == nil {
					if attrs, err = tx.personAttrs(personID, orgs); err != nil {
						return err
					}
				}
				p, _ := cases.ParsePeriod(k.Period)
				f = cases.NewFact(c, attrs(k.Programme), p)
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
func (tx *Tx) recomputePerson(personID int64, d cases.CounterDelta, orgs map[int64]int64) error {
	attrs, err := tx.personAttrs(personID, orgs)
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
	cases.KeepCounted(want, have, attrs)
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
	` + reachTopicKeys + `, ` + reachOutcomeSlugs

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

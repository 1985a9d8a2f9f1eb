package storage

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// reachFixture is a database with two organisations' workers, for driving
// the contact and resident services directly.
type reachFixture struct {
	t         *testing.T
	db        *DB
	residents *cases.ResidentService
	contacts  *cases.ContactService
	reach     *cases.ReachService
	actors    []cases.Actor
	// programmes of each actor's organisation
	programmes [][]string
}

func newReachFixture(t *testing.T, now time.Time) *reachFixture {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, storagetest.DSN(t, "reach"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Clock = func() time.Time { return now }
	f := &reachFixture{t: t, db: db, residents: cases.NewResidentService(db, []byte("reach-test-secret-0123456789abcdef")),
		contacts: cases.NewContactService(db), reach: cases.NewReachService(db)}
	f.contacts.Window = 3 * 365 * 24 * time.Hour
	// Two organisations with their programmes; gemeente's programme and a
	// second one added to al-amal, so one organisation runs two.
	if _, err := db.Write.Exec(`INSERT INTO programmes (slug, name, organisation_id)
		VALUES ('hoop-jongeren', 'HOOP Jongeren', (SELECT id FROM organisations WHERE slug = 'al-amal'))`); err != nil {
		t.Fatal(err)
	}
	if err := db.ref.load(ctx, db.Read); err != nil {
		t.Fatal(err)
	}
	for i, org := range []string{"al-amal", "dock"} {
		var orgID int64
		if err := db.Write.QueryRow(`SELECT id FROM organisations WHERE slug = ?`, org).Scan(&orgID); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.Write.QueryRow(`INSERT INTO users (organisation_id, username, display_name, password_hash, created_at)
			VALUES (?, ?, ?, 'x', ?) RETURNING id`, orgID, "w"+strconv.Itoa(i), "Worker", cases.FormatTime(now)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		f.actors = append(f.actors, cases.Actor{UserID: id, Username: "w" + strconv.Itoa(i), OrganisationID: orgID,
			OrganisationSlug: org, Roles: []string{cases.RoleCoordinator}})
		var slugs []string
		for _, p := range db.ref.get().ProgrammesOf(orgID) {
			slugs = append(slugs, p.Slug)
		}
		f.programmes = append(f.programmes, slugs)
	}
	return f
}

// counters reads reach_counts without zeros.
func (f *reachFixture) counters() map[cases.CounterKey]int {
	f.t.Helper()
	rows, err := f.db.Read.Query(`SELECT period, programme_id, measure, key, n FROM reach_counts WHERE n <> 0`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	out := map[cases.CounterKey]int{}
	for rows.Next() {
		var k cases.CounterKey
		var n int
		if err := rows.Scan(&k.Period, &k.Programme, &k.Measure, &k.Key, &n); err != nil {
			f.t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// truth counts from the contacts directly, written independently of the
// facts: sets of persons per period and programme.
func (f *reachFixture) truth() map[cases.CounterKey]int {
	f.t.Helper()
	type row struct {
		seq      int64
		prog     int64
		at       string
		hood     int64
		person   int64
		topics   map[string]bool
		outcomes map[string]bool
	}
	rows, err := f.db.Read.Query(`SELECT c.rowid, c.programme_id, c.occurred_at, c.neighbourhood_id, COALESCE(r.person_id, 0),
		COALESCE((SELECT string_agg(CAST(topic_id AS TEXT), ',') FROM contact_topics WHERE contact_id = c.id), ''),
		COALESCE((SELECT string_agg(o.slug, ',') FROM contact_outcomes co JOIN outcomes o ON o.id = co.outcome_id
			WHERE co.contact_id = c.id), '')
		FROM contacts c LEFT JOIN residents r ON r.id = c.resident_id WHERE c.voided_at IS NULL`)
	if err != nil {
		f.t.Fatal(err)
	}
	var contacts []row
	for rows.Next() {
		var r row
		var topics, outcomes string
		if err := rows.Scan(&r.seq, &r.prog, &r.at, &r.hood, &r.person, &topics, &outcomes); err != nil {
			f.t.Fatal(err)
		}
		r.topics, r.outcomes = set(topics), set(outcomes)
		contacts = append(contacts, r)
	}
	rows.Close()
	attrs := map[int64]cases.PersonAttrs{}
	prow, err := f.db.Read.Query(`SELECT person_id, COALESCE(birth_date, ''), COALESCE(birth_year, 0), COALESCE(gender, ''),
		updated_at, id FROM residents`)
	if err != nil {
		f.t.Fatal(err)
	}
	latest := map[int64]string{}
	for prow.Next() {
		var id int64
		var bd, g, upd, rid string
		var by int
		if err := prow.Scan(&id, &bd, &by, &g, &upd, &rid); err != nil {
			f.t.Fatal(err)
		}
		a := attrs[id]
		a.BirthDate, a.BirthYear = max(a.BirthDate, bd), max(a.BirthYear, by)
		if g != "" && upd+rid > latest[id] {
			a.Gender, latest[id] = g, upd+rid
		}
		attrs[id] = a
	}
	prow.Close()

	out := map[cases.CounterKey]int{}
	type group struct {
		period string
		prog   int64
		person int64
	}
	groups := map[group][]row{}
	periodOf := map[string]cases.Period{}
	for _, c := range contacts {
		t, _ := cases.ParseTime(c.at)
		// Moments are counted per quarter (they add up).
		out[cases.CounterKey{Period: cases.PeriodsOf(t)[0].String(), Programme: c.prog, Measure: cases.MeasureMoments}]++
		for _, p := range cases.PeriodsOf(t) {
			periodOf[p.String()] = p
			if c.person != 0 {
				groups[group{p.String(), c.prog, c.person}] = append(groups[group{p.String(), c.prog, c.person}], c)
				groups[group{p.String(), 0, c.person}] = append(groups[group{p.String(), 0, c.person}], c)
			}
		}
	}
	for g, cs := range groups {
		add := func(m, k string) { out[cases.CounterKey{Period: g.period, Programme: g.prog, Measure: m, Key: k}]++ }
		add(cases.MeasureReached, "")
		first := slices.MinFunc(cs, func(a, b row) int {
			if a.at != b.at {
				return compare(a.at, b.at)
			}
			return int(a.seq - b.seq)
		})
		add(cases.MeasureHood, strconv.FormatInt(first.hood, 10))
		helped := false
		topics := map[string]bool{}
		for _, c := range cs {
			for o := range c.outcomes {
				helped = helped || o != cases.OutcomeInformationOnly
			}
			maps.Copy(topics, c.topics)
		}
		if helped {
			add(cases.MeasureHelped, "")
		}
		for t := range topics {
			add(cases.MeasureTopic, t)
		}
		a := attrs[g.person]
		add(cases.MeasureAge, cases.AgeBand(a.BirthDate, a.BirthYear, periodOf[g.period].LastDay()))
		add(cases.MeasureGender, cases.GenderColumn(a.Gender))
	}
	return out
}

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, s := range splitNonEmpty(list) {
		m[s] = true
	}
	return m
}

func splitNonEmpty(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func diffCounters(t *testing.T, what string, got, want map[cases.CounterKey]int) {
	t.Helper()
	n := 0
	for k, w := range want {
		if got[k] != w {
			n++
			if n <= 10 {
				t.Errorf("%s: %+v = %d, want %d", what, k, got[k], w)
			}
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			n++
			if n <= 10 {
				t.Errorf("%s: %+v = %d, want 0", what, k, g)
			}
		}
	}
	if n > 10 {
		t.Errorf("%s: %d differences in all", what, n)
	}
}

// TestReachFactsFollowEveryChange drives random creates, corrections (time
// across period boundaries, programme, neighbourhood, topics, outcomes),
// voids and resident changes (relinking to another person, birth date,
// gender) and checks the counters against a brute-force count after each
// round, and against a rebuild at the end.
func TestReachFactsFollowEveryChange(t *testing.T) {
	now := time.Date(2024, 7, 20, 12, 0, 0, 0, time.UTC)
	f := newReachFixture(t, now)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(4, 2024))
	ref := f.db.ref.get()
	pick := func(terms []cases.Term) string { return terms[rng.IntN(len(terms))].Slug }
	families := []string{"Yilmaz", "de Boer", "Bakker", "El Idrissi", "Jansen", "Kaya"}
	type res struct {
		id    string
		actor int
	}
	var residents []res
	type contact struct {
		id    string
		actor int
	}
	var contacts []contact
	randomTime := func() string {
		// Spread over 2023-12 .. 2024-07 so quarters, halves and years all
		// have boundaries to cross, including midnight in Amsterdam.
		start := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
		d := time.Duration(rng.Int64N(int64(now.Sub(start))))
		if rng.IntN(8) == 0 { // right at a quarter boundary, in local time
			b := []time.Time{time.Date(2024, 1, 1, 0, 0, 0, 0, cases.Amsterdam), time.Date(2024, 4, 1, 0, 0, 0, 0, cases.Amsterdam),
				time.Date(2024, 7, 1, 0, 0, 0, 0, cases.Amsterdam)}[rng.IntN(3)]
			return b.Add(time.Duration(rng.IntN(3)-1) * time.Minute).Format(time.RFC3339)
		}
		return start.Add(d).Format(time.RFC3339)
	}
	topics := func() []string {
		ts := []string{pick(ref.Topics)}
		if rng.IntN(3) == 0 {
			if t2 := pick(ref.Topics); t2 != ts[0] {
				ts = append(ts, t2)
			}
		}
		return ts
	}
	outcomes := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{cases.OutcomeInformationOnly}
		}
		return []string{pick(ref.Outcomes)}
	}
	for round := range 6 {
		for range 40 {
			switch op := rng.IntN(10); {
			case op < 2 || len(residents) < 5:
				a := rng.IntN(2)
				in := cases.ResidentInput{GivenName: "Test", FamilyName: families[rng.IntN(len(families))]}
				if rng.IntN(3) > 0 {
					in.BirthDate = fmt.Sprintf("%d-0%d-1%d", 1950+rng.IntN(70), 1+rng.IntN(9), rng.IntN(10))
				} else if rng.IntN(2) == 0 {
					in.BirthYear = 1950 + rng.IntN(70)
				}
				if rng.IntN(2) == 0 {
					in.Gender = cases.Genders[rng.IntN(3)]
				}
				r, err := f.residents.Create(ctx, f.actors[a], in)
				if err != nil {
					t.Fatal(err)
				}
				residents = append(residents, res{r.ID, a})
			case op < 6:
				a := rng.IntN(2)
				in := cases.ContactInput{ID: uuid.NewString(), Programme: f.programmes[a][rng.IntN(len(f.programmes[a]))],
					OccurredAt: randomTime(), Neighbourhood: pick(ref.Neighbourhoods), Kind: pick(ref.Kinds),
					Topics: topics(), Outcomes: outcomes()}
				var mine []res
				for _, r := range residents {
					if r.actor == a {
						mine = append(mine, r)
					}
				}
				if len(mine) == 0 || rng.IntN(6) == 0 {
					in.Anonymous = true
				} else {
					in.ResidentID = mine[rng.IntN(len(mine))].id
				}
				c, _, err := f.contacts.Create(ctx, f.actors[a], in)
				if err != nil {
					t.Fatal(err)
				}
				contacts = append(contacts, contact{c.ID, a})
			case op < 8 && len(contacts) > 0:
				c := contacts[rng.IntN(len(contacts))]
				var p cases.ContactPatch
				switch rng.IntN(5) {
				case 0:
					at := randomTime()
					p.OccurredAt = &at
				case 1:
					prog := f.programmes[c.actor][rng.IntN(len(f.programmes[c.actor]))]
					p.Programme = &prog
				case 2:
					hood := pick(ref.Neighbourhoods)
					p.Neighbourhood = &hood
				case 3:
					ts := topics()
					p.Topics = &ts
				default:
					os := outcomes()
					if os == nil {
						os = []string{}
					}
					p.Outcomes = &os
				}
				if _, err := f.contacts.Correct(ctx, f.actors[c.actor], c.id, p); err != nil && cases.ErrorCode(err) != cases.ECONFLICT {
					t.Fatal(err)
				}
			case op < 9 && len(contacts) > 0:
				c := contacts[rng.IntN(len(contacts))]
				if _, err := f.contacts.Void(ctx, f.actors[c.actor], c.id, cases.VoidInput{Reason: "test"}); err != nil && cases.ErrorCode(err) != cases.ECONFLICT {
					t.Fatal(err)
				}
			default:
				r := residents[rng.IntN(len(residents))]
				var p cases.ResidentPatch
				switch rng.IntN(3) {
				case 0: // another family name may link the record to another person
					name := families[rng.IntN(len(families))]
					p.FamilyName = &name
				case 1:
					g := cases.Genders[rng.IntN(3)]
					p.Gender = &g
				default:
					bd := fmt.Sprintf("%d-05-05", 1950+rng.IntN(70))
					p.BirthDate = &bd
				}
				if _, err := f.residents.Update(ctx, f.actors[r.actor], r.id, p); err != nil && cases.ErrorCode(err) != cases.EINVALID {
					t.Fatal(err)
				}
			}
		}
		// Resident changes are taken in on the next read.
		if err := f.reach.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		diffCounters(t, "round "+strconv.Itoa(round), f.counters(), f.truth())
		if t.Failed() {
			return
		}
	}
	// Contacts written elsewhere (a bulk import, another service) in one
	// transaction, several per person, are taken in on the next read.
	tx, err := f.db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range hookLimit + 50 {
		r := residents[rng.IntN(len(residents))]
		id := uuid.NewString()
		at, _ := time.Parse(time.RFC3339, randomTime())
		var prog int64
		f.db.Read.QueryRow(`SELECT id FROM programmes WHERE slug = ?`, f.programmes[r.actor][i%len(f.programmes[r.actor])]).Scan(&prog)
		if _, err := tx.Exec(`INSERT INTO contacts (id, organisation_id, programme_id, worker_id, resident_id, occurred_at,
			neighbourhood_id, kind_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, '', '')`,
			id, f.actors[r.actor].OrganisationID, prog, f.actors[r.actor].UserID, r.id, cases.FormatTime(at), 1+rng.IntN(4)); err != nil {
			t.Fatal(err)
		}
		tx.Exec(`INSERT INTO contact_topics (contact_id, topic_id) VALUES (?, ?)`, id, 1+rng.IntN(5))
		if i%3 == 0 {
			tx.Exec(`INSERT INTO contact_outcomes (contact_id, outcome_id) VALUES (?, ?)`, id, 1+rng.IntN(3))
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Logging a contact leaves a backlog that large to the next reader.
	if _, _, err := f.contacts.Create(ctx, f.actors[0], cases.ContactInput{ID: uuid.NewString(),
		Programme: "hoop", Neighbourhood: "zambesibuurt", Kind: "spreekuur", Anonymous: true, Topics: []string{"taal"},
		OccurredAt: now.Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	var pending int
	f.db.Read.QueryRow(`SELECT COUNT(*) FROM reach_dirty_contacts`).Scan(&pending)
	if pending != hookLimit+51 {
		t.Errorf("%d contacts pending after a backlog, want %d", pending, hookLimit+51)
	}
	if err := f.reach.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	diffCounters(t, "bulk", f.counters(), f.truth())
	var n int
	f.db.Read.QueryRow(`SELECT COUNT(*) FROM reach_facts`).Scan(&n)
	if n == 0 {
		t.Fatal("no facts written")
	}
	var nv, nc, np int
	f.db.Read.QueryRow(`SELECT COUNT(*) FROM contacts WHERE voided_at IS NOT NULL`).Scan(&nv)
	f.db.Read.QueryRow(`SELECT COUNT(*) FROM contact_versions`).Scan(&nc)
	f.db.Read.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM residents`).Scan(&np)
	t.Logf("facts %d, voided %d, corrections %d, persons %d, counters %d", n, nv, nc, np, len(f.counters()))
	incremental := f.counters()
	if err := f.reach.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	diffCounters(t, "rebuild", f.counters(), incremental)
}

package storage

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestMergeKeepsReachRight: merging two records of one organisation —
// of the same person, and of two persons one of whom another organisation
// also knows — leaves the counters equal to a brute-force count from the
// records and contacts, and to a rebuild: the person is counted once, not
// split, not twice. The old pseudonym leads to the person kept.
func TestMergeKeepsReachRight(t *testing.T) {
	now := time.Date(2024, 7, 20, 12, 0, 0, 0, time.UTC)
	f := newReachFixture(t, now)
	ctx := context.Background()
	hoop, dock := f.actors[0], f.actors[1]
	newRecord := func(a cases.Actor, family, birth string, year int) *cases.Resident {
		r, err := f.residents.Create(ctx, a, cases.ResidentInput{GivenName: "Test", FamilyName: family, BirthDate: birth,
			BirthYear: year, Gender: "vrouw"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	contact := func(a cases.Actor, programme string, r *cases.Resident, at time.Time, outcome string) {
		in := cases.ContactInput{ID: uuid.NewString(), Programme: programme, OccurredAt: at.Format(time.RFC3339),
			Neighbourhood: "zambesibuurt", Kind: "spreekuur", ResidentID: r.ID, Topics: []string{"schulden"}}
		if outcome != "" {
			in.Outcomes = []string{outcome}
		}
		if _, _, err := f.contacts.Create(ctx, a, in); err != nil {
			t.Fatal(err)
		}
	}
	// HOOP has Fatima twice: with her date of birth (person 1, whom DOCK
	// knows too by the same person link) and with a year only (a person
	// of her own, whom DOCK also holds a record of: a handover receiver's
	// record shares the sender's person).
	full := newRecord(hoop, "El Idrissi", "1990-04-01", 0)
	yearOnly := newRecord(hoop, "El Idrissi", "", 1990)
	dockFull := newRecord(dock, "El Idrissi", "1990-04-01", 0)
	dockYear := newRecord(dock, "El Idrissi", "", 1990)
	if _, err := f.db.Write.Exec(`UPDATE residents SET person_id = ? WHERE id = ?`, yearOnly.PersonID, dockYear.ID); err != nil {
		t.Fatal(err)
	}
	// And Bas twice by the same person link.
	bas1, bas2 := newRecord(hoop, "de Boer", "1975-02-03", 0), newRecord(hoop, "Boer, de", "1975-02-03", 0)
	if bas1.PersonID != bas2.PersonID || full.PersonID == yearOnly.PersonID {
		t.Fatalf("persons: bas %d %d, fatima %d %d", bas1.PersonID, bas2.PersonID, full.PersonID, yearOnly.PersonID)
	}
	q2, q3 := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC), time.Date(2024, 7, 2, 10, 0, 0, 0, time.UTC)
	contact(hoop, "hoop", full, q3, "")
	contact(hoop, "hoop", yearOnly, q2, "schuldhulptraject")
	contact(hoop, "hoop-jongeren", yearOnly, q3, "")
	contact(dock, f.programmes[1][0], dockFull, q2, "")
	contact(dock, f.programmes[1][0], dockYear, q3, "informatie-gegeven")
	contact(hoop, "hoop", bas1, q2, "")
	contact(hoop, "hoop", bas2, q3, "")
	if err := f.reach.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	diffCounters(t, "before merging", f.counters(), f.truth())

	for _, m := range [][2]*cases.Resident{{yearOnly, full}, {bas2, bas1}} {
		if _, err := f.residents.Merge(ctx, hoop, m[0].ID, cases.MergeInput{Into: m[1].ID}); err != nil {
			t.Fatal(err)
		}
		if err := f.reach.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		diffCounters(t, "after merging "+m[0].FamilyName, f.counters(), f.truth())
	}
	var persons int
	f.db.Read.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM residents WHERE family_name LIKE '%Idrissi%'`).Scan(&persons)
	if persons != 1 {
		t.Errorf("Fatima's four records belong to %d persons, want 1", persons)
	}
	// Everyone reached in 2024 by all programmes together: Fatima and Bas.
	var reached int
	f.db.Read.QueryRow(`SELECT n FROM reach_counts WHERE period = '2024' AND programme_id = 0 AND measure = ?`,
		cases.MeasureReached).Scan(&reached)
	if reached != 2 {
		t.Errorf("2024, all programmes: %d persons reached, want 2", reached)
	}
	// A new record with the merged-away record's pseudonym finds the person kept.
	if r := newRecord(dock, "El Idrissi", "1990-04-01", 0); r.PersonID != full.PersonID {
		t.Errorf("a new record of Fatima got person %d, want %d", r.PersonID, full.PersonID)
	}
	incremental := f.counters()
	if err := f.reach.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	diffCounters(t, "rebuild after merging", f.counters(), incremental)
}

package storage

import (
	"context"
	"database/sql"
	"sync"

	"github.com/buurtbrug/buurtbrug/cases"
)

// ReferenceService serves reference data from memory. The lists are small
// and read on every contact written, so they are loaded once and reloaded
// whenever an administrator changes them.
type ReferenceService struct {
	db *DB

	mu  sync.RWMutex
	ref *cases.Reference
	ids refIndex
}

type refIndex struct {
	programmes     map[string]cases.Programme
	neighbourhoods map[string]int64
	topics         map[string]int64
	outcomes       map[string]int64
	kinds          map[string]int64
	organisations  map[string]int64
	// slugs by ID, for reading rows back
	neighbourhoodSlug, topicSlug, outcomeSlug, kindSlug, programmeSlug map[int64]string
}

// NewReferenceService loads the reference data.
func NewReferenceService(ctx context.Context, db *DB) (*ReferenceService, error) {
	s := &ReferenceService{db: db}
	return s, s.Reload(ctx)
}

// Reload reads the reference data again.
func (s *ReferenceService) Reload(ctx context.Context) error {
	ref := &cases.Reference{}
	var err error
	if ref.Organisations, err = loadOrganisations(ctx, s.db.Read); err != nil {
		return err
	}
	if ref.Programmes, err = loadProgrammes(ctx, s.db.Read); err != nil {
		return err
	}
	for _, list := range []struct {
		table string
		dst   *[]cases.Term
	}{
		{"neighbourhoods", &ref.Neighbourhoods}, {"topics", &ref.Topics},
		{"outcomes", &ref.Outcomes}, {"contact_kinds", &ref.Kinds},
	} {
		if *list.dst, err = loadTerms(ctx, s.db.Read, list.table); err != nil {
			return err
		}
	}
	idx := refIndex{
		programmes:     map[string]cases.Programme{},
		neighbourhoods: termIDs(ref.Neighbourhoods), topics: termIDs(ref.Topics),
		outcomes: termIDs(ref.Outcomes), kinds: termIDs(ref.Kinds),
		organisations:     map[string]int64{},
		neighbourhoodSlug: termSlugs(ref.Neighbourhoods), topicSlug: termSlugs(ref.Topics),
		outcomeSlug: termSlugs(ref.Outcomes), kindSlug: termSlugs(ref.Kinds),
		programmeSlug: map[int64]string{},
	}
	for _, p := range ref.Programmes {
		idx.programmes[p.Slug] = p
		idx.programmeSlug[p.ID] = p.Slug
	}
	for _, o := range ref.Organisations {
		idx.organisations[o.Slug] = o.ID
	}
	s.mu.Lock()
	s.ref, s.ids = ref, idx
	s.mu.Unlock()
	return nil
}

// Reference returns the lists, with the programmes of one organisation (0 = all).
func (s *ReferenceService) Reference(_ context.Context, organisationID int64) (*cases.Reference, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ref := *s.ref
	if organisationID != 0 {
		ref.Programmes = nil
		for _, p := range s.ref.Programmes {
			if p.OrganisationID == organisationID {
				ref.Programmes = append(ref.Programmes, p)
			}
		}
	}
	return &ref, nil
}

func (s *ReferenceService) index() refIndex {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ids
}

func termIDs(terms []cases.Term) map[string]int64 {
	m := make(map[string]int64, len(terms))
	for _, t := range terms {
		m[t.Slug] = t.ID
	}
	return m
}

func termSlugs(terms []cases.Term) map[int64]string {
	m := make(map[int64]string, len(terms))
	for _, t := range terms {
		m[t.ID] = t.Slug
	}
	return m
}

func loadOrganisations(ctx context.Context, db *sql.DB) ([]cases.Organisation, error) {
	return queryOrganisations(ctx, db, `SELECT id, slug, name FROM organisations ORDER BY name`)
}

// queryOrganisations runs a query selecting id, slug, name of organisations.
func queryOrganisations(ctx context.Context, db *sql.DB, query string, args ...any) ([]cases.Organisation, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.Organisation
	for rows.Next() {
		var o cases.Organisation
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func loadProgrammes(ctx context.Context, db *sql.DB) ([]cases.Programme, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.id, p.slug, p.name, p.organisation_id, o.slug
		FROM programmes p JOIN organisations o ON o.id = p.organisation_id
		WHERE p.active = 1 ORDER BY p.name`)
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

// loadTerms reads one reference list; table is one of four constants above,
// never user input.
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

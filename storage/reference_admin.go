package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/buurtbrug/buurtbrug/cases"
)

var _ cases.ReferenceAdmin = (*ReferenceService)(nil)

// listTables maps each extendable list to its table; table names never come
// from input.
var listTables = map[string]string{
	"neighbourhoods": "neighbourhoods", "topics": "topics", "outcomes": "outcomes", "kinds": "contact_kinds",
}

func listTable(list string) (string, error) {
	table, ok := listTables[list]
	if !ok {
		return "", cases.NotFound("reference_list")
	}
	return table, nil
}

// AddTerm appends a term to a list; the slug must be new.
func (s *ReferenceService) AddTerm(ctx context.Context, actor cases.Actor, list string, in cases.TermInput) error {
	table, err := listTable(list)
	if err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.change(ctx, func(tx *Tx) error {
		if err := tx.slugFree(table, in.Slug); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO `+table+` (slug, name_nl, name_en, sort)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(sort), 0) + 1 FROM `+table+`))`, in.Slug, in.NameNL, in.NameEN); err != nil {
			return err
		}
		return tx.audit(actor, "create", list, in.Slug, "")
	})
}

// RenameTerm changes a term's names; its slug stays.
func (s *ReferenceService) RenameTerm(ctx context.Context, actor cases.Actor, list, slug string, in cases.TermInput) error {
	table, err := listTable(list)
	if err != nil {
		return err
	}
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return err
	}
	return s.change(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE `+table+` SET name_nl = ?, name_en = ? WHERE slug = ?`, in.NameNL, in.NameEN, slug)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cases.NotFound(list)
		}
		return tx.audit(actor, "update", list, slug, "")
	})
}

// AddOrganisation adds a partner.
func (s *ReferenceService) AddOrganisation(ctx context.Context, actor cases.Actor, in cases.OrganisationInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.change(ctx, func(tx *Tx) error {
		if err := tx.slugFree("organisations", in.Slug); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO organisations (slug, name, receives_handovers) VALUES (?, ?, 1)`, in.Slug, in.Name); err != nil {
			return err
		}
		return tx.audit(actor, "create", "organisation", in.Slug, "")
	})
}

// AddProgramme adds a programme to an existing organisation.
func (s *ReferenceService) AddProgramme(ctx context.Context, actor cases.Actor, in cases.ProgrammeInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	orgID, ok := s.index().organisations[in.Organisation]
	if !ok {
		return cases.FieldInvalid("organisation", "unknown", in.Organisation)
	}
	return s.change(ctx, func(tx *Tx) error {
		if err := tx.slugFree("programmes", in.Slug); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO programmes (slug, name, organisation_id) VALUES (?, ?, ?)`, in.Slug, in.Name, orgID); err != nil {
			return err
		}
		return tx.audit(actor, "create", "programme", in.Slug, in.Organisation)
	})
}

// change runs an administrative change and reloads the cached lists.
func (s *ReferenceService) change(ctx context.Context, fn func(tx *Tx) error) error {
	if err := s.db.inTx(ctx, fn); err != nil {
		return err
	}
	return s.Reload(ctx)
}

// slugFree refuses a slug already used in table (one of the fixed tables above).
func (tx *Tx) slugFree(table, slug string) error {
	if !slices.Contains([]string{"organisations", "programmes", "neighbourhoods", "topics", "outcomes", "contact_kinds"}, table) {
		return errors.New("storage: not a reference table")
	}
	var one int
	err := tx.QueryRow(`SELECT 1 FROM `+table+` WHERE slug = ?`, slug).Scan(&one)
	switch {
	case err == nil:
		return cases.FieldInvalid("slug", "taken", "")
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return err
}

package cases

import (
	"context"
	"slices"
)

// ReferenceService reads reference data and lets administrators extend it.
type ReferenceService struct{ store Store }

// NewReferenceService returns the service.
func NewReferenceService(store Store) *ReferenceService { return &ReferenceService{store: store} }

// Reference returns every list, with the programmes of one organisation
// (0: all programmes).
func (s *ReferenceService) Reference(ctx context.Context, orgID int64) (*Reference, error) {
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	return ref.ForOrganisation(orgID), nil
}

// AddTerm appends a term to a list; the slug must be new.
func (s *ReferenceService) AddTerm(ctx context.Context, actor Actor, list string, in TermInput) error {
	if !slices.Contains(ReferenceLists, list) {
		return NotFound("reference_list")
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.References().AddTerm(ctx, list, in); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: list, EntityID: in.Slug})
	})
}

// RenameTerm changes a term's names; its slug stays.
func (s *ReferenceService) RenameTerm(ctx context.Context, actor Actor, list, slug string, in TermInput) error {
	if !slices.Contains(ReferenceLists, list) {
		return NotFound("reference_list")
	}
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		found, err := tx.References().RenameTerm(ctx, list, slug, in)
		if err != nil {
			return err
		}
		if !found {
			return NotFound(list)
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "update", Entity: list, EntityID: slug})
	})
}

// AddOrganisation adds a partner that receives handovers.
func (s *ReferenceService) AddOrganisation(ctx context.Context, actor Actor, in OrganisationInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.References().AddOrganisation(ctx, in); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "organisation", EntityID: in.Slug})
	})
}

// AddProgramme adds a programme to an existing organisation.
func (s *ReferenceService) AddProgramme(ctx context.Context, actor Actor, in ProgrammeInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	org, ok := ref.Organisation(in.Organisation)
	if !ok {
		return FieldInvalid("organisation", "unknown", in.Organisation)
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.References().AddProgramme(ctx, in, org.ID); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "programme", EntityID: in.Slug, Detail: in.Organisation})
	})
}

package cases

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// ExportHSDS writes the directory, as far as it passes f, as HSDS 3.0
// JSON (see partner_hsds.go).
func (d *DirectoryService) ExportHSDS(ctx context.Context, f PartnerFilter) (*HSDSPage, error) {
	partners, err := d.Partners(ctx, f)
	if err != nil {
		return nil, err
	}
	ref, err := d.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	return HSDS(partners, ref), nil
}

// HSDSImported says what an import changed.
type HSDSImported struct {
	Organisations, Services, Removed int
}

// hsdsPlan is what an import does to one organisation.
type hsdsPlan struct {
	org      Organisation
	services []*PartnerService
	limits   *HandoverLimits
}

// ImportHSDS makes the directory of every organization in page what the
// page says, in one transaction (the whole page or nothing): its entries
// are the page's services (each keeps its ID; entries the page lacks are
// removed) and its deadlines those the page carries. An organization is
// found by its Buurtbrug identifier, else by its name. Everything wrong is
// named at once, by where it is in the page
// ("contents[2].services[0].phone"). An administrator's task.
func (d *DirectoryService) ImportHSDS(ctx context.Context, actor Actor, page *HSDSPage) (HSDSImported, error) {
	var out HSDSImported
	if !actor.Has(RoleAdmin) {
		return out, Errorf(EFORBIDDEN, "forbidden")
	}
	ref, err := d.store.View(ctx).Reference(ctx)
	if err != nil {
		return out, err
	}
	var plans []hsdsPlan
	var problems []FieldError
	for i, o := range page.Contents {
		plan, p := planOf(ref, o, "contents["+strconv.Itoa(i)+"]")
		problems = append(problems, p...)
		plans = append(plans, plan)
	}
	if len(problems) > 0 {
		return out, Invalid(problems...)
	}
	err = d.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		out = HSDSImported{}
		existing, err := tx.Partners().PartnerServices(ctx)
		if err != nil {
			return err
		}
		for _, plan := range plans {
			removed, err := d.apply(ctx, tx, actor, plan, existing)
			if err != nil {
				return err
			}
			out.Organisations++
			out.Services += len(plan.services)
			out.Removed += removed
		}
		return nil
	})
	return out, err
}

// apply carries out one organisation's plan and answers how many entries
// it removed.
func (d *DirectoryService) apply(ctx context.Context, tx Tx, actor Actor, plan hsdsPlan, existing []PartnerService) (int, error) {
	removed := 0
	for _, e := range existing {
		keep := slices.ContainsFunc(plan.services, func(s *PartnerService) bool { return s.ID == e.ID })
		if e.OrganisationID != plan.org.ID || keep {
			continue
		}
		if _, err := tx.Partners().DeletePartnerService(ctx, plan.org.ID, e.ID); err != nil {
			return 0, err
		}
		removed++
	}
	for i, s := range plan.services {
		if slices.ContainsFunc(existing, func(e PartnerService) bool { return e.ID == s.ID && e.OrganisationID != plan.org.ID }) {
			return 0, FieldInvalid("services["+strconv.Itoa(i)+"].id", "taken", s.ID)
		}
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = tx.Now()
		}
		if err := tx.Partners().SavePartnerService(ctx, s, actor.Username); err != nil {
			return 0, err
		}
	}
	if plan.limits != nil {
		if err := setLimits(ctx, tx, actor, plan.org, *plan.limits); err != nil {
			return 0, err
		}
	}
	return removed, tx.Audit(AuditRecord{Actor: actor, Action: "import", Entity: "partner_directory",
		EntityID: plan.org.Slug, Detail: "services=" + strconv.Itoa(len(plan.services)) + " removed=" + strconv.Itoa(removed)})
}

// planOf reads one organization of a page, naming its problems under at.
func planOf(ref *Reference, o HSDSOrganization, at string) (hsdsPlan, []FieldError) {
	var problems []FieldError
	slug := hsdsSlugOf(o)
	org, ok := ref.Organisation(slug)
	if !ok {
		i := slices.IndexFunc(ref.Organisations, func(r Organisation) bool { return r.Name == o.Name })
		if ok = i >= 0; ok {
			org = ref.Organisations[i]
		}
	}
	if !ok || !org.ReceivesHandovers {
		return hsdsPlan{}, []FieldError{{Field: at + ".organization_identifiers", Tag: "unknown", Param: slug + o.Name}}
	}
	plan := hsdsPlan{org: org}
	programs := map[string]string{}
	for _, p := range ref.ProgrammesOf(org.ID) {
		programs[hsdsID("program", p.Slug)] = p.Slug
	}
	for _, p := range o.Programs {
		if pr, ok := ref.Programme(p.AlternateName); ok && pr.OrganisationID == org.ID {
			programs[p.ID] = pr.Slug
		}
	}
	for j, s := range o.Services {
		where := at + ".services[" + strconv.Itoa(j) + "]"
		if s.ProgramID != "" && programs[s.ProgramID] == "" {
			problems = append(problems, FieldError{Field: where + ".program_id", Tag: "unknown", Param: s.ProgramID})
			continue
		}
		if s.ID == "" {
			problems = append(problems, FieldError{Field: where + ".id", Tag: "required"})
			continue
		}
		svc, err := serviceOf(ref, org, s.ID, hsdsInput(s, programs))
		if err != nil {
			problems = append(problems, under(where, "id", err)...)
			continue
		}
		// The source's last change stays the entry's, so a round trip
		// changes nothing; without one, the import is the change.
		if at, err := time.Parse(time.RFC3339, s.LastModified); err == nil {
			svc.UpdatedAt = at.UTC().Truncate(time.Millisecond)
		}
		plan.services = append(plan.services, svc)
	}
	if l, ok := hsdsLimits(o); ok {
		if err := l.Validate(); err != nil {
			problems = append(problems, under(at+".attributes", "", err)...)
		} else {
			plan.limits = &l
		}
	}
	return plan, problems
}

// under names the field problems of err below prefix; an error without
// fields is a problem of field itself.
func under(prefix, field string, err error) []FieldError {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return []FieldError{{Field: prefix + "." + field, Tag: "invalid"}}
	}
	out := make([]FieldError, 0, len(e.Fields))
	for _, f := range e.Fields {
		f.Field = prefix + "." + f.Field
		out = append(out, f)
	}
	return out
}

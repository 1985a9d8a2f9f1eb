package cases

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// DirectoryService reads and edits the directory of partners.
type DirectoryService struct {
	store Store
	// Threshold is the reach threshold: a measured median is published only
	// when it rests on at least this many handovers.
	Threshold int
	// Window is how far back handovers are measured.
	Window time.Duration

	days workdayMemo // working days between two dates, remembered

	// The measured times of the whole directory, remembered for
	// measuredFor: a year's median moves slowly, reading a year of
	// handovers costs (BenchmarkNotifyPartners).
	mu         sync.Mutex
	measured   map[string]*PartnerMeasured
	measuredAt time.Time
}

// measuredFor is how long measured times are served before they are
// computed again.
const measuredFor = 10 * time.Minute

// measuredNow returns the measured times, computing them when they are
// older than measuredFor.
func (d *DirectoryService) measuredNow(ctx context.Context, v View) (map[string]*PartnerMeasured, error) {
	now := d.store.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.measured != nil && now.Sub(d.measuredAt) < measuredFor && !now.Before(d.measuredAt) {
		return d.measured, nil
	}
	flows, err := v.Reach().HandoverFlows(ctx, now.Add(-d.Window), now.Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	d.measured, d.measuredAt = d.measure(flows), now
	return d.measured, nil
}

// NewDirectoryService returns the service with the reach rules' threshold
// and a window of a year.
func NewDirectoryService(store Store) *DirectoryService {
	return &DirectoryService{store: store, Threshold: disclosure.DefaultRules().Threshold, Window: 365 * 24 * time.Hour}
}

// Partners lists the organisations that receive handovers, by name, with
// their entries, deadlines, liveness and measured times, as far as they
// pass the filter. Who may read it is the policy's: everyone who sends
// handovers, and administrators.
func (d *DirectoryService) Partners(ctx context.Context, f PartnerFilter) ([]Partner, error) {
	v := d.store.View(ctx)
	ref, err := v.Reference(ctx)
	if err != nil {
		return nil, err
	}
	f.Query = trim(f.Query)
	if err := f.Validate(ref); err != nil {
		return nil, err
	}
	services, err := v.Partners().PartnerServices(ctx)
	if err != nil {
		return nil, err
	}
	users, err := v.Users().Users(ctx, 0)
	if err != nil {
		return nil, err
	}
	limits, err := v.Handovers().AllHandoverLimits(ctx)
	if err != nil {
		return nil, err
	}
	measured := map[string]*PartnerMeasured{}
	if !f.Unmeasured {
		if measured, err = d.measuredNow(ctx, v); err != nil {
			return nil, err
		}
	}
	live := LiveOrganisations(users)
	out := []Partner{}
	for _, o := range ref.Organisations {
		if !o.ReceivesHandovers {
			continue
		}
		l, ok := limits[o.ID]
		if !ok {
			l = DefaultHandoverLimits
		}
		p := Partner{Organisation: o.Slug, Name: o.Name, Live: live[o.ID], Deadlines: l, Measured: measured[o.Slug],
			OrganisationID: o.ID, Services: []PartnerService{}}
		for _, s := range services {
			if s.OrganisationID == o.ID {
				p.Services = append(p.Services, s)
			}
		}
		if f.matches(&p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, comparePartners)
	return out, nil
}

// comparePartners is the directory's order: by name, then slug (unique).
func comparePartners(a, b Partner) int {
	if c := compareStrings(a.Name, b.Name); c != 0 {
		return c
	}
	return compareStrings(a.Organisation, b.Organisation)
}

// PartnerList is one page of the directory.
type PartnerList struct {
	Partners   []Partner `json:"partners"`
	NextCursor string    `json:"next_cursor,omitempty"`
	Total      int       `json:"total"`
	Offset     int       `json:"-"`
}

// Find is a page of the directory as Partners lists it: after the cursor
// (the name and slug of the last partner shown), at most limit partners
// (0: PartnerPageSize.Default). A page size over the maximum or a foreign
// cursor is EINVALID naming it. An export (ExportHSDS) is never a page.
func (d *DirectoryService) Find(ctx context.Context, f PartnerFilter, cursor string, limit int) (*PartnerList, error) {
	size, problems := PartnerPageSize.Of(limit)
	cur, err := ParseCursor(cursor, 2)
	if err := MergeInvalid(problems, err); err != nil {
		return nil, err
	}
	all, err := d.Partners(ctx, f)
	if err != nil {
		return nil, err
	}
	list := &PartnerList{Total: len(all), Offset: offsetOf(cur)}
	start := 0
	if cur != nil {
		after := Partner{Name: cur.Key[0], Organisation: cur.Key[1]}
		start, _ = slices.BinarySearchFunc(all, after, comparePartners)
		if start < len(all) && comparePartners(all[start], after) == 0 {
			start++
		}
	}
	end := min(start+size, len(all))
	list.Partners = all[start:end]
	if end < len(all) {
		last := all[end-1]
		list.NextCursor = Cursor{Key: []string{last.Name, last.Organisation}, N: list.Offset + size}.Encode()
	}
	return list, nil
}

// measure computes each receiving organisation's median working days from
// sending to acceptance and to first contact, each published only over at
// least Threshold handovers.
func (d *DirectoryService) measure(flows []HandoverFlowRecord) map[string]*PartnerMeasured {
	accept, contact := map[string][]int{}, map[string][]int{}
	for _, f := range flows {
		if f.AcceptedAt != nil {
			accept[f.To] = append(accept[f.To], d.days.between(f.RequestedAt, *f.AcceptedAt))
		}
		if f.ContactedAt != nil && f.FirstContactAt != nil {
			contact[f.To] = append(contact[f.To], d.days.between(f.RequestedAt, *f.FirstContactAt))
		}
	}
	out := map[string]*PartnerMeasured{}
	get := func(org string) *PartnerMeasured {
		if out[org] == nil {
			out[org] = &PartnerMeasured{}
		}
		return out[org]
	}
	for org, days := range accept {
		if len(days) >= d.Threshold {
			m := median(days)
			get(org).MedianWorkdaysToAccept = &m
		}
	}
	for org, days := range contact {
		if len(days) >= d.Threshold {
			m := median(days)
			get(org).MedianWorkdaysToContact = &m
		}
	}
	return out
}

// Editable reads one organisation's entries for actor to edit
// (MayEditPartner).
func (d *DirectoryService) Editable(ctx context.Context, actor Actor, organisation string) (*Partner, error) {
	all, err := d.Partners(ctx, PartnerFilter{})
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Organisation == organisation {
			if err := MayEditPartner(actor, all[i].OrganisationID); err != nil {
				return nil, err
			}
			return &all[i], nil
		}
	}
	return nil, NotFound("organisation")
}

// SaveService adds an entry to organisation's directory (id "") or
// changes one of its entries: administrators and the organisation's own
// coordinators (MayEditPartner).
func (d *DirectoryService) SaveService(ctx context.Context, actor Actor, organisation, id string, in PartnerServiceInput) (*PartnerService, error) {
	ref, err := d.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	org, ok := ref.Organisation(organisation)
	if !ok || !org.ReceivesHandovers {
		return nil, NotFound("organisation")
	}
	if err := MayEditPartner(actor, org.ID); err != nil {
		return nil, err
	}
	s, err := serviceOf(ref, org, id, in)
	if err != nil {
		return nil, err
	}
	err = d.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return d.save(ctx, tx, actor, s, id == "")
	})
	return s, err
}

// save stores s: a new entry, or one of its organisation's existing ones.
func (d *DirectoryService) save(ctx context.Context, tx Tx, actor Actor, s *PartnerService, isNew bool) error {
	existing, err := tx.Partners().PartnerServices(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(existing, func(e PartnerService) bool { return e.ID == s.ID })
	switch {
	case i >= 0 && existing[i].OrganisationID != s.OrganisationID:
		return NotFound("partner_service")
	case i < 0 && !isNew:
		return NotFound("partner_service")
	}
	s.UpdatedAt = tx.Now()
	if err := tx.Partners().SavePartnerService(ctx, s, actor.Username); err != nil {
		return err
	}
	action := "update"
	if i < 0 {
		action = "create"
	}
	return tx.Audit(AuditRecord{Actor: actor, Action: action, Entity: "partner_service", EntityID: s.ID,
		Detail: "organisation=" + s.Organisation})
}

// serviceOf validates in as an entry of org: its programme must be the
// organisation's, its topics known.
func serviceOf(ref *Reference, org Organisation, id string, in PartnerServiceInput) (*PartnerService, error) {
	err := in.Validate()
	var problems []FieldError
	if in.Programme != "" {
		if p, ok := ref.Programme(in.Programme); !ok || p.OrganisationID != org.ID {
			problems = append(problems, FieldError{Field: "programme", Tag: "unknown", Param: in.Programme})
		}
	}
	problems = append(problems, ref.unknownSlugs("topics", ListTopics, in.Topics)...)
	if err := MergeInvalid(err, InvalidOrNil(problems)); err != nil {
		return nil, err
	}
	if id == "" {
		id = uuid.NewString()
	} else if _, err := uuid.Parse(id); err != nil {
		return nil, NotFound("partner_service")
	}
	nonNil := func(s []string) []string { return append([]string{}, s...) }
	spans := func(s []OpeningSpan) []OpeningSpan { return append([]OpeningSpan{}, s...) }
	return &PartnerService{ID: strings.ToLower(id), Organisation: org.Slug, Programme: in.Programme, Name: in.Name,
		Offer: in.Offer, Audience: in.Audience, Languages: nonNil(in.Languages), Topics: nonNil(in.Topics),
		Hours: spans(in.Hours), DropIns: spans(in.DropIns), Phone: in.Phone, Email: in.Email, Website: in.Website,
		OrganisationID: org.ID}, nil
}

// DeleteService removes one of organisation's entries.
func (d *DirectoryService) DeleteService(ctx context.Context, actor Actor, organisation, id string) error {
	ref, err := d.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	org, ok := ref.Organisation(organisation)
	if !ok {
		return NotFound("organisation")
	}
	if err := MayEditPartner(actor, org.ID); err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return NotFound("partner_service")
	}
	return d.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		found, err := tx.Partners().DeletePartnerService(ctx, org.ID, strings.ToLower(id))
		if err != nil {
			return err
		}
		if !found {
			return NotFound("partner_service")
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "delete", Entity: "partner_service", EntityID: id,
			Detail: "organisation=" + organisation})
	})
}

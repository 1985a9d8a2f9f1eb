package cases

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// PrivacyService answers residents' requests (access, erasure), keeps the
// retention periods and makes ended consents reach the receivers. Requests
// are handled by the organisation's privacy officer or a coordinator; the
// scheduled work runs as System.
type PrivacyService struct{ store Store }

// NewPrivacyService returns the service.
func NewPrivacyService(store Store) *PrivacyService { return &PrivacyService{store: store} }

// ResidentExport is everything one organisation holds about one record
// (AVG art. 15): the record and its earlier versions, its contacts with
// theirs, the handovers it was sent in or received through with their
// consents, and who read or changed it.
type ResidentExport struct {
	Organisation string            `json:"organisation"`
	ExportedAt   time.Time         `json:"exported_at"`
	Resident     *Resident         `json:"resident"`
	Versions     []ResidentVersion `json:"versions"`
	Contacts     []*Contact        `json:"contacts"`
	Handovers    []*Handover       `json:"handovers"`
	Accesses     []AuditEntry      `json:"accesses"`
}

// MaxExportRows bounds each list of an export; a record with more is
// exported with the newest rows and the audit says so.
const MaxExportRows = 10000

// Export gathers the record's data for an access request. The export is
// audited with every record it holds.
func (s *PrivacyService) Export(ctx context.Context, actor Actor, id string) (*ResidentExport, error) {
	v := s.store.View(ctx)
	r, err := v.Residents().Resident(ctx, actor.OrganisationID, id)
	if err != nil {
		return nil, refused(ctx, s.store, actor, "resident", id, err)
	}
	out := &ResidentExport{Organisation: actor.OrganisationSlug, ExportedAt: s.store.Now(), Resident: r}
	if out.Versions, err = v.Residents().ResidentVersions(ctx, r.ID); err != nil {
		return nil, err
	}
	contacts, err := v.Contacts().FindContacts(ctx, ContactQuery{OrganisationID: actor.OrganisationID, ResidentID: r.ID,
		Limit: MaxExportRows})
	if err != nil {
		return nil, err
	}
	out.Contacts = contacts.Contacts
	for _, c := range out.Contacts {
		if c.History, err = v.Contacts().ContactHistory(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	records, err := v.Handovers().HandoversOfResident(ctx, actor.OrganisationID, r.ID)
	if err != nil {
		return nil, err
	}
	out.Handovers = make([]*Handover, 0, len(records))
	for _, h := range records {
		out.Handovers = append(out.Handovers, h.View(h.Side(actor), out.ExportedAt))
	}
	if out.Accesses, err = v.Audit().FindAudit(ctx, AuditQuery{OrganisationID: actor.OrganisationID,
		ResidentID: r.ID, Limit: MaxExportRows}); err != nil {
		return nil, err
	}
	for i := range out.Accesses {
		out.Accesses[i].Detail = shownDetail(out.Accesses[i])
	}
	ids := residentIDs(r.ID)
	ids = append(ids, contactIDs(out.Contacts)...)
	for _, h := range out.Handovers {
		ids = append(ids, AuditID{Kind: "handover", ID: h.ID})
	}
	return out, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "export", Entity: "resident", EntityID: r.ID,
		Detail: "contacts=" + strconv.Itoa(len(out.Contacts)) + " handovers=" + strconv.Itoa(len(out.Handovers)), IDs: ids})
}

// Erasure says what an erasure did.
type Erasure struct {
	ID       string    `json:"id"`
	ErasedAt time.Time `json:"erased_at"`
}

// Erase erases a record's personal data on the resident's request (AVG
// art. 17), with what partners copied from it (eraseRecord). The person
// still counts: the reach figures do not move.
func (s *PrivacyService) Erase(ctx context.Context, actor Actor, id string, in ReasonInput) (*Erasure, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Erasure
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		r, err := tx.Residents().Resident(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		out = &Erasure{ID: r.ID, ErasedAt: tx.Now()}
		return eraseRecord(ctx, tx, actor, actor.OrganisationID, r.ID, in.Reason)
	})
	return out, refused(ctx, s.store, actor, "resident", id, err)
}

// SetOwnGround records that the actor's organisation has its own legal
// ground for a record it got through a handover (its own trajectory with
// the resident, say): the record then stays when the sender's consent ends.
func (s *PrivacyService) SetOwnGround(ctx context.Context, actor Actor, id string, in OwnGroundInput) (*Resident, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Resident
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		r, err := tx.Residents().Resident(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		hs, err := tx.Handovers().HandoversOfResident(ctx, actor.OrganisationID, r.ID)
		if err != nil {
			return err
		}
		received := false
		for _, h := range hs {
			received = received || h.ToResidentID == r.ID
		}
		if !received {
			return Errorf(ECONFLICT, "own_ground_not_received")
		}
		if err := tx.Residents().SetOwnGround(ctx, r.ID, in.Ground, tx.Now(), actor.UserID); err != nil {
			return err
		}
		r.OwnGround, out = in.Ground, r
		return tx.Audit(AuditRecord{Actor: actor, Action: "own_ground", Entity: "resident", EntityID: r.ID})
	})
	return out, refused(ctx, s.store, actor, "resident", id, err)
}

// Settings returns every organisation's settings, defaults filled in, by
// organisation slug.
func (s *PrivacyService) Settings(ctx context.Context) (map[string]PrivacySettings, error) {
	v := s.store.View(ctx)
	ref, err := v.Reference(ctx)
	if err != nil {
		return nil, err
	}
	set, err := v.Privacy().PrivacySettings(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]PrivacySettings{}
	for _, o := range ref.Organisations {
		if ps, ok := set[o.ID]; ok {
			out[o.Slug] = ps
		} else {
			out[o.Slug] = DefaultPrivacy
		}
	}
	return out, nil
}

// SetSettings changes one organisation's retention and consent periods.
func (s *PrivacyService) SetSettings(ctx context.Context, actor Actor, org string, in PrivacySettings) error {
	if err := in.Validate(); err != nil {
		return err
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	o, ok := ref.Organisation(org)
	if !ok {
		return FieldInvalid("organisation", "unknown", org)
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.Privacy().SetPrivacySettings(ctx, o.ID, in); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "update", Entity: "privacy_settings", EntityID: o.Slug,
			Detail: "retention_months=" + strconv.Itoa(in.RetentionMonths) + " consent_months=" + strconv.Itoa(in.ConsentMonths)})
	})
}

// Due is a record whose retention period is over.
type Due struct {
	Organisation string `json:"organisation"`
	ID           string `json:"id"`
}

// RetentionDue lists the records of every organisation with no contact,
// handover or change for longer than the organisation's retention period.
func (s *PrivacyService) RetentionDue(ctx context.Context) ([]Due, error) {
	v := s.store.View(ctx)
	settings, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := v.Reference(ctx)
	if err != nil {
		return nil, err
	}
	now := s.store.Now()
	var out []Due
	for _, o := range ref.Organisations {
		ids, err := v.Residents().RetentionDue(ctx, o.ID, now.AddDate(0, -settings[o.Slug].RetentionMonths, 0))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, Due{Organisation: o.Slug, ID: id})
		}
	}
	return out, nil
}

// ApplyRetention erases the records RetentionDue lists, each in its own
// transaction (a record that became active meanwhile is kept), and
// returns those it erased.
func (s *PrivacyService) ApplyRetention(ctx context.Context) ([]Due, error) {
	due, err := s.RetentionDue(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var erased []Due
	for _, d := range due {
		o, _ := ref.Organisation(d.Organisation)
		err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
			still, err := tx.Residents().RetentionDue(ctx, o.ID, tx.Now().AddDate(0, -settings[o.Slug].RetentionMonths, 0))
			if err != nil || !slices.Contains(still, d.ID) {
				return err
			}
			erased = append(erased, d)
			return eraseRecord(ctx, tx, Actor{Username: System.Username, OrganisationID: o.ID}, o.ID, d.ID, ErasedRetention)
		})
		if err != nil {
			return erased, err
		}
	}
	return erased, nil
}

// ApplyEndedConsents makes every withdrawn or run-out consent whose end has
// not reached its receiver yet reach it (applyConsentEnd), and returns how
// many it applied.
func (s *PrivacyService) ApplyEndedConsents(ctx context.Context) (int, error) {
	ended, err := s.store.View(ctx).Handovers().ConsentEnded(ctx, s.store.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ended {
		err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
			h, err := tx.Handovers().Handover(ctx, e.FromOrganisationID, e.ID)
			if err != nil {
				return err
			}
			if h.Consent.ReachedReceiverAt != nil || h.Consent.InForce(tx.Now()) {
				return nil // renewed or applied meanwhile
			}
			if err := applyConsentEnd(ctx, tx, h, ErasedConsentExpired); err != nil {
				return err
			}
			n++
			return tx.Handovers().SaveHandover(ctx, h)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

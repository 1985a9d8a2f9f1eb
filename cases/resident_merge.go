package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// Duplicates: a worker registering someone the organisation already has is
// shown the records that may be that person first (Matches); a coordinator
// merges two records of the organisation into one (Merge).

// MatchQuery asks which of the organisation's records may be this person.
type MatchQuery struct {
	FamilyName string `json:"family_name" validate:"required,max=100,plaintext"`
	BirthDate  string `json:"birth_date" validate:"omitempty,datetime=2006-01-02"`
	BirthYear  int    `json:"birth_year" validate:"omitempty,min=1900,max=2100"`
	// Except leaves one record out (the one whose duplicates are sought).
	Except string `json:"-"`
}

// MaxMatches is the most records Matches returns.
const MaxMatches = 10

// Matches lists the organisation's records that may be the person
// described: the same person link (family name and date of birth), or the
// same family name (spelled any way NormaliseFamilyName accepts) and birth
// year. Without a date or year of birth nothing matches: a name alone says
// too little. Merged records are left out; the read is audited.
func (s *ResidentService) Matches(ctx context.Context, actor Actor, m MatchQuery) ([]*Resident, error) {
	m.FamilyName = trim(m.FamilyName)
	if err := InvalidOrNil(validateStruct(&m)); err != nil {
		return nil, err
	}
	in := ResidentInput{FamilyName: m.FamilyName, BirthDate: m.BirthDate, BirthYear: m.BirthYear}
	in.Normalise()
	key := NormaliseFamilyName(in.FamilyName)
	if key == "" || in.BirthYear == 0 {
		return []*Resident{}, nil
	}
	v := s.store.View(ctx).Residents()
	var found []*Resident
	if p := Pseudonym(s.secret, in.FamilyName, in.BirthDate); p != "" {
		person, err := v.PersonByPseudonym(ctx, p)
		if err != nil {
			return nil, err
		}
		if person != 0 {
			if found, err = v.ResidentsOfPerson(ctx, actor.OrganisationID, person); err != nil {
				return nil, err
			}
		}
	}
	born, err := v.ResidentsBornIn(ctx, actor.OrganisationID, in.BirthYear)
	if err != nil {
		return nil, err
	}
	for _, r := range born {
		if NormaliseFamilyName(r.FamilyName) == key {
			found = append(found, r)
		}
	}
	out := []*Resident{}
	for _, r := range found {
		if r.MergedInto == "" && r.ID != m.Except && !slices.ContainsFunc(out, func(o *Resident) bool { return o.ID == r.ID }) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *Resident) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	out = out[:min(len(out), MaxMatches)]
	return out, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "search", Entity: "resident",
		Detail: "matches=" + strconv.Itoa(len(out)), IDs: recordIDs(out)})
}

// MergeInput merges a record into another record of the same organisation.
type MergeInput struct {
	Into string `json:"into" validate:"required,uuid"`
}

// Validate checks the input.
func (in *MergeInput) Validate() error {
	in.Into = strings.ToLower(trim(in.Into))
	return InvalidOrNil(validateStruct(in))
}

// MergeResult is the record kept, the record merged into it (kept as it
// was, pointing at the first), and what moved.
type MergeResult struct {
	Resident *Resident   `json:"resident"`
	Merged   *Resident   `json:"merged"`
	Moved    MergeCounts `json:"moved"`
}

// Merge merges record id into record in.Into, both of the coordinator's
// organisation: the contacts and the handovers (sent and received) of id
// move to in.Into; id itself stays, unchanged but marked merged, as the
// earlier version of the person's record. The two records' persons become
// one, so reach counts the person once, whatever other organisations'
// records say. Audited on both records.
func (s *ResidentService) Merge(ctx context.Context, actor Actor, id string, in MergeInput) (*MergeResult, error) {
	if !actor.Has(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "forbidden")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *MergeResult
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		from, into, err := mergePair(ctx, tx, actor, id, in.Into)
		if err != nil {
			return err
		}
		moved, err := tx.Residents().MergeResident(ctx, from, into, Merge{At: tx.Now(), By: actor.UserID})
		if err != nil {
			return err
		}
		if from.PersonID != into.PersonID {
			if err := tx.Residents().MergePerson(ctx, from.PersonID, into.PersonID); err != nil {
				return err
			}
			from.PersonID = into.PersonID
		}
		now := tx.Now()
		from.MergedInto, from.MergedAt = into.ID, &now
		detail := "contacts=" + strconv.Itoa(moved.Contacts) + " handovers=" + strconv.Itoa(moved.Handovers)
		if err := tx.Audit(AuditRecord{Actor: actor, Action: "merge", Entity: "resident", EntityID: into.ID,
			Detail: "merged=" + from.ID + " " + detail}); err != nil {
			return err
		}
		out = &MergeResult{Resident: into, Merged: from, Moved: moved}
		return tx.Audit(AuditRecord{Actor: actor, Action: "merged", Entity: "resident", EntityID: from.ID,
			Detail: "into=" + into.ID + " " + detail})
	})
	return out, err
}

// mergePair loads the two records of a merge: id must be the actor's
// organisation's (else 404), into another one of its records; neither may
// have been merged already.
func mergePair(ctx context.Context, tx Tx, actor Actor, id, intoID string) (from, into *Resident, err error) {
	if from, err = tx.Residents().Resident(ctx, actor.OrganisationID, id); err != nil {
		return nil, nil, err
	}
	if from.ID == intoID {
		return nil, nil, FieldInvalid("into", "same_record", "")
	}
	into, err = tx.Residents().Resident(ctx, actor.OrganisationID, intoID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, nil, FieldInvalid("into", "unknown_resident", "")
	case err != nil:
		return nil, nil, err
	case from.MergedInto != "":
		return nil, nil, Errorf(ECONFLICT, "resident_merged")
	case into.MergedInto != "":
		return nil, nil, FieldInvalid("into", "resident_merged", "")
	}
	return from, into, nil
}

// MergedInto lists the records merged into record id, as they were kept.
func (s *ResidentService) MergedInto(ctx context.Context, actor Actor, id string) ([]*Resident, error) {
	return s.store.View(ctx).Residents().MergedInto(ctx, actor.OrganisationID, id)
}

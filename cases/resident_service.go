package cases

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// ResidentService manages an organisation's records of residents. Every
// use case is scoped to the actor's organisation: another organisation's
// record is ENOTFOUND. Reads of personal data are audited.
type ResidentService struct {
	store Store
	// secret keys the person pseudonyms.
	secret []byte
}

// NewResidentService returns the service; secret keys the pseudonyms.
func NewResidentService(store Store, secret []byte) *ResidentService {
	return &ResidentService{store: store, secret: secret}
}

// Create registers a record: see CreateOnce.
func (s *ResidentService) Create(ctx context.Context, actor Actor, in ResidentInput) (*Resident, error) {
	r, _, err := s.CreateOnce(ctx, actor, in)
	return r, err
}

// CreateOnce registers a record and links it to a person: the existing one
// with the same pseudonym, or a new one. For an in.ID the actor's
// organisation already has, it returns that record and created=false and
// writes nothing but the audited read: an offline outbox resending after a
// lost answer is recognised (another organisation's ID is EINVALID on "id").
func (s *ResidentService) CreateOnce(ctx context.Context, actor Actor, in ResidentInput) (r *Resident, created bool, err error) {
	in.Normalise()
	id := strings.ToLower(in.ID)
	if id != "" {
		// A retry is answered even when the record has since changed or
		// its fields would no longer pass: look before validating.
		if r, err := s.store.View(ctx).Residents().Resident(ctx, actor.OrganisationID, id); err == nil {
			return r, false, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "read", Entity: "resident", EntityID: id, Detail: "retry"})
		}
	}
	if err := in.Validate(s.store.Now()); err != nil {
		return nil, false, err
	}
	if err := s.checkReference(ctx, in.Neighbourhood); err != nil {
		return nil, false, err
	}
	if id == "" {
		id = uuid.NewString()
	}
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		// In the write transaction, so two retries racing each other cannot
		// both insert: the second finds the first's record.
		switch owner, err := tx.Residents().ResidentOwner(ctx, id); {
		case err == nil && owner == actor.OrganisationID:
			if r, err = tx.Residents().Resident(ctx, actor.OrganisationID, id); err != nil {
				return err
			}
			return auditRead(tx, actor, id, "retry")
		case err == nil:
			return FieldInvalid("id", "taken", "")
		case ErrorCode(err) != ENOTFOUND:
			return err
		}
		r, err = s.insert(ctx, tx, actor, id, in, 0)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return r, created, nil
}

func (s *ResidentService) checkReference(ctx context.Context, hood string) error {
	if hood == "" {
		return nil
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	if _, ok := ref.Term(ListNeighbourhoods, hood); !ok {
		return FieldInvalid("neighbourhood", "unknown", hood)
	}
	return nil
}

// insert writes a record of a known person (personID != 0), or of the person
// its pseudonym names (0): a handover's receiver gets a record of the same
// person whatever fields the consent lets it see, so reach counts that
// person once.
func (s *ResidentService) insert(ctx context.Context, tx Tx, actor Actor, id string, in ResidentInput, personID int64) (*Resident, error) {
	if personID == 0 {
		var err error
		if personID, err = tx.Residents().PersonFor(ctx, Pseudonym(s.secret, in.FamilyName, in.BirthDate)); err != nil {
			return nil, err
		}
	}
	r := residentOf(in, id, actor.OrganisationID, personID)
	r.CreatedAt, r.UpdatedAt, r.CreatedBy = tx.Now(), tx.Now(), actor.UserID
	if err := tx.Residents().InsertResident(ctx, r, SearchText(in)); err != nil {
		return nil, err
	}
	return r, tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "resident", EntityID: id})
}

func residentOf(in ResidentInput, id string, orgID, personID int64) *Resident {
	return &Resident{
		ID: id, GivenName: in.GivenName, FamilyName: in.FamilyName, BirthDate: in.BirthDate,
		BirthYear: in.BirthYear, Phone: in.Phone, Neighbourhood: in.Neighbourhood, Gender: in.Gender,
		Note: in.Note, OrganisationID: orgID, PersonID: personID,
	}
}

// ByID reads one record of the organisation; the read is audited.
func (s *ResidentService) ByID(ctx context.Context, actor Actor, id string) (*Resident, error) {
	r, err := s.store.View(ctx).Residents().Resident(ctx, actor.OrganisationID, id)
	if err != nil {
		return nil, refused(ctx, s.store, actor, "resident", id, err)
	}
	return r, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "read", Entity: "resident", EntityID: r.ID})
}

// MaxNames is how many records Names reads at once.
const MaxNames = 500

// Names reads the full names of several records of the organisation, for
// lists: one query, one audit line. IDs of other organisations are left out.
func (s *ResidentService) Names(ctx context.Context, actor Actor, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	if len(ids) > MaxNames {
		return nil, FieldInvalid("ids", "max", strconv.Itoa(MaxNames))
	}
	names, err := s.store.View(ctx).Residents().ResidentNames(ctx, actor.OrganisationID, ids)
	if err != nil {
		return nil, err
	}
	read := make([]string, 0, len(names))
	for id := range names {
		read = append(read, id)
	}
	return names, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "list", Entity: "resident",
		Detail: "names=" + strconv.Itoa(len(names)), IDs: residentIDs(read...)})
}

// Update changes a record; a changed name or birth date may link it to
// another person.
func (s *ResidentService) Update(ctx context.Context, actor Actor, id string, patch ResidentPatch) (*Resident, error) {
	var out *Resident
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		r, err := tx.Residents().Resident(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		if r.MergedInto != "" {
			return Errorf(ECONFLICT, "resident_merged")
		}
		if patch.Empty() {
			return FieldInvalid("", "empty_patch", "")
		}
		in := patch.Apply(r)
		in.Normalise()
		if err := in.Validate(tx.Now()); err != nil {
			return err
		}
		if err := s.checkReference(ctx, in.Neighbourhood); err != nil {
			return err
		}
		personID := r.PersonID
		if in.FamilyName != r.FamilyName || in.BirthDate != r.BirthDate {
			if personID, err = tx.Residents().PersonFor(ctx, Pseudonym(s.secret, in.FamilyName, in.BirthDate)); err != nil {
				return err
			}
		}
		out = residentOf(in, r.ID, actor.OrganisationID, personID)
		out.CreatedAt, out.UpdatedAt, out.CreatedBy, out.OwnGround = r.CreatedAt, tx.Now(), r.CreatedBy, r.OwnGround
		previous := ResidentVersion{ChangedAt: tx.Now(), ChangedByID: actor.UserID, Record: *r}
		if err := tx.Residents().UpdateResident(ctx, out, SearchText(in), previous); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "update", Entity: "resident", EntityID: r.ID})
	})
	return out, refused(ctx, s.store, actor, "resident", id, err)
}

func auditRead(tx Tx, actor Actor, id, detail string) error {
	return tx.Audit(AuditRecord{Actor: actor, Action: "read", Entity: "resident", EntityID: id, Detail: detail})
}

// SearchText is what a search matches in a record: names and phone,
// lower-cased and accent-free.
func SearchText(in ResidentInput) string {
	return foldForSearch(in.GivenName + " " + in.FamilyName + " " + phoneForSearch(in.Phone))
}

// SearchTerms splits a query into the words a record's search text must
// all hold; a word with digits is a phone number written any way.
func SearchTerms(query string) []string {
	words := strings.Fields(foldForSearch(query))
	for i, w := range words {
		if strings.ContainsAny(w, "0123456789") {
			words[i] = phoneForSearch(w)
		}
	}
	return words
}

// phoneForSearch drops the spaces, hyphens and brackets a phone number may
// be written with, so "06-1234 5678" and "0612345678" find each other.
func phoneForSearch(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(s)
}

func foldForSearch(s string) string {
	return strings.Join(strings.Fields(FoldAccents(strings.ToLower(s))), " ")
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// ResidentService implements cases.ResidentService.
type ResidentService struct {
	db  *DB
	ref *ReferenceService
}

// NewResidentService returns the service.
func NewResidentService(db *DB, ref *ReferenceService) *ResidentService {
	return &ResidentService{db: db, ref: ref}
}

var _ cases.ResidentService = (*ResidentService)(nil)

// CreateResident registers a record for the actor's organisation and links
// it to a person: the existing one with the same pseudonym, or a new one.
func (s *ResidentService) CreateResident(ctx context.Context, actor cases.Actor, in cases.ResidentInput) (*cases.Resident, error) {
	r, _, err := s.CreateResidentOnce(ctx, actor, in)
	return r, err
}

// CreateResidentOnce registers a record once per client-generated ID: a
// retry of an ID the organisation has answers the stored record (an audited
// read) and writes nothing.
func (s *ResidentService) CreateResidentOnce(ctx context.Context, actor cases.Actor, in cases.ResidentInput) (*cases.Resident, bool, error) {
	in.Normalise()
	id := strings.ToLower(in.ID)
	if id != "" {
		// A retry is answered even when the record has since changed or
		// its fields would no longer pass: look before validating.
		if r, err := s.findResident(ctx, s.db.Read, actor, id); err == nil {
			return r, false, s.db.inTx(ctx, func(tx *Tx) error { return tx.audit(actor, "read", "resident", id, "retry") })
		}
	}
	if err := in.Validate(s.db.Now()); err != nil {
		return nil, false, err
	}
	if id == "" {
		id = uuid.NewString()
	}
	var r *cases.Resident
	created := false
	err := s.db.inTx(ctx, func(tx *Tx) error {
		// In the write transaction, so two retries racing each other
		// cannot both insert: the second finds the first's record.
		var orgID int64
		switch err := tx.QueryRow(`SELECT organisation_id FROM residents WHERE id = ?`, id).Scan(&orgID); {
		case err == nil && orgID == actor.OrganisationID:
			var ferr error
			if r, ferr = s.findResident(ctx, tx, actor, id); ferr != nil {
				return ferr
			}
			return tx.audit(actor, "read", "resident", id, "retry")
		case err == nil:
			return cases.FieldInvalid("id", "taken", "")
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var cerr error
		r, cerr = s.createResident(tx, actor, id, in)
		created = cerr == nil
		return cerr
	})
	if err != nil {
		return nil, false, err
	}
	return r, created, nil
}

// createResident writes a record inside tx; handovers use it too.
func (s *ResidentService) createResident(tx *Tx, actor cases.Actor, id string, in cases.ResidentInput) (*cases.Resident, error) {
	return s.createResidentOf(tx, actor, id, in, 0)
}

// createResidentOf writes a record of a known person (personID != 0), or of
// the person its pseudonym names (0): a handover's receiver gets a record of
// the same person whatever fields the consent lets it see, so reach counts
// that person once.
func (s *ResidentService) createResidentOf(tx *Tx, actor cases.Actor, id string, in cases.ResidentInput, personID int64) (*cases.Resident, error) {
	hoodID, err := s.neighbourhoodID(in.Neighbourhood)
	if err != nil {
		return nil, err
	}
	if personID == 0 {
		if personID, err = tx.personFor(cases.Pseudonym(s.db.Secret, in.FamilyName, in.BirthDate)); err != nil {
			return nil, err
		}
	}
	now := cases.FormatTime(tx.now)
	_, err = tx.Exec(`INSERT INTO residents (id, organisation_id, person_id, given_name, family_name, birth_date,
		birth_year, phone, neighbourhood_id, gender, note, created_by, created_at, updated_at, search_text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, actor.OrganisationID, personID, in.GivenName, in.FamilyName, nullString(in.BirthDate),
		nullInt(int64(in.BirthYear)), in.Phone, nullInt(hoodID), nullString(in.Gender), in.Note,
		actor.UserID, now, now, searchText(in))
	if err != nil {
		return nil, err
	}
	if err := tx.audit(actor, "create", "resident", id, ""); err != nil {
		return nil, err
	}
	return residentFromInput(id, actor.OrganisationID, personID, in, tx.now), nil
}

func (s *ResidentService) neighbourhoodID(slug string) (int64, error) {
	if slug == "" {
		return 0, nil
	}
	id, ok := s.ref.index().neighbourhoods[slug]
	if !ok {
		return 0, cases.FieldInvalid("neighbourhood", "unknown", slug)
	}
	return id, nil
}

// personFor returns the person with this pseudonym, creating it when new; an
// empty pseudonym always makes a new person of its own.
func (tx *Tx) personFor(pseudonym string) (int64, error) {
	if pseudonym != "" {
		var id int64
		err := tx.QueryRow(`SELECT id FROM persons WHERE pseudonym = ?`, pseudonym).Scan(&id)
		if err == nil {
			return id, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	res, err := tx.Exec(`INSERT INTO persons (pseudonym, created_at) VALUES (?, ?)`,
		nullString(pseudonym), cases.FormatTime(tx.now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// searchText is what a search matches: names and phone, accent-free.
func searchText(in cases.ResidentInput) string {
	return foldForSearch(in.GivenName + " " + in.FamilyName + " " + phoneForSearch(in.Phone))
}

// phoneForSearch drops the spaces, hyphens and brackets a phone number may be
// written with, so "06-1234 5678" and "0612345678" find each other.
func phoneForSearch(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(s)
}

func foldForSearch(s string) string {
	return strings.Join(strings.Fields(cases.FoldAccents(strings.ToLower(s))), " ")
}

func residentFromInput(id string, orgID, personID int64, in cases.ResidentInput, now time.Time) *cases.Resident {
	return &cases.Resident{
		ID: id, GivenName: in.GivenName, FamilyName: in.FamilyName, BirthDate: in.BirthDate,
		BirthYear: in.BirthYear, Phone: in.Phone, Neighbourhood: in.Neighbourhood, Gender: in.Gender,
		Note: in.Note, CreatedAt: now, UpdatedAt: now, OrganisationID: orgID, PersonID: personID,
	}
}

const residentColumns = `r.id, r.organisation_id, r.person_id, r.given_name, r.family_name,
	COALESCE(r.birth_date, ''), COALESCE(r.birth_year, 0), r.phone, COALESCE(n.slug, ''),
	COALESCE(r.gender, ''), r.note, r.created_by, r.created_at, r.updated_at`

const residentFrom = ` FROM residents r LEFT JOIN neighbourhoods n ON n.id = r.neighbourhood_id `

func scanResident(row interface{ Scan(...any) error }) (*cases.Resident, error) {
	var r cases.Resident
	var created, updated string
	err := row.Scan(&r.ID, &r.OrganisationID, &r.PersonID, &r.GivenName, &r.FamilyName, &r.BirthDate,
		&r.BirthYear, &r.Phone, &r.Neighbourhood, &r.Gender, &r.Note, &r.CreatedBy, &created, &updated)
	if err != nil {
		return nil, err
	}
	r.CreatedAt, _ = cases.ParseTime(created)
	r.UpdatedAt, _ = cases.ParseTime(updated)
	return &r, nil
}

// FindResidents searches the actor's organisation's records by name or phone.
// An empty query lists the most recently changed records.
func (s *ResidentService) FindResidents(ctx context.Context, actor cases.Actor, query string, limit int) ([]*cases.Resident, error) {
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	q := foldForSearch(query)
	where := `WHERE r.organisation_id = ?`
	args := []any{actor.OrganisationID}
	for _, word := range strings.Fields(q) {
		if strings.ContainsAny(word, "0123456789") {
			word = phoneForSearch(word)
		}
		where += ` AND r.search_text LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(word)+"%")
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+residentColumns+residentFrom+where+
		` ORDER BY r.updated_at DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cases.Resident
	for rows.Next() {
		r, err := scanResident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(actor, "search", "resident", "", "results="+strconv.Itoa(len(out)))
	})
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindResidentByID reads one record of the actor's organisation; the read is audited.
func (s *ResidentService) FindResidentByID(ctx context.Context, actor cases.Actor, id string) (*cases.Resident, error) {
	r, err := s.findResident(ctx, s.db.Read, actor, id)
	if err != nil {
		return nil, err
	}
	return r, s.db.inTx(ctx, func(tx *Tx) error { return tx.audit(actor, "read", "resident", r.ID, "") })
}

// ResidentNames reads the names of several records of the actor's
// organisation at once; ids of other organisations are left out.
func (s *ResidentService) ResidentNames(ctx context.Context, actor cases.Actor, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	if len(ids) > 500 {
		return nil, cases.FieldInvalid("ids", "max", "500")
	}
	placeholders := strings.Repeat(",?", len(ids))[1:]
	args := []any{actor.OrganisationID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, trim(given_name || ' ' || family_name) FROM residents
		WHERE organisation_id = ? AND id IN (`+placeholders+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return names, s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(actor, "list", "resident", "", "names="+strconv.Itoa(len(names)))
	})
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *ResidentService) findResident(ctx context.Context, q queryer, actor cases.Actor, id string) (*cases.Resident, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, cases.NotFound("resident")
	}
	r, err := scanResident(q.QueryRowContext(ctx, `SELECT `+residentColumns+residentFrom+
		`WHERE r.id = ? AND r.organisation_id = ?`, strings.ToLower(id), actor.OrganisationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("resident")
	}
	return r, err
}

// UpdateResident changes a record; a changed name or birth date may link it
// to another person.
func (s *ResidentService) UpdateResident(ctx context.Context, actor cases.Actor, id string, patch cases.ResidentPatch) (*cases.Resident, error) {
	var out *cases.Resident
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, err := s.findResident(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		id = r.ID // as stored: lower case
		if patch.Empty() {
			return cases.FieldInvalid("", "empty_patch", "")
		}
		in := patch.Apply(r)
		in.Normalise()
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		hoodID, err := s.neighbourhoodID(in.Neighbourhood)
		if err != nil {
			return err
		}
		personID := r.PersonID
		if in.FamilyName != r.FamilyName || in.BirthDate != r.BirthDate {
			if personID, err = tx.personFor(cases.Pseudonym(s.db.Secret, in.FamilyName, in.BirthDate)); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`UPDATE residents SET person_id = ?, given_name = ?, family_name = ?, birth_date = ?,
			birth_year = ?, phone = ?, neighbourhood_id = ?, gender = ?, note = ?, updated_at = ?, search_text = ?
			WHERE id = ? AND organisation_id = ?`,
			personID, in.GivenName, in.FamilyName, nullString(in.BirthDate), nullInt(int64(in.BirthYear)),
			in.Phone, nullInt(hoodID), nullString(in.Gender), in.Note, cases.FormatTime(tx.now), searchText(in),
			id, actor.OrganisationID)
		if err != nil {
			return err
		}
		if err := tx.audit(actor, "update", "resident", id, ""); err != nil {
			return err
		}
		out = residentFromInput(id, actor.OrganisationID, personID, in, tx.now)
		out.CreatedAt = r.CreatedAt
		return nil
	})
	return out, err
}

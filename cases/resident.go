package cases

import (
	"context"
	"time"
)

// Genders that may be recorded (optional; used only for anonymised counts).
var Genders = []string{"vrouw", "man", "anders"}

// Resident is one organisation's record of a person. Records of different
// organisations share a person (for counting) but never their fields.
type Resident struct {
	ID            string    `json:"id"`
	GivenName     string    `json:"given_name"`
	FamilyName    string    `json:"family_name"`
	BirthDate     string    `json:"birth_date,omitempty"`
	BirthYear     int       `json:"birth_year,omitempty"`
	Phone         string    `json:"phone"`
	Neighbourhood string    `json:"neighbourhood"`
	Gender        string    `json:"gender,omitempty"`
	Note          string    `json:"note"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	OrganisationID int64 `json:"-"`
	PersonID       int64 `json:"-"`
	CreatedBy      int64 `json:"-"`
}

// ResidentInput registers a resident. Everything but a name or a
// neighbourhood is optional: collect the minimum the work needs.
type ResidentInput struct {
	GivenName     string `json:"given_name" validate:"max=100,plaintext"`
	FamilyName    string `json:"family_name" validate:"max=100,plaintext"`
	BirthDate     string `json:"birth_date" validate:"omitempty,datetime=2006-01-02"`
	BirthYear     int    `json:"birth_year" validate:"omitempty,min=1900,max=2100"`
	Phone         string `json:"phone" validate:"omitempty,phone"`
	Neighbourhood string `json:"neighbourhood" validate:"omitempty,slug"`
	Gender        string `json:"gender" validate:"omitempty,oneof=vrouw man anders"`
	Note          string `json:"note" validate:"max=4000,plaintext"`
}

// Validate checks the input against the rules that need no database. now
// bounds the date of birth.
func (in *ResidentInput) Validate(now time.Time) error {
	fields := validateStruct(in)
	if in.GivenName == "" && in.FamilyName == "" && !hasField(fields, "given_name") {
		fields = append(fields, FieldError{Field: "given_name", Tag: "name_required"})
	}
	fields = append(fields, checkBirth(in.BirthDate, in.BirthYear, now, fields)...)
	return invalidOrNil(fields)
}

// Normalise trims whitespace and derives the birth year from the date.
func (in *ResidentInput) Normalise() {
	in.GivenName = trim(in.GivenName)
	in.FamilyName = trim(in.FamilyName)
	in.Phone = trim(in.Phone)
	in.Note = trimRight(in.Note)
	if len(in.BirthDate) >= 4 && !hasYear(in.BirthYear) {
		if d, err := time.Parse(time.DateOnly, in.BirthDate); err == nil {
			in.BirthYear = d.Year()
		}
	}
}

func hasYear(y int) bool { return y != 0 }

func checkBirth(date string, year int, now time.Time, already []FieldError) []FieldError {
	today := now.In(Amsterdam).Format(time.DateOnly)
	if date != "" && !hasField(already, "birth_date") {
		d, _ := time.Parse(time.DateOnly, date)
		switch {
		case date > today:
			return []FieldError{{Field: "birth_date", Tag: "past"}}
		case d.Year() < 1900:
			return []FieldError{{Field: "birth_date", Tag: "min_year", Param: "1900"}}
		case year != 0 && year != d.Year():
			return []FieldError{{Field: "birth_year", Tag: "birth_mismatch"}}
		}
	}
	if year > now.In(Amsterdam).Year() && !hasField(already, "birth_year") {
		return []FieldError{{Field: "birth_year", Tag: "past"}}
	}
	return nil
}

// ResidentPatch changes some fields of a record; nil leaves a field alone.
type ResidentPatch struct {
	GivenName     *string `json:"given_name" validate:"omitempty,max=100,plaintext"`
	FamilyName    *string `json:"family_name" validate:"omitempty,max=100,plaintext"`
	BirthDate     *string `json:"birth_date" validate:"omitempty,datetime=2006-01-02"`
	BirthYear     *int    `json:"birth_year" validate:"omitempty,min=1900,max=2100"`
	Phone         *string `json:"phone" validate:"omitempty,phone"`
	Neighbourhood *string `json:"neighbourhood" validate:"omitempty,slug"`
	Gender        *string `json:"gender" validate:"omitempty,oneof=vrouw man anders"`
	Note          *string `json:"note" validate:"omitempty,max=4000,plaintext"`
}

// Apply returns the input that results from applying the patch to r.
// Empty strings in the patch clear a field.
func (p *ResidentPatch) Apply(r *Resident) ResidentInput {
	in := ResidentInput{
		GivenName: r.GivenName, FamilyName: r.FamilyName, BirthDate: r.BirthDate,
		BirthYear: r.BirthYear, Phone: r.Phone, Neighbourhood: r.Neighbourhood,
		Gender: r.Gender, Note: r.Note,
	}
	set(&in.GivenName, p.GivenName)
	set(&in.FamilyName, p.FamilyName)
	set(&in.Phone, p.Phone)
	set(&in.Neighbourhood, p.Neighbourhood)
	set(&in.Gender, p.Gender)
	set(&in.Note, p.Note)
	if p.BirthDate != nil {
		in.BirthDate = *p.BirthDate
		if p.BirthYear == nil {
			in.BirthYear = 0 // re-derived from the new date
		}
	}
	set(&in.BirthYear, p.BirthYear)
	return in
}

// Empty reports whether the patch changes nothing.
func (p *ResidentPatch) Empty() bool {
	return *p == ResidentPatch{}
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// ResidentService manages an organisation's resident records. Every method
// is scoped to the actor's organisation: another organisation's record is
// ENOTFOUND.
type ResidentService interface {
	CreateResident(ctx context.Context, actor Actor, in ResidentInput) (*Resident, error)
	FindResidents(ctx context.Context, actor Actor, query string, limit int) ([]*Resident, error)
	FindResidentByID(ctx context.Context, actor Actor, id string) (*Resident, error)
	UpdateResident(ctx context.Context, actor Actor, id string, patch ResidentPatch) (*Resident, error)
}

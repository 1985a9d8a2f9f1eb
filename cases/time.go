package cases

import (
	"time"
	_ "time/tzdata" // "today" and periods are Dutch wherever the server runs
)

// Amsterdam is the time zone in which days and reporting periods are counted.
var Amsterdam = mustLoadLocation("Europe/Amsterdam")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Clock tolerances for contacts logged on tablets.
const (
	// MaxClockSkew is how far in the future a contact may claim to have happened.
	MaxClockSkew = 10 * time.Minute
	// DefaultContactWindow is how old a newly logged contact may be by default.
	DefaultContactWindow = 90 * 24 * time.Hour
	// CorrectionWindow is how long an author may correct a contact.
	CorrectionWindow = 7 * 24 * time.Hour
)

// TimeFormat is how instants are stored: UTC, fixed width, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in the storage format.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads an instant in the storage format.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeFormat, s) }

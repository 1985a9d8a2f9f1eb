package cases

import (
	"strconv"
	"time"
)

// PeriodKind is the length of a reporting period.
type PeriodKind byte

const (
	Year    PeriodKind = 'Y'
	Half    PeriodKind = 'H'
	Quarter PeriodKind = 'Q'
)

// Period is a reporting period: a year, a half-year (N 1–2) or a quarter (N
// 1–4), in Europe/Amsterdam.
type Period struct {
	Year int
	Kind PeriodKind
	N    int
}

// Years a period may name. Outside them a period is refused as malformed.
const (
	minPeriodYear = 2000
	maxPeriodYear = 2099
)

// ParsePeriod reads "2024", "2024-H2" or "2024-Q3". A malformed period is an
// EINVALID error naming the field "period".
func ParsePeriod(s string) (Period, error) {
	bad := FieldInvalid("period", "period", truncate(s, 32))
	if len(s) != 4 && len(s) != 7 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil || year < minPeriodYear || year > maxPeriodYear || s[0] == '+' || s[0] == '-' {
		return Period{}, bad
	}
	if len(s) == 4 {
		return Period{Year: year, Kind: Year}, nil
	}
	n := int(s[6] - '0')
	switch {
	case s[4] != '-':
		return Period{}, bad
	case s[5] == 'H' && n >= 1 && n <= 2:
		return Period{Year: year, Kind: Half, N: n}, nil
	case s[5] == 'Q' && n >= 1 && n <= 4:
		return Period{Year: year, Kind: Quarter, N: n}, nil
	}
	return Period{}, bad
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// String renders the period as ParsePeriod reads it.
func (p Period) String() string {
	y := strconv.Itoa(p.Year)
	switch p.Kind {
	case Half:
		return y + "-H" + strconv.Itoa(p.N)
	case Quarter:
		return y + "-Q" + strconv.Itoa(p.N)
	}
	return y
}

// months returns the first month (1-based) and the number of months.
func (p Period) months() (first, count int) {
	switch p.Kind {
	case Half:
		return 1 + 6*(p.N-1), 6
	case Quarter:
		return 1 + 3*(p.N-1), 3
	}
	return 1, 12
}

// Start is the period's first instant, midnight in Amsterdam.
func (p Period) Start() time.Time {
	first, _ := p.months()
	return time.Date(p.Year, time.Month(first), 1, 0, 0, 0, 0, Amsterdam)
}

// End is the first instant after the period.
func (p Period) End() time.Time {
	first, count := p.months()
	return time.Date(p.Year, time.Month(first+count), 1, 0, 0, 0, 0, Amsterdam)
}

// LastDay is the period's last calendar day (midnight UTC, a date): the day
// on which ages are taken.
func (p Period) LastDay() time.Time {
	e := p.End().AddDate(0, 0, -1)
	return time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
}

// Contains reports whether q lies within p (p itself included).
func (p Period) Contains(q Period) bool {
	return !q.Start().Before(p.Start()) && !q.End().After(p.End())
}

// Family returns the year of p and every half-year and quarter in it, the
// year first, then the halves, then the quarters: an order in which every
// period comes after the periods that contain it.
func (p Period) Family() []Period {
	y := p.Year
	return []Period{{y, Year, 0}, {y, Half, 1}, {y, Half, 2},
		{y, Quarter, 1}, {y, Quarter, 2}, {y, Quarter, 3}, {y, Quarter, 4}}
}

// Parts returns the periods within p, p's sub-periods in family order and
// then p: the columns of table T1.
func (p Period) Parts() []Period {
	var out []Period
	for _, q := range p.Family() {
		if q != p && p.Contains(q) {
			out = append(out, q)
		}
	}
	// Halves before quarters reads oddly; show quarters first, then halves.
	var quarters, halves []Period
	for _, q := range out {
		if q.Kind == Quarter {
			quarters = append(quarters, q)
		} else {
			halves = append(halves, q)
		}
	}
	return append(append(quarters, halves...), p)
}

// PeriodsOf returns the quarter, half-year and year that instant t falls in.
func PeriodsOf(t time.Time) [3]Period {
	local := t.In(Amsterdam)
	m := int(local.Month())
	y := local.Year()
	return [3]Period{{y, Quarter, (m-1)/3 + 1}, {y, Half, (m-1)/6 + 1}, {y, Year, 0}}
}

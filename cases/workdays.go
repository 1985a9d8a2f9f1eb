package cases

import "time"

// Calendar says which days are working days: Monday to Friday in
// Europe/Amsterdam, except Dutch public holidays. Handover deadlines are
// counted in its working days.
//
// The holidays are those of article 3 of the Algemene termijnenwet, with two
// choices made explicit because partners' collective agreements differ:
//
//   - Good Friday (Goede Vrijdag) is a working day by default. The
//     Algemene termijnenwet equates it with a holiday for legal deadlines,
//     but the government does not treat it as a general day off and most
//     partners' staff work that day; a handover deadline is a service
//     promise between partners, not a legal term. Set GoodFriday to count
//     it as a holiday.
//   - Liberation Day (Bevrijdingsdag, 5 May) is a holiday every year, as in
//     the Algemene termijnenwet and for municipal staff; several agreements
//     give it off only every fifth year (2025, 2030, ...), which
//     LiberationDayLustrumOnly selects. Counting it every year errs on the
//     side of the receiving partner: a deadline is never shortened.
//
// Holidays that fall on a weekend are not moved (the Netherlands has no
// substitute days), except King's Day, which moves to 26 April when 27 April
// is a Sunday.
type Calendar struct {
	GoodFriday               bool
	LiberationDayLustrumOnly bool
}

// DutchCalendar is the calendar Buurtbrug counts deadlines in.
var DutchCalendar = Calendar{}

// Easter returns Easter Sunday of year in the Gregorian calendar, by the
// anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// Holiday is one public holiday: its date (midnight UTC, a calendar date)
// and its Dutch name.
type Holiday struct {
	Date time.Time
	Name string
}

// Holidays lists the public holidays of year, in date order.
func (cal Calendar) Holidays(year int) []Holiday {
	date := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
	easter := Easter(year)
	out := []Holiday{{date(time.January, 1), "Nieuwjaarsdag"}}
	if cal.GoodFriday {
		out = append(out, Holiday{easter.AddDate(0, 0, -2), "Goede Vrijdag"})
	}
	out = append(out,
		Holiday{easter, "Eerste Paasdag"},
		Holiday{easter.AddDate(0, 0, 1), "Tweede Paasdag"},
		Holiday{kingsDay(year), "Koningsdag"},
	)
	if !cal.LiberationDayLustrumOnly || year%5 == 0 {
		out = append(out, Holiday{date(time.May, 5), "Bevrijdingsdag"})
	}
	out = append(out,
		Holiday{easter.AddDate(0, 0, 39), "Hemelvaartsdag"},
		Holiday{easter.AddDate(0, 0, 49), "Eerste Pinksterdag"},
		Holiday{easter.AddDate(0, 0, 50), "Tweede Pinksterdag"},
		Holiday{date(time.December, 25), "Eerste Kerstdag"},
		Holiday{date(time.December, 26), "Tweede Kerstdag"},
	)
	// Liberation Day may fall after Ascension Day (Easter late in April):
	// keep date order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Date.Before(out[j-1].Date); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// kingsDay is 27 April, or 26 April when the 27th is a Sunday (since 2014;
// before, Queen's Day on 30 April, or the 29th when that was a Sunday).
func kingsDay(year int) time.Time {
	day := 27
	if year < 2014 {
		day = 30
	}
	d := time.Date(year, time.April, day, 0, 0, 0, 0, time.UTC)
	if d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// IsHoliday reports whether the calendar date of t (taken in Amsterdam) is a
// public holiday, and which.
func (cal Calendar) IsHoliday(t time.Time) (string, bool) {
	y, m, d := t.In(Amsterdam).Date()
	for _, h := range cal.Holidays(y) {
		if h.Date.Month() == m && h.Date.Day() == d {
			return h.Name, true
		}
	}
	return "", false
}

// IsWorkday reports whether the calendar date of t in Amsterdam is a working
// day: not a Saturday, Sunday or public holiday.
func (cal Calendar) IsWorkday(t time.Time) bool {
	local := t.In(Amsterdam)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := cal.IsHoliday(local)
	return !holiday
}

// startOfDay is midnight in Amsterdam at the start of t's Amsterdam date.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(Amsterdam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Amsterdam)
}

// nextDay is midnight in Amsterdam at the start of the following date
// (AddDate on the date keeps daylight saving changes right).
func nextDay(day time.Time) time.Time {
	y, m, d := day.In(Amsterdam).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Amsterdam)
}

// AddWorkdays returns the end of the n-th working day after the date of t:
// the instant (midnight in Amsterdam) at which that day is over. The day of
// t itself never counts, whether or not it is a working day, so something
// requested on Friday afternoon with n = 1 is due by the end of Monday. n <
// 1 gives the end of t's own day.
func (cal Calendar) AddWorkdays(t time.Time, n int) time.Time {
	day := startOfDay(t)
	for n > 0 {
		day = nextDay(day)
		if cal.IsWorkday(day) {
			n--
		}
	}
	return nextDay(day)
}

// WorkdaysBetween counts the working days after the date of from up to and
// including the date of to (both in Amsterdam): 0 when to is on the same date
// as from or earlier. Something sent on Friday and answered on Monday took
// one working day.
func (cal Calendar) WorkdaysBetween(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	last := startOfDay(to)
	n := 0
	for day := nextDay(startOfDay(from)); !day.After(last); day = nextDay(day) {
		if cal.IsWorkday(day) {
			n++
		}
	}
	return n
}

// AddWorkdays is DutchCalendar.AddWorkdays.
func AddWorkdays(t time.Time, n int) time.Time { return DutchCalendar.AddWorkdays(t, n) }

// WorkdaysBetween is DutchCalendar.WorkdaysBetween.
func WorkdaysBetween(from, to time.Time) int { return DutchCalendar.WorkdaysBetween(from, to) }

// IsWorkday is DutchCalendar.IsWorkday.
func IsWorkday(t time.Time) bool { return DutchCalendar.IsWorkday(t) }

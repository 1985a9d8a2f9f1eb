package cases

import (
	"testing"
	"time"
)

func ams(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Amsterdam)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEaster(t *testing.T) {
	t.Parallel()
	for year, want := range map[int]string{
		1818: "1818-03-22", 1943: "1943-04-25", 2000: "2000-04-23", 2008: "2008-03-23", 2011: "2011-04-24",
		2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2038: "2038-04-25", 2285: "2285-03-22",
	} {
		if got := Easter(year).Format(time.DateOnly); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestHolidays(t *testing.T) {
	t.Parallel()
	dates := func(hs []Holiday) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Date.Format(time.DateOnly)+" "+h.Name)
		}
		return out
	}
	for _, tc := range []struct {
		cal  Calendar
		year int
		want []string
	}{
		{DutchCalendar, 2025, []string{
			"2025-01-01 Nieuwjaarsdag", "2025-04-20 Eerste Paasdag", "2025-04-21 Tweede Paasdag",
			"2025-04-26 Koningsdag", // 27 April 2025 is a Sunday
			"2025-05-05 Bevrijdingsdag", "2025-05-29 Hemelvaartsdag", "2025-06-08 Eerste Pinksterdag",
			"2025-06-09 Tweede Pinksterdag", "2025-12-25 Eerste Kerstdag", "2025-12-26 Tweede Kerstdag"}},
		{DutchCalendar, 2026, []string{
			"2026-01-01 Nieuwjaarsdag", "2026-04-05 Eerste Paasdag", "2026-04-06 Tweede Paasdag",
			"2026-04-27 Koningsdag", "2026-05-05 Bevrijdingsdag", "2026-05-14 Hemelvaartsdag",
			"2026-05-24 Eerste Pinksterdag", "2026-05-25 Tweede Pinksterdag", "2026-12-25 Eerste Kerstdag",
			"2026-12-26 Tweede Kerstdag"}},
		{Calendar{GoodFriday: true, LiberationDayLustrumOnly: true}, 2026, []string{
			"2026-01-01 Nieuwjaarsdag", "2026-04-03 Goede Vrijdag", "2026-04-05 Eerste Paasdag",
			"2026-04-06 Tweede Paasdag", "2026-04-27 Koningsdag", "2026-05-14 Hemelvaartsdag",
			"2026-05-24 Eerste Pinksterdag", "2026-05-25 Tweede Pinksterdag", "2026-12-25 Eerste Kerstdag",
			"2026-12-26 Tweede Kerstdag"}},
		// Easter on 25 April: Ascension (3 June) after Liberation Day, order kept.
		{Calendar{LiberationDayLustrumOnly: true}, 2038, []string{
			"2038-01-01 Nieuwjaarsdag", "2038-04-25 Eerste Paasdag", "2038-04-26 Tweede Paasdag",
			"2038-04-27 Koningsdag", "2038-06-03 Hemelvaartsdag", "2038-06-13 Eerste Pinksterdag",
			"2038-06-14 Tweede Pinksterdag", "2038-12-25 Eerste Kerstdag", "2038-12-26 Tweede Kerstdag"}},
	} {
		got := dates(tc.cal.Holidays(tc.year))
		if len(got) != len(tc.want) {
			t.Errorf("%+v %d: %v, want %v", tc.cal, tc.year, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%+v %d: [%d] %s, want %s", tc.cal, tc.year, i, got[i], tc.want[i])
			}
		}
	}
}

func TestIsWorkday(t *testing.T) {
	t.Parallel()
	for day, want := range map[string]bool{
		"2026-04-24 12:00": true,  // Friday
		"2026-04-25 12:00": false, // Saturday
		"2026-04-26 12:00": false, // Sunday
		"2026-04-27 12:00": false, // King's Day
		"2026-04-03 12:00": true,  // Good Friday: a working day by default
		"2025-04-21 12:00": false, // Easter Monday
		"2026-05-05 12:00": false, // Liberation Day, every year by default
		"2026-05-14 12:00": false, // Ascension Day
		"2026-05-25 12:00": false, // Whit Monday
		"2026-12-24 12:00": true,  // Christmas Eve is a working day
		"2027-01-01 00:30": false, // New Year's Day just after midnight in Amsterdam...
	} {
		if got := IsWorkday(ams(day)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", day, got, want)
		}
	}
	// ...which is still 31 December in UTC: the Amsterdam date counts.
	if IsWorkday(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)) {
		t.Error("2026-12-31T23:30Z is 1 January in Amsterdam: not a working day")
	}
	if (Calendar{GoodFriday: true}).IsWorkday(ams("2026-04-03 12:00")) {
		t.Error("with GoodFriday, Good Friday is not a working day")
	}
	if !(Calendar{LiberationDayLustrumOnly: true}).IsWorkday(ams("2026-05-05 12:00")) {
		t.Error("lustrum only: 5 May 2026 is a working day")
	}
	if (Calendar{LiberationDayLustrumOnly: true}).IsWorkday(ams("2025-05-05 12:00")) {
		t.Error("lustrum only: 5 May 2025 is a holiday")
	}
}

func TestAddWorkdays(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cal  Calendar
		from string
		n    int
		want string // midnight in Amsterdam ending the last working day
	}{
		{"weekend", DutchCalendar, "2025-03-14 16:00", 1, "2025-03-18 00:00"},
		{"same day never counts", DutchCalendar, "2025-03-17 08:00", 1, "2025-03-19 00:00"},
		{"sent on a Saturday", DutchCalendar, "2025-03-15 11:00", 1, "2025-03-18 00:00"},
		{"five days, one weekend", DutchCalendar, "2025-03-12 10:00", 5, "2025-03-20 00:00"},
		{"King's Day", DutchCalendar, "2026-04-24 10:00", 5, "2026-05-05 00:00"},
		{"King's Day and Liberation Day", DutchCalendar, "2026-04-24 10:00", 10, "2026-05-13 00:00"},
		{"Easter, Good Friday worked", DutchCalendar, "2025-04-17 09:00", 5, "2025-04-26 00:00"},
		{"Easter, Good Friday off", Calendar{GoodFriday: true}, "2025-04-17 09:00", 5, "2025-04-29 00:00"},
		{"Christmas and New Year", DutchCalendar, "2025-12-24 15:00", 4, "2026-01-03 00:00"},
		{"across daylight saving", DutchCalendar, "2025-03-28 12:00", 1, "2025-04-01 00:00"},
		{"zero: end of the day", DutchCalendar, "2025-03-12 10:00", 0, "2025-03-13 00:00"},
	} {
		got := tc.cal.AddWorkdays(ams(tc.from), tc.n)
		if want := ams(tc.want); !got.Equal(want) {
			t.Errorf("%s: AddWorkdays(%s, %d) = %s, want %s", tc.name, tc.from, tc.n, got.In(Amsterdam), want)
		}
	}
	// The daylight saving case is a true midnight: 22:00 UTC in summer time.
	if got := AddWorkdays(ams("2025-03-28 12:00"), 1).UTC(); got != time.Date(2025, 3, 31, 22, 0, 0, 0, time.UTC) {
		t.Errorf("DST: %s", got)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2025-03-14 16:00", "2025-03-17 09:00", 1}, // Friday → Monday
		{"2025-03-14 09:00", "2025-03-14 17:00", 0}, // same day
		{"2025-03-17 09:00", "2025-03-14 09:00", 0}, // backwards
		{"2026-04-24 10:00", "2026-04-28 10:00", 1}, // Monday is King's Day
		{"2026-04-24 10:00", "2026-05-13 10:00", 11},
		{"2025-04-17 09:00", "2025-04-22 09:00", 2}, // Good Friday counts, Easter Monday not
	} {
		if got := WorkdaysBetween(ams(tc.from), ams(tc.to)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestOverdueWithFixedClock(t *testing.T) {
	t.Parallel()
	// Sent on Thursday 23 April 2026; King's Day (Monday 27 April) and
	// Liberation Day (Tuesday 5 May) are not working days.
	sent := ams("2026-04-23 09:00")
	acceptBy, contactBy := DefaultHandoverLimits.Deadlines(sent)
	if want := ams("2026-05-02 00:00"); !acceptBy.Equal(want) {
		t.Fatalf("accept by %s, want %s", acceptBy.In(Amsterdam), want)
	}
	if want := ams("2026-05-12 00:00"); !contactBy.Equal(want) {
		t.Fatalf("contact by %s, want %s", contactBy.In(Amsterdam), want)
	}
	for _, tc := range []struct {
		state, now string
		want       bool
	}{
		{StateRequested, "2026-04-30 23:59", false}, // 5 calendar working days would end here
		{StateRequested, "2026-05-01 23:59", false},
		{StateRequested, "2026-05-02 00:00", true},
		{StateReceived, "2026-05-04 09:00", true},
		{StateAccepted, "2026-05-04 09:00", false},
		{StateAccepted, "2026-05-11 23:59", false},
		{StateAccepted, "2026-05-12 00:00", true},
		{StateContacted, "2026-06-30 12:00", false},
		{StateCompleted, "2026-06-30 12:00", false},
		{StateDeclined, "2026-06-30 12:00", false},
		{StateWithdrawn, "2026-06-30 12:00", false},
	} {
		if got := Overdue(tc.state, acceptBy, contactBy, ams(tc.now)); got != tc.want {
			t.Errorf("Overdue(%s at %s) = %v, want %v", tc.state, tc.now, got, tc.want)
		}
	}
	// Easter 2025: sent Thursday before Easter; Easter Monday is skipped.
	acceptBy, _ = DefaultHandoverLimits.Deadlines(ams("2025-04-17 09:00"))
	if Overdue(StateRequested, acceptBy, acceptBy, ams("2025-04-25 17:00")) {
		t.Error("Easter: not overdue on Friday 25 April")
	}
	if !Overdue(StateRequested, acceptBy, acceptBy, ams("2025-04-26 00:00")) {
		t.Error("Easter: overdue from Saturday 26 April")
	}
}

func TestHandoverLimitsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		l     HandoverLimits
		field string
	}{
		{HandoverLimits{5, 10}, ""},
		{HandoverLimits{0, 10}, "accept_days"},
		{HandoverLimits{5, 121}, "contact_days"},
		{HandoverLimits{6, 5}, "contact_days"},
	} {
		err := tc.l.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.l, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != EINVALID || e.Fields[0].Field != tc.field {
			t.Errorf("%+v: %v, want field %s", tc.l, err, tc.field)
		}
	}
}

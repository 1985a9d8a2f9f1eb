package cases

import (
	"regexp"
	"slices"
	"strings"
)

// Opening and drop-in hours as an editor types them, one span a line:
// "ma 09:00-17:00" or, for a drop-in, "di 10:00-12:00 Burezina, Zamenhofdreef".
// Days are the first two letters of the Dutch or English name.

var (
	dutchDays = []string{"ma", "di", "wo", "do", "vr", "za", "zo"}
	spanLine  = regexp.MustCompile(`^(\p{L}{2})\p{L}*\.?\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*(.*)$`)
)

// dayOf reads a day's name (Dutch or English, two letters or more).
func dayOf(word string) (string, bool) {
	w := strings.ToLower(word)
	if i := slices.Index(dutchDays, w); i >= 0 {
		return Weekdays[i], true
	}
	return w, slices.Contains(Weekdays, w)
}

// clock writes "9.30" as "09:30".
func clock(s string) string {
	s = strings.Replace(s, ".", ":", 1)
	if len(s) == 4 {
		s = "0" + s
	}
	return s
}

// ParseSpans reads the lines of text as spans of field ("hours"): a line
// it cannot read is an error on field[i] (the i-th span). The place is
// kept for drop-ins only; Validate checks the values.
func ParseSpans(field, text string, withPlace bool) ([]OpeningSpan, error) {
	out := []OpeningSpan{}
	var problems []FieldError
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := spanLine.FindStringSubmatch(line)
		day, ok := "", false
		if m != nil {
			day, ok = dayOf(m[1])
		}
		if !ok || (m[4] != "" && !withPlace) {
			problems = append(problems, FieldError{Field: field + "[" + itoa(len(out)) + "]", Tag: "span_format", Param: line})
			out = append(out, OpeningSpan{})
			continue
		}
		out = append(out, OpeningSpan{Day: day, Opens: clock(m[2]), Closes: clock(m[3]), Place: strings.TrimSpace(m[4])})
	}
	return out, InvalidOrNil(problems)
}

// FormatSpans writes spans back as lines, with Dutch day names for "nl".
func FormatSpans(spans []OpeningSpan, lang string) string {
	var lines []string
	for _, s := range spans {
		day := s.Day
		if i := slices.Index(Weekdays, s.Day); i >= 0 && lang != "en" {
			day = dutchDays[i]
		}
		line := day + " " + s.Opens + "-" + s.Closes
		if s.Place != "" {
			line += " " + s.Place
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

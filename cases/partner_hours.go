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
	spanLine  = regexp.MustCompile(`^(\p{L}{2})\p{L}*\.?(?:\s*[-–]\s*(\p{L}{2})\p{L}*\.?)?\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*(.*)$`)
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
// of a range of days ("ma-vr 09:00-17:00") is a span on each. A line it
// cannot read is an error on field[i] (the span it would start). The place
// is kept for drop-ins only; Validate checks the values.
func ParseSpans(field, text string, withPlace bool) ([]OpeningSpan, error) {
	out := []OpeningSpan{}
	var problems []FieldError
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		days, m := spanDays(line)
		if days == nil || (m[5] != "" && !withPlace) {
			problems = append(problems, FieldError{Field: field + "[" + itoa(len(out)) + "]", Tag: "span_format", Param: line})
			out = append(out, OpeningSpan{})
			continue
		}
		for _, day := range days {
			out = append(out, OpeningSpan{Day: day, Opens: clock(m[3]), Closes: clock(m[4]), Place: strings.TrimSpace(m[5])})
		}
	}
	return out, InvalidOrNil(problems)
}

// spanDays reads the day or range of days a line starts with, and the
// line's parts; nil days when it cannot.
func spanDays(line string) ([]string, []string) {
	m := spanLine.FindStringSubmatch(line)
	if m == nil {
		return nil, nil
	}
	first, ok := dayOf(m[1])
	if !ok {
		return nil, nil
	}
	last := first
	if m[2] != "" {
		if last, ok = dayOf(m[2]); !ok {
			return nil, nil
		}
	}
	i, j := slices.Index(Weekdays, first), slices.Index(Weekdays, last)
	if j < i {
		return nil, nil
	}
	return Weekdays[i : j+1], m
}

// SpanGroup is spans on days in a row with the same hours and place.
type SpanGroup struct {
	First, Last   string // days
	Opens, Closes string
	Place         string
}

// GroupSpans puts spans on days in a row with the same hours and place
// together, in their order.
func GroupSpans(spans []OpeningSpan) []SpanGroup {
	var out []SpanGroup
	for i, s := range spans {
		if n := len(out); n > 0 && i > 0 && out[n-1].Opens == s.Opens && out[n-1].Closes == s.Closes &&
			out[n-1].Place == s.Place && slices.Index(Weekdays, s.Day) == slices.Index(Weekdays, spans[i-1].Day)+1 {
			out[n-1].Last = s.Day
			continue
		}
		out = append(out, SpanGroup{First: s.Day, Last: s.Day, Opens: s.Opens, Closes: s.Closes, Place: s.Place})
	}
	return out
}

// FormatSpans writes spans back as lines ParseSpans reads, days in a row
// with the same hours as a range, with Dutch day names unless lang is "en".
func FormatSpans(spans []OpeningSpan, lang string) string {
	name := func(day string) string {
		if i := slices.Index(Weekdays, day); i >= 0 && lang != "en" {
			return dutchDays[i]
		}
		return day
	}
	var lines []string
	for _, g := range GroupSpans(spans) {
		line := name(g.First)
		if g.Last != g.First {
			line += "-" + name(g.Last)
		}
		line += " " + g.Opens + "-" + g.Closes
		if g.Place != "" {
			line += " " + g.Place
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

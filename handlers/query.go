package handlers

import (
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Reading the query string of a list: each list names the parameters it
// takes; any other, or one given twice, is refused naming it, so a typo
// in a filter is never silently a list of everything.

// query reads the query parameters of a list, collecting field problems.
type query struct {
	c        *gin.Context
	problems []cases.FieldError
}

// listQuery checks the request's parameters against the allowed ones.
func listQuery(c *gin.Context, allowed ...string) *query {
	q := &query{c: c}
	names := make([]string, 0, len(c.Request.URL.Query()))
	for name := range c.Request.URL.Query() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch {
		case !slices.Contains(allowed, name):
			q.fail(name, "unknown_param", "")
		case len(c.QueryArray(name)) > 1:
			q.fail(name, "repeated", "")
		}
	}
	return q
}

func (q *query) fail(field, tag, param string) {
	q.problems = append(q.problems, cases.FieldError{Field: field, Tag: tag, Param: param})
}

// err is the problems found, or nil.
func (q *query) err() error { return cases.InvalidOrNil(q.problems) }

// text reads a parameter of at most max characters.
func (q *query) text(name string, max int) string {
	v := q.c.Query(name)
	if len(v) > max {
		q.fail(name, "max_length", strconv.Itoa(max))
		return ""
	}
	return v
}

// flag reads true or false (absent: false).
func (q *query) flag(name string) bool {
	switch q.c.Query(name) {
	case "", "false":
		return false
	case "true":
		return true
	}
	q.fail(name, "boolean", "")
	return false
}

// number reads a whole number in [lo, hi] (absent: 0).
func (q *query) number(name string, lo, hi int) int {
	v := q.c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.fail(name, "range", strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
		return 0
	}
	return n
}

// limit reads the page size. Its maximum is the list's (the use case
// refuses more, naming it); here only what is no number at all.
func (q *query) limit() int {
	v := q.c.Query("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		q.fail("limit", "positive", "")
		return 0
	}
	return min(n, 1<<20)
}

// uuid reads an ID.
func (q *query) uuid(name string) string {
	v := q.c.Query(name)
	if _, err := uuid.Parse(v); v != "" && err != nil {
		q.fail(name, "uuid", "")
	}
	return v
}

// bound reads a time: RFC 3339, or a date taken in Amsterdam (the start
// of that day, or for an end bound the start of the next).
func (q *query) bound(name string, end bool) *time.Time {
	v := q.c.Query(name)
	if v == "" {
		return nil
	}
	t, ok := parseBound(v, end)
	if !ok {
		q.fail(name, "rfc3339", "")
		return nil
	}
	return &t
}

// parseBound reads an RFC 3339 time, or a date taken in Amsterdam: the
// start of that day, or for an end bound the start of the next day.
func parseBound(v string, end bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	d, err := time.ParseInLocation(time.DateOnly, v, cases.Amsterdam)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}

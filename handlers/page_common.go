package handlers

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// choice is one option of a select, radio group or chip list on a page.
type choice struct {
	Value   string
	Label   string
	Checked bool
}

// termChoices lists reference terms in the page language; checked holds
// the values to mark.
func termChoices(terms []cases.Term, lang string, checked ...string) []choice {
	out := make([]choice, 0, len(terms))
	for _, t := range terms {
		out = append(out, choice{Value: t.Slug, Label: t.Name(lang), Checked: contains(checked, t.Slug)})
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v && v != "" {
			return true
		}
	}
	return false
}

// termNames maps slugs to names in lang.
func termNames(terms []cases.Term, lang string) map[string]string {
	m := make(map[string]string, len(terms))
	for _, t := range terms {
		m[t.Slug] = t.Name(lang)
	}
	return m
}

// pageFail shows err on the error page with the status and message the API
// would answer (another organisation's record: 404, like an absent one).
func (s *Server) pageFail(c *gin.Context, err error) {
	status, body := s.errorBody(c, err)
	s.render(c, status, "error", "error.title", body.Error.Message)
	c.Abort()
}

// formError is a domain error translated for a form: the general message and
// one message per field, keyed by the field's name on the page ("topics[0]"
// is shown at "topics").
type formError struct {
	Status  int
	Message string
	Fields  map[string]string
}

// formErrorOf translates err with the same i18n as the API. ok is false for
// errors a form cannot show next to its fields (not found, internal, ...):
// those belong on the error page.
func (s *Server) formErrorOf(c *gin.Context, err error) (fe formError, ok bool) {
	var e *cases.Error
	if !errors.As(err, &e) || (e.Code != cases.EINVALID && e.Code != cases.EFORBIDDEN && e.Code != cases.ECONFLICT) {
		return fe, false
	}
	status, body := s.errorBody(c, err)
	fe = formError{Status: status, Message: body.Error.Message, Fields: map[string]string{}}
	// In field order, so the first problem of a listed field ("hours[0]"
	// before "hours[1].closes") is the one shown, every time.
	for _, k := range slices.Sorted(maps.Keys(body.Error.Fields)) {
		key := formKey(k)
		if _, seen := fe.Fields[key]; !seen || k == key {
			fe.Fields[key] = body.Error.Fields[k]
		}
	}
	return fe, true
}

// pageOfList reads the page of a list that q asks for. A wrong query (an
// error naming the parameter) is said over the first page instead:
// problems holds its messages and status is 422. ok false: the request
// failed and was answered.
func pageOfList[F, L any](s *Server, c *gin.Context, q *query, f F, find func(F) (L, error)) (list L, status int, problems []string, ok bool) {
	err := q.err()
	if err == nil {
		if list, err = find(f); err == nil {
			return list, http.StatusOK, nil, true
		}
	}
	fe, isForm := s.formErrorOf(c, err)
	if !isForm || fe.Status != http.StatusUnprocessableEntity {
		s.pageFail(c, err)
		return list, 0, nil, false
	}
	for _, name := range slices.Sorted(maps.Keys(fe.Fields)) {
		problems = append(problems, fe.Fields[name])
	}
	var first F
	if list, err = find(first); err != nil {
		s.pageFail(c, err)
		return list, 0, nil, false
	}
	return list, fe.Status, problems, true
}

// formKey turns "topics[0]" into "topics".
func formKey(field string) string {
	if i := strings.IndexByte(field, '['); i > 0 {
		return field[:i]
	}
	return field
}

// localTime shows an instant in Amsterdam, the way each language writes it.
func localTime(t time.Time, lang string) string {
	t = t.In(cases.Amsterdam)
	if lang == langEN {
		return t.Format("2 Jan 2006, 15:04")
	}
	return t.Format("02-01-2006 15:04")
}

// localDate shows a stored date (YYYY-MM-DD) the way each language writes it.
func localDate(d string, lang string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	if lang == langEN {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02-01-2006")
}

// residentName is a record's full name, or "" when it has none.
func residentName(r *cases.Resident) string {
	return strings.TrimSpace(r.GivenName + " " + r.FamilyName)
}

package handlers

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// wantStatus is the answer to each domain error code, written out apart
// from statusOf.
var wantStatus = map[string]int{
	cases.EBADREQUEST:   http.StatusBadRequest,
	cases.EUNAUTHORIZED: http.StatusUnauthorized,
	cases.EFORBIDDEN:    http.StatusForbidden,
	cases.ENOTFOUND:     http.StatusNotFound,
	cases.ECONFLICT:     http.StatusConflict,
	cases.ENOTALLOWED:   http.StatusConflict,
	cases.EGONE:         http.StatusGone,
	cases.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	cases.EINVALID:      http.StatusUnprocessableEntity,
	cases.ETOOMANY:      http.StatusTooManyRequests,
	cases.EINTERNAL:     http.StatusInternalServerError,
	cases.ECANCELED:     499,
	cases.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// errorCodes reads the E* constants of package cases from its source, so
// a code added there without an answer here fails this test.
func errorCodes(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../cases/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			v := spec.(*ast.ValueSpec)
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if strings.HasPrefix(name.Name, "E") && ok && lit.Kind == token.STRING {
					codes[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %v in cases/errors.go", codes)
	}
	return codes
}

// Every domain error code has one status, and the answer names the code.
func TestEveryErrorCodeHasItsStatus(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for name, code := range errorCodes(t) {
		want, ok := wantStatus[code]
		if !ok {
			t.Errorf("cases.%s (%q): no status expected by this test", name, code)
			continue
		}
		ts.residents.err = cases.Errorf(code, "forbidden")
		rec := ts.do(apiRequest("GET", "/api/v1/residents/x", ""))
		if rec.Code != want || apiErrorOf(t, rec).Error.Code != code {
			t.Errorf("cases.%s: %d %s, want %d", name, rec.Code, rec.Body, want)
		}
		if retry, want := rec.Header().Get("Retry-After"), map[string]string{cases.ETOOMANY: "900", cases.EUNAVAILABLE: "5"}[code]; retry != want {
			t.Errorf("cases.%s: Retry-After %q, want %q", name, retry, want)
		}
	}
	// An error that knows when to try again says so, in whole seconds.
	for _, code := range []string{cases.ETOOMANY, cases.EUNAVAILABLE} {
		ts.residents.err = &cases.Error{Code: code, Message: "login_throttled", Args: []any{1}, RetryAfter: 1500 * time.Millisecond}
		if got := ts.do(apiRequest("GET", "/api/v1/residents/x", "")).Header().Get("Retry-After"); got != "2" {
			t.Errorf("%s after 1.5 s: Retry-After %q, want 2", code, got)
		}
	}
}

// What is not a domain error is a 500 that tells nothing but "internal"
// and is logged; a client that went away gets 499.
func TestOtherErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.residents.err = errors.New("disk on fire at /var/lib/buurtbrug")
	rec := ts.do(apiRequest("GET", "/api/v1/residents/x", ""))
	if body := apiErrorOf(t, rec); rec.Code != 500 || body.Error.Code != cases.EINTERNAL || strings.Contains(rec.Body.String(), "disk") {
		t.Errorf("a plain error: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.log.String(), "disk on fire") {
		t.Errorf("the internal error was not logged: %s", ts.log)
	}

	ts.residents.err = context.Canceled
	if rec := ts.do(apiRequest("GET", "/api/v1/residents/x", "")); rec.Code != 500 {
		t.Errorf("context.Canceled while the client waits: %d, want 500", rec.Code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec = ts.do(apiRequest("GET", "/api/v1/residents/x", "").WithContext(ctx))
	if rec.Code != 499 || apiErrorOf(t, rec).Error.Code != cases.ECANCELED {
		t.Errorf("a client that went away: %d %s", rec.Code, rec.Body)
	}

	// A use case that panics (here: one the fake lacks) is a logged 500.
	rec = ts.do(apiRequest("GET", "/api/v1/handovers", ""))
	if rec.Code != 500 || apiErrorOf(t, rec).Error.Code != cases.EINTERNAL || !strings.Contains(ts.log.String(), "panic") {
		t.Errorf("a panic: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing-here", 404, cases.ENOTFOUND},
		{"PUT", "/api/v1/residents/x", 405, cases.EBADREQUEST},
	} {
		rec := ts.do(apiRequest(tc.method, tc.path, ""))
		if rec.Code != tc.status || apiErrorOf(t, rec).Error.Code != tc.code {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
		}
	}
	if rec := ts.do(apiRequest("GET", "/nothing-here", "")); rec.Code != 404 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("an unknown page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// An EINVALID answer names each wrong field once, with its first problem.
func TestFieldErrorsAreNamed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.residents.err = cases.Invalid(cases.FieldError{Field: "birth_date", Tag: "past"},
		cases.FieldError{Field: "phone", Tag: "phone"}, cases.FieldError{Field: "phone", Tag: "required"})
	body := apiErrorOf(t, ts.do(apiRequest("GET", "/api/v1/residents/x", "")))
	if len(body.Error.Fields) != 2 || body.Error.Fields["birth_date"] == "" || body.Error.Fields["phone"] == "" {
		t.Fatalf("fields: %v", body.Error.Fields)
	}
	ts.residents.err = cases.FieldInvalid("phone", "phone", "")
	if once := apiErrorOf(t, ts.do(apiRequest("GET", "/api/v1/residents/x", ""))).Error.Fields["phone"]; body.Error.Fields["phone"] != once {
		t.Errorf("the second problem of phone replaced the first: %q, want %q", body.Error.Fields["phone"], once)
	}
}

package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

const contactID = "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f"

// A JSON body is read strictly: only the JSON content type, no unknown
// fields, no wrong types, nothing after the value, at most 64 KiB. A
// refused body never reaches the use case.
func TestStrictJSONDecoding(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	valid := `{"id":"` + contactID + `","programme":"hoop","topics":["schulden"]}`
	for _, tc := range []struct {
		name        string
		path        string
		contentType string
		body        string
		status      int
		code        string
		message     string // translation key of the answer
		field       string // the field an EINVALID names
	}{
		{"unknown field", "/api/v1/contacts", "", `{"id":"` + contactID + `","bogus":1}`, 422, cases.EINVALID, "invalid_input", "bogus"},
		{"wrong type", "/api/v1/contacts", "", `{"topics":"schulden"}`, 422, cases.EINVALID, "invalid_input", "topics"},
		{"wrong type, nested", "/api/v1/handovers", "", `{"consent":{"given":"yes"}}`, 422, cases.EINVALID, "invalid_input", "consent.given"},
		{"not an object", "/api/v1/contacts", "", `["schulden"]`, 400, cases.EBADREQUEST, "malformed_json", ""},
		{"trailing value", "/api/v1/contacts", "", valid + ` {}`, 400, cases.EBADREQUEST, "malformed_json", ""},
		{"trailing garbage", "/api/v1/contacts", "", valid + `x`, 400, cases.EBADREQUEST, "malformed_json", ""},
		{"cut off", "/api/v1/contacts", "", `{"id":`, 400, cases.EBADREQUEST, "malformed_json", ""},
		{"empty", "/api/v1/contacts", "", ``, 400, cases.EBADREQUEST, "content_type_json", ""},
		{"over 64 KiB", "/api/v1/contacts", "", `{"note":"` + strings.Repeat("x", maxBody) + `"}`, 413, cases.ETOOLARGE, "too_large", ""},
		{"over 64 KiB of trailing space", "/api/v1/contacts", "", valid + strings.Repeat(" ", maxBody), 413, cases.ETOOLARGE, "too_large", ""},
		{"a form", "/api/v1/contacts", "application/x-www-form-urlencoded", `id=` + contactID, 400, cases.EBADREQUEST, "content_type_json", ""},
		{"text", "/api/v1/contacts", "text/plain", valid, 400, cases.EBADREQUEST, "content_type_json", ""},
	} {
		req := apiRequest("POST", tc.path, tc.body)
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		rec := ts.do(req)
		body := apiErrorOf(t, rec)
		if rec.Code != tc.status || body.Error.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, rec.Code, rec.Body, tc.status, tc.code)
			continue
		}
		if want := text(t, "nl", tc.message, "64 KiB"); body.Error.Message != want {
			t.Errorf("%s: message %q, want %s: %q", tc.name, body.Error.Message, tc.message, want)
		}
		if tc.field != "" && (len(body.Error.Fields) != 1 || body.Error.Fields[tc.field] == "") {
			t.Errorf("%s: fields %v, want %s", tc.name, body.Error.Fields, tc.field)
		}
	}
	if len(ts.contacts.created) != 0 {
		t.Fatalf("refused bodies reached the use case: %+v", ts.contacts.created)
	}

	// The content type may carry parameters; the decoded input reaches the
	// use case as sent.
	req := apiRequest("POST", "/api/v1/contacts", valid)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	rec := ts.do(req)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/api/v1/contacts/"+contactID {
		t.Fatalf("a valid body: %d %s %v", rec.Code, rec.Body, rec.Header())
	}
	if got := ts.contacts.created; len(got) != 1 || got[0].ID != contactID || got[0].Programme != "hoop" ||
		len(got[0].Topics) != 1 || got[0].Topics[0] != "schulden" {
		t.Errorf("the use case got %+v", got)
	}
}

// text is the catalogue's message key in lang with args filled in; the
// key must be in the catalogue.
func text(t *testing.T, lang, key string, args ...any) string {
	t.Helper()
	i, err := newI18n()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := i.catalogue[lang][key]; !ok {
		t.Fatalf("no %s message %q", lang, key)
	}
	return i.T(lang, key, args...)
}

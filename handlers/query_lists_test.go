package handlers

import (
	"net/http"
	"testing"
)

// TestListParamsRefusedBeforeUseCase: the accounts and the directory read
// their query strictly: an unknown, repeated or malformed parameter, and a
// page of an HSDS export, are 422 naming it before any use case runs (the
// fakes lack List and Find: reaching them would be a 500).
func TestListParamsRefusedBeforeUseCase(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/users?sort=name", "sort"},
		{"/api/v1/users?limit=x", "limit"},
		{"/api/v1/users?cursor=a&cursor=b", "cursor"},
		{"/api/v1/partners?order=x", "order"},
		{"/api/v1/partners?limit=-1", "limit"},
		{"/api/v1/partners?format=hsds&limit=5", "limit"},
		{"/api/v1/partners?format=hsds&cursor=x", "cursor"},
		{"/api/v1/partners?format=xml", "format"},
	} {
		rec := ts.do(apiRequest("GET", tc.path, ""))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", tc.path, rec.Code, rec.Body)
			continue
		}
		if body := apiErrorOf(t, rec); body.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %s does not name %s", tc.path, rec.Body, tc.field)
		}
	}
}

package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLanguageSwitchStaysOnSite: the language switch sends the browser back
// only to a path of this site, judged as the browser reads it once decoded:
// an encoded slash, backslash or tab that would turn into another host is
// refused.
func TestLanguageSwitchStaysOnSite(t *testing.T) {
	env := newTestEnv(t)
	c := env.anonymous()
	// The values are the query as sent (still encoded once more).
	for back, want := range map[string]string{
		"/residents":                 "/residents",
		"/handovers/new":             "/handovers/new",
		"/%252Fevil.example":         "/",
		"/%255Cevil.example":         "/",
		"/%2509/evil.example":        "/",
		"%2F%2Fevil.example":         "/",
		"/%5Cevil.example":           "/",
		"https%3A%2F%2Fevil.example": "/",
		"/%252F%252Fevil.example":    "/",
		"javascript%3Aalert(1)":      "/",
		"/%250D%250ASet-Cookie:x":    "/",
		"/100%2525":                  "/100%25",
		"":                           "/",
	} {
		res := c.do("GET", "/lang/en?back="+back, nil)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != want {
			t.Errorf("back=%q: %d to %q, want %q", back, res.status, res.header.Get("Location"), want)
		}
	}
}

// TestInvisibleCharactersRefused: a name with a bidi override or a
// zero-width character reads differently from what it is; it is refused,
// naming the field.
func TestInvisibleCharactersRefused(t *testing.T) {
	env := newTestEnv(t)
	c := env.login("hoop.worker")
	before := env.fingerprint(false)
	for _, name := range []string{"Ali\u202Eevil", "Fa\u200Btima", "\uFEFFNora", "Emre\u2066x\u2069"} {
		res := c.do("POST", "/api/v1/residents", map[string]any{"given_name": name, "family_name": "Test"})
		if res.status != http.StatusUnprocessableEntity || res.field("given_name") == "" {
			t.Errorf("%q: %s", name, res)
		}
	}
	if env.fingerprint(false) != before {
		t.Error("a refused name was written")
	}
}

// TestReachCSVDefused: a cell that a spreadsheet would run as a formula is
// written as text.
func TestReachCSVDefused(t *testing.T) {
	env := newTestEnv(t)
	admin := env.pageLogin("admin")
	res := admin.postForm("/admin/reference/neighbourhoods", url.Values{"csrf_token": {admin.pageToken()},
		"slug": {"formule"}, "name_nl": {"=HYPERLINK(\"http://evil.example\")"}, "name_en": {"@SUM(1)"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("adding the neighbourhood: %d %s", res.status, res.body)
	}
	// Live figures are a coordinator's.
	coordinator := env.login("hoop.coord")
	for _, lang := range []string{"", "en"} {
		csv := coordinator.withLang(lang).do("GET", "/api/v1/reach?period=2025&table=T2&format=csv&version=live", nil)
		if csv.status != http.StatusOK {
			t.Fatalf("csv: %s", csv)
		}
		body := string(csv.body)
		if strings.Contains(body, ",=HYPERLINK") || strings.Contains(body, ",@SUM") || strings.Contains(body, "\n=") {
			t.Errorf("a formula is left as it is:\n%s", body)
		}
		if !strings.Contains(body, "'=HYPERLINK") && !strings.Contains(body, "'@SUM") {
			t.Errorf("the neighbourhood's name is missing:\n%s", body)
		}
	}
}

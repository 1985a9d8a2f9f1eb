package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

// partnersOf reads GET /api/v1/partners (with a query) as the slugs it lists.
func (c *client) partnersOf(query string) ([]string, []map[string]any) {
	c.env.t.Helper()
	res := c.do("GET", "/api/v1/partners"+query, nil)
	if res.status != http.StatusOK {
		c.env.t.Fatalf("partners%s: %s", query, res)
	}
	var body struct {
		Partners []map[string]any `json:"partners"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		c.env.t.Fatal(err)
	}
	var slugs []string
	for _, p := range body.Partners {
		slugs = append(slugs, p["organisation"].(string))
	}
	return slugs, body.Partners
}

func newDirectoryEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	if err := demo.SeedPartners(context.Background(), env.app.DB); err != nil {
		t.Fatal(err)
	}
	return env
}

// The directory through the API: every partner, live or not, with its
// entries; searchable by topic and words; bad queries named.
func TestPartnerDirectoryAPI(t *testing.T) {
	env := newDirectoryEnv(t)
	worker := env.login("hoop.worker")
	slugs, partners := worker.partnersOf("")
	if len(slugs) != 16 {
		t.Fatalf("%d partners, want the 16 that receive handovers: %v", len(slugs), slugs)
	}
	byslug := map[string]map[string]any{}
	for _, p := range partners {
		byslug[p["organisation"].(string)] = p
	}
	for slug, live := range map[string]bool{"al-amal": true, "dock": true, "dok030": true, "gemeente": true,
		"buurtteam": true, "werkwinkel": false, "u-centraal": false, "voedselbank": false} {
		if byslug[slug]["live"] != live {
			t.Errorf("%s: live %v, want %v", slug, byslug[slug]["live"], live)
		}
	}
	ww := byslug["werkwinkel"]
	services := ww["services"].([]any)
	if len(services) != 1 || services[0].(map[string]any)["phone"] == "" || ww["measured"] != nil ||
		mustJSON(t, ww["deadlines"]) != `{"accept_days":5,"contact_days":10}` {
		t.Errorf("Werkwinkel: %s", mustJSON(t, ww))
	}
	if got, _ := worker.partnersOf("?topic=taal"); !slices.Equal(got, []string{"taalalliantie"}) {
		t.Errorf("topic taal: %v", got)
	}
	if got, _ := worker.partnersOf("?q=bibliotheek"); !slices.Equal(got, []string{"dok030", "taalalliantie", "werkwinkel"}) {
		t.Errorf("q=bibliotheek: %v", got)
	}
	if got, _ := worker.partnersOf("?topic=schulden&q=huurders+woonin"); !slices.Equal(got, []string{"woonin"}) {
		t.Errorf("topic and words: %v", got)
	}
	for query, field := range map[string]string{"?topic=nope": "topic", "?format=xml": "format", "?colour=red": "colour",
		"?q=" + strings.Repeat("x", 101): "q"} {
		res := worker.do("GET", "/api/v1/partners"+query, nil)
		if res.status != http.StatusUnprocessableEntity || res.field(field) == "" {
			t.Errorf("%s: %s, want 422 naming %s", query[:min(len(query), 20)], res, field)
		}
	}
	if res := worker.withLang("en").do("GET", "/api/v1/partners?topic=nope", nil); !strings.Contains(res.field("topic"), "nope") {
		t.Errorf("in English: %s", res)
	}
}

// hsdsSchema is the HSDS 3.0 schema of testdata, as a document the schema
// checker of the OpenAPI tests reads.
func hsdsSchema(t *testing.T) schemaChecker {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "hsds", "hsds-3.0-organizations-page.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return schemaChecker{doc: doc, strict: true}
}

// validHSDS fails for every way body breaks the HSDS schema.
func validHSDS(t *testing.T, body []byte) {
	t.Helper()
	schema := hsdsSchema(t)
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, p := range schema.check(map[string]any(schema.doc), v, "hsds") {
		t.Error(p)
	}
}

// The HSDS export validates against the HSDS 3.0 schema, and importing it
// into another database gives the same export back; a bad file changes
// nothing and names every problem.
func TestPartnerDirectoryHSDS(t *testing.T) {
	env := newDirectoryEnv(t)
	ctx := context.Background()
	if err := env.app.Handovers.SetLimits(ctx, cases.System, "werkwinkel", cases.HandoverLimits{AcceptDays: 3, ContactDays: 7}); err != nil {
		t.Fatal(err)
	}
	admin := env.login("admin")
	res := admin.do("GET", "/api/v1/partners?format=hsds", nil)
	if res.status != http.StatusOK {
		t.Fatalf("hsds: %s", res)
	}
	validHSDS(t, res.body)
	export := res.body
	// The check catches what it should: a status HSDS does not know, a
	// property it does not have, a schedule without an ID.
	for _, bad := range []string{`"status":"active"`, `"eligibility_description":`, `"byday":"TU"`} {
		wrong := bytes.Replace(export, []byte(bad), map[string][]byte{`"status":"active"`: []byte(`"status":"open"`),
			`"eligibility_description":`: []byte(`"for_whom":`), `"byday":"TU"`: []byte(`"byday":"tuesday"`)}[bad], 1)
		var v any
		json.Unmarshal(wrong, &v)
		if schema := hsdsSchema(t); len(schema.check(map[string]any(schema.doc), v, "hsds")) == 0 {
			t.Errorf("the HSDS check misses %s", bad)
		}
	}
	pageHas(t, "hsds", export, `"identifier":"werkwinkel"`, `"byday":"TU"`, `"code":"taal"`, `"taxonomy":"buurtbrug-topics"`,
		`"code":"accept-days"`, `"value":"3"`)

	fresh := newTestEnv(t)
	done, err := fresh.app.ImportPartners(ctx, export)
	if err != nil || done.Organisations != 16 || done.Services != 16 {
		t.Fatalf("import: %+v %v", done, err)
	}
	again := fresh.login("admin").do("GET", "/api/v1/partners?format=hsds", nil)
	if !bytes.Equal(again.body, export) {
		t.Errorf("the round trip changed the directory:\nfirst  %s\nsecond %s", export[:300], again.body[:300])
	}
	if l, _ := fresh.app.Handovers.AllLimits(ctx); l["werkwinkel"] != (cases.HandoverLimits{AcceptDays: 3, ContactDays: 7}) {
		t.Errorf("the deadlines did not travel: %v", l["werkwinkel"])
	}
	// Importing the same file again changes nothing.
	before := fresh.fingerprint(false)
	if _, err := fresh.app.ImportPartners(ctx, export); err != nil {
		t.Fatal(err)
	}
	if fresh.fingerprint(false) != before {
		t.Error("importing the same directory again changed it")
	}

	// A file with problems: nothing changes, each problem is named.
	var page map[string]any
	json.Unmarshal(export, &page)
	contents := page["contents"].([]any)
	svc := contents[0].(map[string]any)["services"].([]any)[0].(map[string]any)
	svc["phones"].([]any)[0].(map[string]any)["number"] = "bel maar"
	contents[1].(map[string]any)["organization_identifiers"] = []any{}
	contents[1].(map[string]any)["name"] = "Onbekende stichting"
	bad, _ := json.Marshal(page)
	_, err = fresh.app.ImportPartners(ctx, bad)
	var e *cases.Error
	if !errors.As(err, &e) || !hasFieldNamed(e, "contents[0].services[0].phone") || !hasFieldNamed(e, "contents[1].organization_identifiers") {
		t.Errorf("bad import: %v", err)
	}
	if fresh.fingerprint(false) != before {
		t.Error("a refused import changed the directory")
	}
	if _, err := fresh.app.ImportPartners(ctx, []byte(`{"contents": 5}`)); err == nil {
		t.Error("a file that is not HSDS was imported")
	}
}

func hasFieldNamed(e *cases.Error, name string) bool {
	return slices.ContainsFunc(e.Fields, func(f cases.FieldError) bool { return f.Field == name })
}

// The measured medians appear once they rest on ten handovers (the reach
// threshold), not before.
func TestPartnerDirectoryMeasured(t *testing.T) {
	env := newTestEnv(t)
	dock, coord := env.login("dock.worker"), env.login("hoop.coord")
	start := env.clock.Now() // Wednesday 12 March 2025
	var ids []string
	for i := range 10 {
		ids = append(ids, dock.send(handoverBody(dock.dockResident("Gemeten"+string(rune('a'+i))), "al-amal"))["id"].(string))
	}
	env.clock.Set(start.Add(48 * time.Hour)) // Friday: two working days
	coord = env.login("hoop.coord")
	for _, id := range ids[:9] {
		coord.move(id, "accept", map[string]any{})
	}
	measured := func() any {
		_, partners := coord.partnersOf("")
		for _, p := range partners {
			if p["organisation"] == "al-amal" {
				return p["measured"]
			}
		}
		return nil
	}
	if m := measured(); m != nil {
		t.Errorf("published over nine handovers: %v", m)
	}
	coord.move(ids[9], "accept", map[string]any{})
	env.clock.Set(start.Add(5 * 24 * time.Hour)) // Monday: three working days
	coord = env.login("hoop.coord")
	for _, id := range ids {
		coord.move(id, "contacted", map[string]any{"how": "drop-in"})
	}
	if m := mustJSON(t, measured()); m != `{"median_workdays_to_accept":2,"median_workdays_to_contact":3}` {
		t.Errorf("measured: %s", m)
	}
	page := env.pageLogin("hoop.coord").get("/partners")
	pageHas(t, "/partners", page.body, "mediaan 2 werkdagen tot acceptatie", "mediaan 3 werkdagen tot eerste contact")
}

// Editing the directory: administrators every organisation's, coordinators
// their own's; workers and other coordinators cannot, and a refused edit
// writes nothing. Bad hours are named at their field.
func TestPartnerDirectoryEditing(t *testing.T) {
	env := newDirectoryEnv(t)
	coord := env.pageLogin("hoop.coord")
	csrf := coord.pageToken()
	form := url.Values{"csrf_token": {csrf}, "name": {"Spreekuur Burezina"}, "programme": {"hoop"},
		"offer": {"Hulp bij brieven en regelingen."}, "languages": {"nl, ar"}, "topics": {"rondkomen", "armoederegelingen"},
		"hours": {"ma 09:00-12:00\nwo-do 13:00-17:00"}, "drop_ins": {"di 10:00-12:00 Burezina"}, "phone": {"030 000 01 99"},
		"email": {"spreekuur@al-amal.example"}, "website": {"https://al-amal.example/spreekuur"}}
	if res := coord.postForm("/partners/al-amal/services", form); res.status != http.StatusSeeOther {
		t.Fatalf("coordinator adds to the own organisation: %s", res)
	}
	_, partners := env.login("dock.worker").partnersOf("?q=brieven+regelingen&topic=armoederegelingen")
	var added map[string]any
	for _, p := range partners {
		for _, s := range p["services"].([]any) {
			if s.(map[string]any)["name"] == "Spreekuur Burezina" {
				added = s.(map[string]any)
			}
		}
	}
	if added == nil || mustJSON(t, added["hours"]) != `[{"closes":"12:00","day":"mo","opens":"09:00"},{"closes":"17:00","day":"we","opens":"13:00"},{"closes":"17:00","day":"th","opens":"13:00"}]` ||
		mustJSON(t, added["drop_ins"]) != `[{"closes":"12:00","day":"tu","opens":"10:00","place":"Burezina"}]` ||
		mustJSON(t, added["languages"]) != `["nl","ar"]` || added["programme"] != "hoop" {
		t.Errorf("the new entry: %s", mustJSON(t, partners))
	}
	edit := coord.get("/partners/al-amal")
	pageHas(t, "edit page", edit.body, "Spreekuur Burezina", "ma 09:00-12:00\nwo-do 13:00-17:00", "di 10:00-12:00 Burezina")

	before := env.fingerprint(true)
	bad := url.Values{"csrf_token": {csrf}, "name": {"Kapot"}, "hours": {"maandag negen tot vijf\nvr 17:00-09:00"},
		"drop_ins": {"do 10:00-12:00"}, "email": {"geen-adres"}}
	res := coord.postForm("/partners/al-amal/services", bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad entry: %s", res)
	}
	pageHas(t, "bad entry", res.body, "Deze regel is niet te lezen: ‘maandag negen tot vijf’", "aria-invalid")
	if env.fingerprint(true) != before {
		t.Error("a refused entry wrote something")
	}
	res = coord.postForm("/partners/al-amal/services", url.Values{"csrf_token": {csrf}, "name": {"Laat"}, "hours": {"vr 17:00-09:00"}})
	pageHas(t, "closing before opening", res.body, "De eindtijd moet na de begintijd liggen.")

	before = env.fingerprint(false) // the logins below are audited
	for _, try := range []struct {
		who, method, path string
		want              int
	}{
		{"hoop.coord", "GET", "/partners/dock", http.StatusForbidden},
		{"hoop.coord", "POST", "/partners/dock/services", http.StatusForbidden},
		{"hoop.worker", "GET", "/partners/al-amal", http.StatusForbidden},
		{"hoop.worker", "POST", "/partners/al-amal/services", http.StatusForbidden},
		{"programme", "GET", "/partners", http.StatusForbidden},
		{"admin", "GET", "/partners/werkwinkel", http.StatusOK},
		{"admin", "GET", "/partners/nope", http.StatusNotFound},
	} {
		c := env.pageLogin(try.who)
		var res response
		if try.method == "GET" {
			res = c.get(try.path)
		} else {
			res = c.postForm(try.path, url.Values{"csrf_token": {c.pageToken()}, "name": {"Niet van jou"}})
		}
		if res.status != try.want {
			t.Errorf("%s %s as %s: %d, want %d", try.method, try.path, try.who, res.status, try.want)
		}
	}
	if env.fingerprint(false) != before {
		t.Error("a refused edit wrote something")
	}

	admin := env.pageLogin("admin")
	id := env.serviceID("werkwinkel")
	if res := admin.postForm("/partners/werkwinkel/services/"+id, url.Values{"csrf_token": {admin.pageToken()},
		"name": {"Werkwinkel Overvecht"}, "phone": {"030 000 07 77"}}); res.status != http.StatusSeeOther {
		t.Fatalf("admin edits: %s", res)
	}
	if _, p := env.login("hoop.worker").partnersOf("?q=werkwinkel+overvecht"); len(p) != 1 {
		t.Error("the admin's change is not in the directory")
	}
	if res := admin.postForm("/partners/werkwinkel/services/"+id+"/delete", url.Values{"csrf_token": {admin.pageToken()}}); res.status != http.StatusSeeOther {
		t.Fatalf("delete: %s", res)
	}
	if _, p := env.login("hoop.worker").partnersOf("?q=werkwinkel"); len(p) != 0 {
		t.Errorf("deleted, still found: %s", mustJSON(t, p))
	}
	page := env.pageLogin("dock.worker").get("/partners?topic=schulden")
	pageHas(t, "/partners?topic=schulden", page.body, "U-Centraal", "Nog niet in Buurtbrug:", `href="tel:`)
	pageLacks(t, "/partners?topic=schulden", page.body, "Taalalliantie", ">Bewerken<")
	if res := env.pageLogin("dock.worker").get("/partners?topic=nope"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown topic on the page: %d", res.status)
	}
}

// serviceID is the first directory entry of an organisation.
func (e *testEnv) serviceID(slug string) string {
	e.t.Helper()
	var id string
	if err := e.app.DB.Read.QueryRow(`SELECT s.id FROM partner_services s JOIN organisations o ON o.id = s.organisation_id
		WHERE o.slug = ? ORDER BY s.sort LIMIT 1`, slug).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

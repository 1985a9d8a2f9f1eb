package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/web"
	"github.com/google/uuid"
)

// openAPIDoc is web/openapi.json, decoded.
type openAPIDoc map[string]any

var httpMethods = []string{"get", "put", "post", "patch", "delete", "head", "options"}

func loadOpenAPI(t *testing.T, env *testEnv) openAPIDoc {
	t.Helper()
	res := env.anonymous().do("GET", "/api/v1/openapi.json", nil)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", res.status, res.header.Get("Content-Type"))
	}
	if !bytes.Equal(res.body, web.OpenAPI) {
		t.Fatal("the served document is not web/openapi.json")
	}
	var doc openAPIDoc
	dec := json.NewDecoder(bytes.NewReader(res.body))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("web/openapi.json is not JSON: %v", err)
	}
	return doc
}

func (d openAPIDoc) paths() map[string]any { m, _ := d["paths"].(map[string]any); return m }

// operations lists "METHOD /path" of every documented operation.
func (d openAPIDoc) operations() []string {
	var out []string
	for path, item := range d.paths() {
		for method := range item.(map[string]any) {
			if slices.Contains(httpMethods, method) {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (d openAPIDoc) operation(method, path string) map[string]any {
	item, _ := d.paths()[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

// resolve follows a local $ref ("#/components/schemas/Contact").
func (d openAPIDoc) resolve(ref string) (map[string]any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = map[string]any(d)
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

// deref returns v, or what its $ref points at.
func (d openAPIDoc) deref(v map[string]any) map[string]any {
	for range 10 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		if v, ok = d.resolve(ref); !ok {
			return nil
		}
	}
	return v
}

// TestOpenAPIDocument checks web/openapi.json against the router, itself and
// the Go types. Add your paths to web/openapi.json when you add routes.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	doc := loadOpenAPI(t, env)
	routes := apiRoutes(t, env)
	t.Run("matches the router", func(t *testing.T) { openAPIMatchesRouter(t, doc, routes) })
	t.Run("well-formed", func(t *testing.T) { openAPIWellFormed(t, doc) })
	t.Run("schemas match the Go types", func(t *testing.T) { openAPISchemasMatchTypes(t, doc) })
}

// openAPIMatchesRouter: every route is documented and every documented
// operation is routed.
func openAPIMatchesRouter(t *testing.T, doc openAPIDoc, routes []string) {
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Errorf("openapi %q, want 3.0.x", v)
	}
	documented := doc.operations()
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in web/openapi.json", r)
		}
	}
	for _, op := range documented {
		if !slices.Contains(routes, op) {
			t.Errorf("web/openapi.json documents %s, which the router does not serve", op)
		}
	}
}

// openAPIWellFormed checks what a generator or a reader relies on.
func openAPIWellFormed(t *testing.T, doc openAPIDoc) {

	// Every $ref resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, ok := doc.resolve(ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, child := range x {
				walk(child, at+"/"+k)
			}
		case []any:
			for i, child := range x {
				walk(child, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(map[string]any(doc), "#")

	schemes, _ := doc.deref(map[string]any{"$ref": "#/components/securitySchemes"})["sessionCookie"].(map[string]any)
	if schemes["in"] != "cookie" || schemes["name"] != "buurtbrug_session" {
		t.Errorf("sessionCookie scheme: %v", schemes)
	}
	csrf, _ := doc.deref(map[string]any{"$ref": "#/components/securitySchemes"})["csrfToken"].(map[string]any)
	if csrf["in"] != "header" || csrf["name"] != "X-CSRF-Token" {
		t.Errorf("csrfToken scheme: %v", csrf)
	}
	errorSchema, _ := doc.resolve("#/components/schemas/Error")
	if inner, _ := errorSchema["properties"].(map[string]any)["error"].(map[string]any); inner == nil ||
		inner["properties"].(map[string]any)["fields"] == nil || inner["properties"].(map[string]any)["code"] == nil {
		t.Errorf("Error schema: %v", errorSchema)
	}

	ids := map[string]string{}
	for _, key := range doc.operations() {
		method, path, _ := strings.Cut(key, " ")
		op := doc.operation(method, path)
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q also used by %s", key, id, other)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		responses, _ := op["responses"].(map[string]any)
		has := func(status int) bool { _, ok := responses[strconv.Itoa(status)]; return ok }
		success := false
		for code := range responses {
			if strings.HasPrefix(code, "2") {
				success = true
			}
		}
		if !success {
			t.Errorf("%s: no success response", key)
		}
		security, declared := op["security"].([]any)
		if !declared {
			t.Errorf("%s: no security (use [] for a public route)", key)
		}
		authed := len(security) > 0
		if authed && !has(401) {
			t.Errorf("%s: needs a session but does not document 401", key)
		}
		if authed && method != "GET" {
			req, _ := security[0].(map[string]any)
			if _, ok := req["csrfToken"]; !ok {
				t.Errorf("%s: changes state but does not require csrfToken", key)
			}
			if !has(403) {
				t.Errorf("%s: changes state but does not document 403", key)
			}
		}
		if _, ok := op["requestBody"]; ok {
			for _, status := range []int{400, 413, 422} {
				if !has(status) {
					t.Errorf("%s: takes a body but does not document %d", key, status)
				}
			}
		}
		if strings.Contains(path, "{id}") {
			if !has(404) {
				t.Errorf("%s: has an id but does not document 404", key)
			}
			params := append(anyList(doc.paths()[path].(map[string]any)["parameters"]), anyList(op["parameters"])...)
			found := false
			for _, p := range params {
				p := doc.deref(p.(map[string]any))
				if p["in"] == "path" && p["name"] == "id" && p["required"] == true {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: the path parameter id is not declared", key)
			}
		}
	}
}

func anyList(v any) []any { l, _ := v.([]any); return l }

// openAPISchemasMatchTypes: the documented properties are the JSON fields
// of the Go types the handlers decode and answer.
func openAPISchemasMatchTypes(t *testing.T, doc openAPIDoc) {
	schemasMatchTypes(t, doc, map[string]reflect.Type{
		"Contact":           reflect.TypeFor[cases.Contact](),
		"ContactInput":      reflect.TypeFor[cases.ContactInput](),
		"ContactPatch":      reflect.TypeFor[cases.ContactPatch](),
		"ContactVersion":    reflect.TypeFor[cases.ContactVersion](),
		"Organisation":      reflect.TypeFor[cases.Organisation](),
		"Programme":         reflect.TypeFor[cases.Programme](),
		"Reference":         reflect.TypeFor[cases.Reference](),
		"Resident":          reflect.TypeFor[cases.Resident](),
		"ResidentInput":     reflect.TypeFor[cases.ResidentInput](),
		"ResidentPatch":     reflect.TypeFor[cases.ResidentPatch](),
		"Term":              reflect.TypeFor[cases.Term](),
		"User":              reflect.TypeFor[cases.User](),
		"VoidInput":         reflect.TypeFor[cases.VoidInput](),
		"ConsentRenewInput": reflect.TypeFor[cases.ConsentRenewInput](),
		"ReasonInput":       reflect.TypeFor[cases.ReasonInput](),
		"OwnGroundInput":    reflect.TypeFor[cases.OwnGroundInput](),
		"Erasure":           reflect.TypeFor[cases.Erasure](),
		"AuditEntry":        reflect.TypeFor[cases.AuditEntry](),
		"AuditPage":         reflect.TypeFor[cases.AuditPage](),
		"ResidentExport":    reflect.TypeFor[cases.ResidentExport](),
		"ResidentVersion":   reflect.TypeFor[cases.ResidentVersion](),
		"HandoverConsent":   reflect.TypeFor[cases.Consent](),
		"ContactList":       reflect.TypeFor[cases.ContactList](),
		"ResidentList":      reflect.TypeFor[cases.ResidentList](),
		"MergeInput":        reflect.TypeFor[cases.MergeInput](),
		"MergeResult":       reflect.TypeFor[cases.MergeResult](),
		"MergeCounts":       reflect.TypeFor[cases.MergeCounts](),
		"ReachRelease":      reflect.TypeFor[cases.ReachRelease](),
	})
}

// schemasMatchTypes checks that each named schema documents exactly the
// JSON fields of its Go type.
func schemasMatchTypes(t *testing.T, doc openAPIDoc, types map[string]reflect.Type) {
	t.Helper()
	for name, typ := range types {
		schema, ok := doc.resolve("#/components/schemas/" + name)
		if !ok {
			t.Errorf("no schema %s", name)
			continue
		}
		var documented []string
		for p := range schema["properties"].(map[string]any) {
			documented = append(documented, p)
		}
		fields := jsonFields(typ)
		slices.Sort(documented)
		slices.Sort(fields)
		if !slices.Equal(documented, fields) {
			t.Errorf("schema %s documents %v; %s has %v", name, documented, typ, fields)
		}
	}
}

// jsonFields are the JSON keys of a struct type as encoding/json writes
// them: the fields of an untagged embedded struct are the outer type's.
func jsonFields(typ reflect.Type) []string {
	var fields []string
	for f := range typ.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			fields = append(fields, jsonFields(f.Type)...)
		case tag != "-" && tag != "" && f.IsExported():
			fields = append(fields, tag)
		}
	}
	return fields
}

// schemaChecker validates JSON values against the document's schemas.
// strict: an object's properties must all be documented.
type schemaChecker struct {
	doc    openAPIDoc
	strict bool
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c schemaChecker) check(schema map[string]any, v any, at string) []string {
	schema = c.doc.deref(schema)
	if schema == nil {
		return []string{at + ": unresolvable schema"}
	}
	var problems []string
	for _, sub := range anyList(schema["allOf"]) {
		problems = append(problems, c.check(sub.(map[string]any), v, at)...)
	}
	if anyOf := anyList(schema["anyOf"]); len(anyOf) > 0 {
		var all []string
		for _, sub := range anyOf {
			p := c.check(sub.(map[string]any), v, at)
			if len(p) == 0 {
				all = nil
				break
			}
			all = append(all, p...)
		}
		problems = append(problems, all...)
	}
	if v == nil {
		if schema["nullable"] == true || schema["type"] == nil {
			return problems
		}
		return append(problems, at+": null")
	}
	if enum := anyList(schema["enum"]); enum != nil && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		problems = append(problems, fmt.Sprintf("%s: %v not in %v", at, v, enum))
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(problems, fmt.Sprintf("%s: %T, want object", at, v))
		}
		for _, r := range anyList(schema["required"]) {
			if _, ok := m[r.(string)]; !ok {
				problems = append(problems, fmt.Sprintf("%s: required %q missing", at, r))
			}
		}
		if n, ok := schema["minProperties"].(float64); ok && float64(len(m)) < n {
			problems = append(problems, fmt.Sprintf("%s: fewer than %v properties", at, n))
		}
		props, hasProps := schema["properties"].(map[string]any)
		for k, val := range m {
			if ps, ok := props[k].(map[string]any); ok {
				problems = append(problems, c.check(ps, val, at+"."+k)...)
				continue
			}
			switch extra := schema["additionalProperties"].(type) {
			case bool:
				if !extra {
					problems = append(problems, fmt.Sprintf("%s: property %q not allowed", at, k))
				}
			case map[string]any:
				problems = append(problems, c.check(extra, val, at+"."+k)...)
			default:
				if c.strict && hasProps {
					problems = append(problems, fmt.Sprintf("%s: property %q is not documented", at, k))
				}
			}
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			return append(problems, fmt.Sprintf("%s: %T, want array", at, v))
		}
		if n, ok := schema["minItems"].(float64); ok && float64(len(list)) < n {
			problems = append(problems, fmt.Sprintf("%s: fewer than %v items", at, n))
		}
		if n, ok := schema["maxItems"].(float64); ok && float64(len(list)) > n {
			problems = append(problems, fmt.Sprintf("%s: more than %v items", at, n))
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, item := range list {
				problems = append(problems, c.check(items, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return append(problems, fmt.Sprintf("%s: %T, want string", at, v))
		}
		if n, ok := schema["maxLength"].(float64); ok && float64(utf8.RuneCountInString(s)) > n {
			problems = append(problems, fmt.Sprintf("%s: longer than %v", at, n))
		}
		if n, ok := schema["minLength"].(float64); ok && float64(utf8.RuneCountInString(s)) < n {
			problems = append(problems, fmt.Sprintf("%s: shorter than %v", at, n))
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(s) {
			problems = append(problems, fmt.Sprintf("%s: %q does not match %s", at, s, p))
		}
		var err error
		switch schema["format"] {
		case "uuid":
			if !uuidPattern.MatchString(s) {
				err = fmt.Errorf("not a UUID")
			}
		case "date-time":
			_, err = time.Parse(time.RFC3339, s)
		case "date":
			_, err = time.Parse(time.DateOnly, s)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q: %v", at, s, err))
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok {
			return append(problems, fmt.Sprintf("%s: %T, want %s", at, v, schema["type"]))
		}
		if schema["type"] == "integer" && n != math.Trunc(n) {
			problems = append(problems, fmt.Sprintf("%s: %v is not an integer", at, n))
		}
		if m, ok := schema["minimum"].(float64); ok && n < m {
			problems = append(problems, fmt.Sprintf("%s: %v below %v", at, n, m))
		}
		if m, ok := schema["maximum"].(float64); ok && n > m {
			problems = append(problems, fmt.Sprintf("%s: %v above %v", at, n, m))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			problems = append(problems, fmt.Sprintf("%s: %T, want boolean", at, v))
		}
	}
	return problems
}

// matchPath finds the documented path template of a concrete path; a
// literal segment beats a parameter (/residents/matches, not /residents/{id}),
// as in the router.
func (d openAPIDoc) matchPath(concrete string) string {
	concrete, _, _ = strings.Cut(concrete, "?")
	want := strings.Split(concrete, "/")
	best, bestLiterals := "", -1
	for template := range d.paths() {
		parts := strings.Split(template, "/")
		if len(parts) != len(want) {
			continue
		}
		ok, literals := true, 0
		for i := range parts {
			switch {
			case parts[i] == want[i]:
				literals++
			case !strings.HasPrefix(parts[i], "{"):
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = template, literals
		}
	}
	return best
}

// TestOpenAPIDescribesAnswers drives the API and checks every answer (and
// every accepted request body) against the document: the status must be
// documented for the operation and the body must fit its schema, with
// every property documented.
func TestOpenAPIDescribesAnswers(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	doc := loadOpenAPI(t, env)
	strict := schemaChecker{doc: doc, strict: true}
	seen := map[string]bool{}

	call := func(c *client, method, path string, body any) response {
		t.Helper()
		res := c.do(method, path, body)
		template := doc.matchPath(path)
		op := doc.operation(method, template)
		if op == nil {
			t.Errorf("%s %s: not documented", method, path)
			return res
		}
		key := fmt.Sprintf("%s %s %d", method, template, res.status)
		seen[key] = true
		resp, ok := op["responses"].(map[string]any)[strconv.Itoa(res.status)].(map[string]any)
		if !ok {
			t.Errorf("%s: status not documented (%s)", key, res.body)
			return res
		}
		resp = doc.deref(resp)
		content, _ := resp["content"].(map[string]any)
		if len(content) == 0 {
			if len(res.body) != 0 {
				t.Errorf("%s: documented without a body, answered %s", key, res.body)
			}
			return res
		}
		schema := doc.deref(content["application/json"].(map[string]any))["schema"].(map[string]any)
		var v any
		if err := json.Unmarshal(res.body, &v); err != nil {
			t.Errorf("%s: not JSON: %s", key, res.body)
			return res
		}
		for _, p := range strict.check(schema, v, "response") {
			t.Errorf("%s: %s", key, p)
		}
		// An accepted body fits the documented request schema.
		if res.status < 300 && body != nil {
			if rb, ok := op["requestBody"].(map[string]any); ok {
				data, _ := json.Marshal(body)
				var sent any
				_ = json.Unmarshal(data, &sent)
				rs := doc.deref(rb)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
				for _, p := range (schemaChecker{doc: doc}).check(rs, sent, "request") {
					t.Errorf("%s: accepted a body the document refuses: %s", key, p)
				}
			}
		}
		return res
	}

	anon := env.anonymous()
	call(anon, "GET", "/healthz", nil)
	call(anon, "GET", "/api/v1/openapi.json", nil)
	call(anon, "GET", "/api/v1/me", nil)
	call(anon, "POST", "/api/v1/login", loginBody("hoop.worker", "wrong-password"))
	call(anon, "POST", "/api/v1/login", `{"username":`)
	call(anon, "POST", "/api/v1/login", map[string]any{})
	call(anon, "POST", "/api/v1/login", `{"username":"`+strings.Repeat("x", 70<<10)+`"}`)
	login := call(anon, "POST", "/api/v1/login", loginBody("hoop.worker", demo.Password))
	worker := anon
	worker.csrf, _ = login.json()["csrf_token"].(string)
	throttled := env.anonymousFrom("127.0.0.40")
	for range 6 {
		call(throttled, "POST", "/api/v1/login", loginBody("nobody", "x"))
	}

	coord, dock, programme := env.login("hoop.coord"), env.login("dock.worker"), env.login("programme")
	call(worker, "GET", "/api/v1/me", nil)
	call(programme, "GET", "/api/v1/me", nil)
	call(worker, "GET", "/api/v1/reference", nil)

	full := call(worker, "POST", "/api/v1/residents", map[string]any{"given_name": "Fleur", "family_name": "de Wit",
		"birth_date": "1984-07-07", "phone": "06-12345678", "neighbourhood": "themadreven", "gender": "vrouw", "note": "Wil graag taalles."})
	resident := full.json()["id"].(string)
	call(worker, "POST", "/api/v1/residents", map[string]any{"given_name": "Onbekend"})
	call(worker, "POST", "/api/v1/residents", map[string]any{"given_name": "Jaar", "birth_year": 1970})
	call(worker, "POST", "/api/v1/residents", map[string]any{"given_name": 1})
	call(worker, "POST", "/api/v1/residents", `nope`)
	call(worker.withCSRF(""), "POST", "/api/v1/residents", map[string]any{"given_name": "x"})
	call(programme, "POST", "/api/v1/residents", map[string]any{"given_name": "x"})
	call(worker, "GET", "/api/v1/residents/"+resident, nil)
	call(dock, "GET", "/api/v1/residents/"+resident, nil)
	call(worker, "PATCH", "/api/v1/residents/"+resident, map[string]any{"phone": "", "gender": "", "birth_year": 0, "birth_date": ""})
	call(worker, "PATCH", "/api/v1/residents/"+resident, map[string]any{"note": strings.Repeat("n", 4001)})
	call(worker, "GET", "/api/v1/residents?q=wit&limit=5", nil)
	call(worker, "GET", "/api/v1/residents?limit=0", nil)
	call(programme, "GET", "/api/v1/residents", nil)

	body := contactBody("hoop", resident)
	body["outcomes"] = []string{"informatie-gegeven"}
	body["occurred_at"] = env.clock.Now().Add(-time.Hour).Format(time.RFC3339)
	contact := call(worker, "POST", "/api/v1/contacts", body).json()["id"].(string)
	call(worker, "POST", "/api/v1/contacts", body)
	anonymous := contactBody("hoop", "")
	delete(anonymous, "outcomes")
	delete(anonymous, "note")
	call(worker, "POST", "/api/v1/contacts", anonymous)
	call(worker, "POST", "/api/v1/contacts", map[string]any{"id": "x"})
	call(worker, "GET", "/api/v1/contacts", nil)
	call(worker, "GET", "/api/v1/contacts?resident_id="+resident+"&from=2025-01-01&to=2025-12-31&mine=true&limit=10", nil)
	call(worker, "GET", "/api/v1/contacts?from=gisteren", nil)
	call(worker, "PATCH", "/api/v1/contacts/"+contact, map[string]any{"version": 1, "note": "Gecorrigeerd.", "topics": []string{"taal"}})
	call(worker, "PATCH", "/api/v1/contacts/"+contact, map[string]any{"version": 1, "note": "Oud."})
	call(worker, "PATCH", "/api/v1/contacts/"+contact, map[string]any{"kind": "nope"})
	call(coord, "PATCH", "/api/v1/contacts/"+contact, map[string]any{"note": "Niet van mij."})
	call(worker, "GET", "/api/v1/contacts/"+contact, nil)
	call(dock, "GET", "/api/v1/contacts/"+contact, nil)
	call(worker, "POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "x"})
	call(coord, "POST", "/api/v1/contacts/"+contact+"/void", map[string]any{})
	call(coord, "POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "Dubbel."})
	call(coord, "POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "Dubbel."})
	call(worker, "GET", "/api/v1/contacts/"+contact, nil)

	// Pages, duplicates and merging (issue 13).
	call(worker, "GET", "/api/v1/contacts?limit=1", nil)
	call(worker, "GET", "/api/v1/contacts?limit=501", nil)
	call(worker, "GET", "/api/v1/residents?limit=101&neighbourhood=themadreven&last_contact_from=2025-01-01", nil)
	call(worker, "GET", "/api/v1/residents?neighbourhood=themadreven&last_contact_from=2025-01-01", nil)
	call(worker, "GET", "/api/v1/residents/matches?family_name=de%20Wit&birth_date=1984-07-07", nil)
	call(worker, "GET", "/api/v1/residents/matches?birth_year=1984", nil)
	twin := call(worker, "POST", "/api/v1/residents", map[string]any{"given_name": "Fleur", "family_name": "De Wit",
		"birth_date": "1984-07-07"}).json()["id"].(string)
	call(worker, "POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": resident})
	call(coord, "POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": "nope"})
	call(coord, "POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": resident})
	call(coord, "POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": resident})
	call(coord, "POST", "/api/v1/residents/"+uuid.NewString()+"/merge", map[string]any{"into": resident})
	call(worker, "GET", "/api/v1/residents/"+twin, nil)

	// The partner directory, as JSON and as HSDS (issue 12).
	if err := demo.SeedPartners(context.Background(), env.app.DB); err != nil {
		t.Fatal(err)
	}
	call(worker, "GET", "/api/v1/partners", nil)
	call(worker, "GET", "/api/v1/partners?topic=schulden&q=overvecht", nil)
	call(worker, "GET", "/api/v1/partners?format=hsds", nil)
	call(worker, "GET", "/api/v1/partners?topic=nope", nil)
	call(worker, "GET", "/api/v1/partners?limit=1", nil)
	call(worker, "GET", "/api/v1/partners?format=hsds&limit=1", nil)
	call(coord, "GET", "/api/v1/users?limit=1", nil)
	call(coord, "GET", "/api/v1/users?limit=501", nil)
	call(programme, "GET", "/api/v1/partners", nil)
	call(worker, "POST", "/api/v1/logout", nil)
	call(worker, "POST", "/api/v1/logout", nil)

	// The scenario reached what it meant to.
	for _, key := range []string{
		"POST /api/v1/login 200", "POST /api/v1/login 400", "POST /api/v1/login 401", "POST /api/v1/login 413",
		"POST /api/v1/login 422", "POST /api/v1/login 429", "POST /api/v1/contacts 201", "POST /api/v1/contacts 200",
		"PATCH /api/v1/contacts/{id} 409", "PATCH /api/v1/contacts/{id} 403", "POST /api/v1/contacts/{id}/void 200",
		"POST /api/v1/contacts/{id}/void 409", "GET /api/v1/residents/{id} 404", "POST /api/v1/logout 204",
		"GET /api/v1/residents/matches 200", "GET /api/v1/residents/matches 422", "POST /api/v1/residents/{id}/merge 200",
		"POST /api/v1/residents/{id}/merge 403", "POST /api/v1/residents/{id}/merge 404", "POST /api/v1/residents/{id}/merge 409",
		"POST /api/v1/residents/{id}/merge 422", "GET /api/v1/contacts 422", "GET /api/v1/residents 422",
		"GET /api/v1/partners 200", "GET /api/v1/partners 422", "GET /api/v1/partners 403",
		"GET /api/v1/users 200", "GET /api/v1/users 422",
	} {
		if !seen[key] {
			t.Errorf("the scenario did not reach %s", key)
		}
	}
}

// TestSchemaChecker: the checker above catches what it should.
func TestSchemaChecker(t *testing.T) {
	t.Parallel()
	doc := openAPIDoc{"components": map[string]any{"schemas": map[string]any{
		"Slug": map[string]any{"type": "string", "pattern": "^[a-z]+$"},
		"Thing": map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{
			"id":   map[string]any{"type": "string", "format": "uuid"},
			"n":    map[string]any{"type": "integer", "minimum": 1.0},
			"tags": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Slug"}, "maxItems": 2.0},
			"at":   map[string]any{"type": "string", "format": "date-time"},
			"kind": map[string]any{"anyOf": []any{map[string]any{"type": "string", "enum": []any{"a"}}, map[string]any{"type": "integer"}}},
		}},
	}}}
	thing := map[string]any{"$ref": "#/components/schemas/Thing"}
	strict := schemaChecker{doc: doc, strict: true}
	good := map[string]any{"id": "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", "n": 2.0, "tags": []any{"ab"}, "at": "2025-03-12T10:00:00Z", "kind": "a"}
	if p := strict.check(thing, good, "v"); len(p) != 0 {
		t.Errorf("good value: %v", p)
	}
	for name, bad := range map[string]map[string]any{
		"missing id":   {"n": 2.0},
		"not a uuid":   {"id": "x"},
		"fraction":     {"id": good["id"], "n": 1.5},
		"below min":    {"id": good["id"], "n": 0.0},
		"bad item":     {"id": good["id"], "tags": []any{"AB"}},
		"many items":   {"id": good["id"], "tags": []any{"a", "b", "c"}},
		"bad time":     {"id": good["id"], "at": "yesterday"},
		"undocumented": {"id": good["id"], "secret": true},
		"anyOf":        {"id": good["id"], "kind": "b"},
		"wrong type":   {"id": 5.0},
	} {
		if p := strict.check(thing, bad, "v"); len(p) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}

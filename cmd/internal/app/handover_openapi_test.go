package app

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestHandoverOpenAPI: the handover schemas in web/openapi.json are the Go
// types' JSON fields, and every answer of a full handover scenario fits the
// document (status documented, body valid, every property documented).
func TestHandoverOpenAPI(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	doc := loadOpenAPI(t, env)
	schemasMatchTypes(t, doc, map[string]reflect.Type{
		"Handover":             reflect.TypeFor[cases.Handover](),
		"HandoverParty":        reflect.TypeFor[cases.Party](),
		"SharedName":           reflect.TypeFor[cases.SharedName](),
		"HandoverShared":       reflect.TypeFor[cases.Shared](),
		"HandoverConsent":      reflect.TypeFor[cases.Consent](),
		"FirstContact":         reflect.TypeFor[cases.FirstContact](),
		"HandoverList":         reflect.TypeFor[cases.HandoverList](),
		"HandoverInput":        reflect.TypeFor[cases.HandoverInput](),
		"ConsentInput":         reflect.TypeFor[cases.ConsentInput](),
		"AcceptInput":          reflect.TypeFor[cases.AcceptInput](),
		"ContactedInput":       reflect.TypeFor[cases.ContactedInput](),
		"CompleteInput":        reflect.TypeFor[cases.CompleteInput](),
		"DeclineInput":         reflect.TypeFor[cases.DeclineInput](),
		"WithdrawInput":        reflect.TypeFor[cases.WithdrawInput](),
		"ConsentWithdrawInput": reflect.TypeFor[cases.ConsentWithdrawInput](),
		"RedirectInput":        reflect.TypeFor[cases.RedirectInput](),
	})

	strict := schemaChecker{doc: doc, strict: true}
	seen := map[string]bool{}
	call := func(c *client, method, path string, body any) response {
		t.Helper()
		res := c.do(method, path, body)
		template := doc.matchPath(path)
		op := doc.operation(method, template)
		if op == nil {
			t.Fatalf("%s %s: not documented", method, path)
		}
		key := fmt.Sprintf("%s %s %d", method, template, res.status)
		seen[key] = true
		resp, ok := op["responses"].(map[string]any)[strconv.Itoa(res.status)].(map[string]any)
		if !ok {
			t.Errorf("%s: status not documented (%s)", key, res.body)
			return res
		}
		content, _ := doc.deref(resp)["content"].(map[string]any)
		schema := doc.deref(content["application/json"].(map[string]any))["schema"].(map[string]any)
		var v any
		if err := json.Unmarshal(res.body, &v); err != nil {
			t.Fatalf("%s: not JSON: %s", key, res.body)
		}
		for _, p := range strict.check(schema, v, "response") {
			t.Errorf("%s: %s", key, p)
		}
		if res.status < 300 && body != nil {
			rb := doc.deref(op["requestBody"].(map[string]any))
			rs := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			data, _ := json.Marshal(body)
			var sent any
			_ = json.Unmarshal(data, &sent)
			for _, p := range (schemaChecker{doc: doc}).check(rs, sent, "request") {
				t.Errorf("%s: accepted a body the document refuses: %s", key, p)
			}
		}
		return res
	}

	dock, hoop, bt, programme := env.login("dock.worker"), env.login("hoop.worker"), env.login("buurtteam.worker"), env.login("programme")
	residentID := dock.dockResident("Schema")
	full := handoverBody(residentID, "al-amal", "name", "phone", "birth_date", "neighbourhood", "story")
	full["to_programme"] = "hoop"
	full["consent"].(map[string]any)["at"] = env.clock.Now().Add(-10 * 60e9).Format("2006-01-02T15:04:05Z07:00")
	id := call(dock, "POST", "/api/v1/handovers", full).json()["id"].(string)
	call(dock, "POST", "/api/v1/handovers", map[string]any{"resident_id": residentID})
	call(dock, "POST", "/api/v1/handovers", `{`)
	call(programme, "POST", "/api/v1/handovers", full)
	call(dock, "GET", "/api/v1/handovers", nil)
	call(dock, "GET", "/api/v1/handovers?direction=outgoing&state=requested&overdue=false&partner=al-amal&mine=true&min_age_days=0&limit=5", nil)
	call(dock, "GET", "/api/v1/handovers?state=lost", nil)
	call(hoop, "GET", "/api/v1/handovers/"+id, nil)
	call(bt, "GET", "/api/v1/handovers/"+id, nil)
	call(hoop, "POST", "/api/v1/handovers/"+id+"/complete", map[string]any{"outcome": "informatie-gegeven"})
	call(hoop, "POST", "/api/v1/handovers/"+id+"/accept", map[string]any{"assignee": "hoop.worker"})
	call(hoop, "POST", "/api/v1/handovers/"+id+"/contacted", map[string]any{"how": "joint-visit", "note": "Samen langs geweest."})
	call(hoop, "GET", "/api/v1/handovers/"+id, nil)
	call(dock, "GET", "/api/v1/handovers/"+id, nil)
	call(hoop, "POST", "/api/v1/handovers/"+id+"/complete", map[string]any{"outcome": "betalingsregeling", "note": "Regeling getroffen."})
	call(dock, "POST", "/api/v1/handovers/"+id+"/consent/withdraw", map[string]any{"note": "AVG-verzoek."})
	call(dock, "POST", "/api/v1/handovers/"+id+"/consent/withdraw", map[string]any{})
	call(dock, "GET", "/api/v1/handovers/"+id, nil)

	second := call(dock, "POST", "/api/v1/handovers", handoverBody(dock.dockResident("Twee"), "al-amal", "name")).json()["id"].(string)
	call(hoop, "POST", "/api/v1/handovers/"+second+"/decline", map[string]any{"reason": "other", "note": "Verhuisd."})
	call(dock, "POST", "/api/v1/handovers/"+second+"/redirect", map[string]any{"to": "buurtteam", "urgency": "urgent",
		"consent": map[string]any{"given": true, "how": "written", "scope": []string{"name"}}})
	call(dock, "POST", "/api/v1/handovers/"+second+"/redirect", redirectBody("voedselbank"))
	call(dock, "GET", "/api/v1/handovers/"+second, nil)
	third := call(dock, "POST", "/api/v1/handovers", handoverBody(dock.dockResident("Drie"), "al-amal")).json()["id"].(string)
	call(dock, "POST", "/api/v1/handovers/"+third+"/withdraw", map[string]any{"reason": "Vergissing."})
	call(dock, "GET", "/api/v1/handovers?direction=incoming", nil)
	call(hoop, "GET", "/api/v1/handovers", nil)

	for _, key := range []string{
		"POST /api/v1/handovers 201", "POST /api/v1/handovers 422", "POST /api/v1/handovers 400", "POST /api/v1/handovers 403",
		"GET /api/v1/handovers 200", "GET /api/v1/handovers 422", "GET /api/v1/handovers/{id} 200", "GET /api/v1/handovers/{id} 404",
		"POST /api/v1/handovers/{id}/complete 409", "POST /api/v1/handovers/{id}/accept 200",
		"POST /api/v1/handovers/{id}/contacted 200", "POST /api/v1/handovers/{id}/complete 200",
		"POST /api/v1/handovers/{id}/consent/withdraw 200", "POST /api/v1/handovers/{id}/consent/withdraw 409",
		"POST /api/v1/handovers/{id}/decline 200", "POST /api/v1/handovers/{id}/redirect 201",
		"POST /api/v1/handovers/{id}/redirect 409", "POST /api/v1/handovers/{id}/withdraw 200",
	} {
		if !seen[key] {
			t.Errorf("the scenario did not reach %s", key)
		}
	}
}

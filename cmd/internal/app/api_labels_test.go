package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestFieldErrorsNameFieldsByLabel: an error names the field as the user
// knows it, in the request's language — nested and listed fields too — and
// the JSON key stays the field path.
func TestFieldErrorsNameFieldsByLabel(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock := env.login("dock.worker")
	body := handoverBody(dock.dockResident("Label"), "al-amal")
	body["urgency"] = "meteen"
	body["topics"] = []string{"schulden", "schulden"}
	body["consent"] = map[string]any{"given": true, "how": "verbal", "scope": []string{"naam"}}
	for lang, want := range map[string]map[string]string{
		"nl": {"urgency": "Urgentie", "topics": "Onderwerpen", "consent.scope[0]": "Wat gedeeld mag worden"},
		"en": {"urgency": "Urgency", "topics": "Topics", "consent.scope[0]": "What may be shared"},
	} {
		res := dock.withLang(lang).do("POST", "/api/v1/handovers", body)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", lang, res.status, res.body)
		}
		for field, label := range want {
			msg := res.field(field)
			if !strings.Contains(msg, label) || strings.Contains(msg, field) {
				t.Errorf("%s: %s: %q does not name the field as %q", lang, field, msg, label)
			}
		}
	}
}

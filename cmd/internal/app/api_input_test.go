package app

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// badInput is one refused request: the documented status, error code and
// the field error.fields must name ("" = no field expected).
type badInput struct {
	name   string
	method string
	path   string
	body   any // nil, a raw string, or a value sent as JSON
	status int
	code   string
	field  string
	as     string // login to use; default hoop.worker
}

func TestBadInputs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	clients := map[string]*client{"hoop.worker": env.login("hoop.worker"), "hoop.coord": env.login("hoop.coord")}
	dock := env.login("dock.worker")
	worker := clients["hoop.worker"]

	resident := worker.newResident(map[string]any{"given_name": "Amina", "family_name": "Bakker", "birth_date": "1980-04-01"})
	contact := worker.newContact("hoop", resident)
	foreignResident := dock.newResident(nil)
	foreignContact := dock.newContact("weggeefbus", foreignResident)

	now := env.clock.Now()
	rfc := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	longNote := strings.Repeat("a", 5000)
	megabyte := `{"note":"` + strings.Repeat("x", 1<<20) + `"}`
	contactWith := func(kv ...any) map[string]any {
		b := contactBody("hoop", resident)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(b, kv[i].(string))
			} else {
				b[kv[i].(string)] = kv[i+1]
			}
		}
		return b
	}
	const (
		bad, unauth, forbidden, notFound, conflict, tooLarge, invalid = 400, 401, 403, 404, 409, 413, 422
	)
	residents, contacts := "/api/v1/residents", "/api/v1/contacts"
	residentPath, contactPath := residents+"/"+resident, contacts+"/"+contact
	voidPath := contactPath + "/void"

	cases := []badInput{
		// Login.
		{"login malformed", "POST", "/api/v1/login", `{"username":`, bad, "bad_request", "", ""},
		{"login empty body", "POST", "/api/v1/login", ``, bad, "bad_request", "", ""},
		{"login missing fields", "POST", "/api/v1/login", map[string]any{}, invalid, "invalid", "username", ""},
		{"login missing password", "POST", "/api/v1/login", map[string]any{"username": "hoop.worker"}, invalid, "invalid", "password", ""},
		{"login unknown field", "POST", "/api/v1/login", map[string]any{"username": "a", "password": "b", "remember": true}, invalid, "invalid", "remember", ""},
		{"login wrong type", "POST", "/api/v1/login", map[string]any{"username": 12, "password": "b"}, invalid, "invalid", "username", ""},
		{"login long username", "POST", "/api/v1/login", map[string]any{"username": strings.Repeat("u", 65), "password": "b"}, invalid, "invalid", "username", ""},
		{"login 1 MB", "POST", "/api/v1/login", megabyte, tooLarge, "too_large", "", ""},
		{"login array", "POST", "/api/v1/login", `[]`, bad, "bad_request", "", ""},

		// Residents.
		{"resident malformed", "POST", residents, `{"given_name": "A",}`, bad, "bad_request", "", ""},
		{"resident trailing data", "POST", residents, `{"given_name": "A"} {"given_name": "B"}`, bad, "bad_request", "", ""},
		{"resident 1 MB", "POST", residents, megabyte, tooLarge, "too_large", "", ""},
		{"resident no name", "POST", residents, map[string]any{"neighbourhood": "zambesibuurt"}, invalid, "invalid", "given_name", ""},
		{"resident null", "POST", residents, `null`, invalid, "invalid", "given_name", ""},
		{"resident unknown field", "POST", residents, map[string]any{"given_name": "A", "bsn": "123456782"}, invalid, "invalid", "bsn", ""},
		{"resident name wrong type", "POST", residents, map[string]any{"given_name": 5}, invalid, "invalid", "given_name", ""},
		{"resident birth year as text", "POST", residents, map[string]any{"given_name": "A", "birth_year": "1980"}, invalid, "invalid", "birth_year", ""},
		{"resident birth year fraction", "POST", residents, map[string]any{"given_name": "A", "birth_year": 1980.5}, invalid, "invalid", "birth_year", ""},
		{"resident birth year huge", "POST", residents, `{"given_name":"A","birth_year":1e400}`, invalid, "invalid", "birth_year", ""},
		{"resident birth year too early", "POST", residents, map[string]any{"given_name": "A", "birth_year": 1800}, invalid, "invalid", "birth_year", ""},
		{"resident birth year future", "POST", residents, map[string]any{"given_name": "A", "birth_year": 2100}, invalid, "invalid", "birth_year", ""},
		{"resident birth date invalid", "POST", residents, map[string]any{"given_name": "A", "birth_date": "1980-02-30"}, invalid, "invalid", "birth_date", ""},
		{"resident birth date format", "POST", residents, map[string]any{"given_name": "A", "birth_date": "01-04-1980"}, invalid, "invalid", "birth_date", ""},
		{"resident birth date future", "POST", residents, map[string]any{"given_name": "A", "birth_date": "2030-01-01"}, invalid, "invalid", "birth_date", ""},
		{"resident birth date too early", "POST", residents, map[string]any{"given_name": "A", "birth_date": "1850-01-01"}, invalid, "invalid", "birth_date", ""},
		{"resident birth year disagrees", "POST", residents, map[string]any{"given_name": "A", "birth_date": "1980-01-01", "birth_year": 1981}, invalid, "invalid", "birth_year", ""},
		{"resident phone", "POST", residents, map[string]any{"given_name": "A", "phone": "bel me"}, invalid, "invalid", "phone", ""},
		{"resident unknown neighbourhood", "POST", residents, map[string]any{"given_name": "A", "neighbourhood": "atlantis"}, invalid, "invalid", "neighbourhood", ""},
		{"resident neighbourhood not a slug", "POST", residents, map[string]any{"given_name": "A", "neighbourhood": "Zambesi Buurt"}, invalid, "invalid", "neighbourhood", ""},
		{"resident gender", "POST", residents, map[string]any{"given_name": "A", "gender": "x"}, invalid, "invalid", "gender", ""},
		{"resident 5000-character note", "POST", residents, map[string]any{"given_name": "A", "note": longNote}, invalid, "invalid", "note", ""},
		{"resident long name", "POST", residents, map[string]any{"given_name": strings.Repeat("A", 101)}, invalid, "invalid", "given_name", ""},
		{"resident control characters", "POST", residents, map[string]any{"given_name": "A\x1b[31m"}, invalid, "invalid", "given_name", ""},
		{"resident not JSON", "POST", residents, "given_name=A", bad, "bad_request", "", ""},
		{"resident search too long", "GET", residents + "?q=" + strings.Repeat("a", 101), nil, invalid, "invalid", "q", ""},
		{"resident search limit zero", "GET", residents + "?limit=0", nil, invalid, "invalid", "limit", ""},
		{"resident search limit text", "GET", residents + "?limit=veel", nil, invalid, "invalid", "limit", ""},
		{"resident search limit huge", "GET", residents + "?limit=99999999999999999999", nil, invalid, "invalid", "limit", ""},
		{"resident read non-UUID", "GET", residents + "/12", nil, notFound, "not_found", "", ""},
		{"resident read unknown", "GET", residents + "/" + uuid.NewString(), nil, notFound, "not_found", "", ""},
		{"resident read other organisation", "GET", residents + "/" + foreignResident, nil, notFound, "not_found", "", ""},
		{"resident patch non-UUID", "PATCH", residents + "/x'--", map[string]any{"phone": "0612345678"}, notFound, "not_found", "", ""},
		{"resident patch other organisation", "PATCH", residents + "/" + foreignResident, map[string]any{"note": "overschreven"}, notFound, "not_found", "", ""},
		{"resident patch empty", "PATCH", residentPath, map[string]any{}, invalid, "invalid", "", ""},
		{"resident patch unknown field", "PATCH", residentPath, map[string]any{"person_id": 1}, invalid, "invalid", "person_id", ""},
		{"resident patch wrong type", "PATCH", residentPath, map[string]any{"birth_year": "negentien"}, invalid, "invalid", "birth_year", ""},
		{"resident patch clears both names", "PATCH", residentPath, map[string]any{"given_name": "", "family_name": ""}, invalid, "invalid", "given_name", ""},
		{"resident patch 5000-character note", "PATCH", residentPath, map[string]any{"note": longNote}, invalid, "invalid", "note", ""},
		{"resident patch unknown neighbourhood", "PATCH", residentPath, map[string]any{"neighbourhood": "atlantis"}, invalid, "invalid", "neighbourhood", ""},
		{"resident patch birth date future", "PATCH", residentPath, map[string]any{"birth_date": "2099-01-01"}, invalid, "invalid", "birth_date", ""},
		{"resident patch malformed", "PATCH", residentPath, `{"note"`, bad, "bad_request", "", ""},
		{"resident patch 1 MB", "PATCH", residentPath, megabyte, tooLarge, "too_large", "", ""},

		// New contacts.
		{"contact malformed", "POST", contacts, `{"id":"`, bad, "bad_request", "", ""},
		{"contact 1 MB", "POST", contacts, megabyte, tooLarge, "too_large", "", ""},
		{"contact empty", "POST", contacts, map[string]any{}, invalid, "invalid", "id", ""},
		{"contact missing programme", "POST", contacts, contactWith("programme", nil), invalid, "invalid", "programme", ""},
		{"contact missing kind", "POST", contacts, contactWith("kind", nil), invalid, "invalid", "kind", ""},
		{"contact missing neighbourhood", "POST", contacts, contactWith("neighbourhood", nil), invalid, "invalid", "neighbourhood", ""},
		{"contact missing topics", "POST", contacts, contactWith("topics", nil), invalid, "invalid", "topics", ""},
		{"contact no topics", "POST", contacts, contactWith("topics", []string{}), invalid, "invalid", "topics", ""},
		{"contact id not a UUID", "POST", contacts, contactWith("id", "tablet-1"), invalid, "invalid", "id", ""},
		{"contact id of another organisation", "POST", contacts, contactWith("id", foreignContact), invalid, "invalid", "id", ""},
		{"contact unknown field", "POST", contacts, contactWith("bsn", "123"), invalid, "invalid", "bsn", ""},
		{"contact unknown programme", "POST", contacts, contactWith("programme", "atlantis"), invalid, "invalid", "programme", ""},
		{"contact other organisation's programme", "POST", contacts, contactWith("programme", "weggeefbus"), invalid, "invalid", "programme", ""},
		{"contact unknown neighbourhood", "POST", contacts, contactWith("neighbourhood", "atlantis"), invalid, "invalid", "neighbourhood", ""},
		{"contact unknown kind", "POST", contacts, contactWith("kind", "telepathie"), invalid, "invalid", "kind", ""},
		{"contact unknown topic", "POST", contacts, contactWith("topics", []string{"schulden", "nope"}), invalid, "invalid", "topics[1]", ""},
		{"contact topic not a slug", "POST", contacts, contactWith("topics", []string{"Schulden!"}), invalid, "invalid", "topics[0]", ""},
		{"contact duplicate topics", "POST", contacts, contactWith("topics", []string{"schulden", "schulden"}), invalid, "invalid", "topics", ""},
		{"contact unknown outcome", "POST", contacts, contactWith("outcomes", []string{"nope"}), invalid, "invalid", "outcomes[0]", ""},
		{"contact topics not a list", "POST", contacts, contactWith("topics", "schulden"), invalid, "invalid", "topics", ""},
		{"contact topic not a string", "POST", contacts, contactWith("topics", []any{7}), invalid, "invalid", "topics", ""},
		{"contact anonymous not a boolean", "POST", contacts, contactWith("resident_id", nil, "anonymous", "ja"), invalid, "invalid", "anonymous", ""},
		{"contact in the future", "POST", contacts, contactWith("occurred_at", rfc(11*time.Minute)), invalid, "invalid", "occurred_at", ""},
		{"contact too old", "POST", contacts, contactWith("occurred_at", rfc(-91*24*time.Hour)), invalid, "invalid", "occurred_at", ""},
		{"contact time not RFC 3339", "POST", contacts, contactWith("occurred_at", "gisteren"), invalid, "invalid", "occurred_at", ""},
		{"contact date without time", "POST", contacts, contactWith("occurred_at", "2025-03-12"), invalid, "invalid", "occurred_at", ""},
		{"contact time not a string", "POST", contacts, contactWith("occurred_at", 1741773600), invalid, "invalid", "occurred_at", ""},
		{"contact 5000-character note", "POST", contacts, contactWith("note", longNote), invalid, "invalid", "note", ""},
		{"contact note with escapes", "POST", contacts, contactWith("note", "ok\x00"), invalid, "invalid", "note", ""},
		{"contact resident not a UUID", "POST", contacts, contactWith("resident_id", "42"), invalid, "invalid", "resident_id", ""},
		{"contact unknown resident", "POST", contacts, contactWith("resident_id", uuid.NewString()), invalid, "invalid", "resident_id", ""},
		{"contact other organisation's resident", "POST", contacts, contactWith("resident_id", foreignResident), invalid, "invalid", "resident_id", ""},
		{"contact resident and anonymous", "POST", contacts, contactWith("anonymous", true), invalid, "invalid", "resident_id", ""},
		{"contact neither resident nor anonymous", "POST", contacts, contactWith("resident_id", nil), invalid, "invalid", "resident_id", ""},
		{"contacts filter resident not a UUID", "GET", contacts + "?resident_id=abc", nil, invalid, "invalid", "resident_id", ""},
		{"contacts filter from", "GET", contacts + "?from=maandag", nil, invalid, "invalid", "from", ""},
		{"contacts filter to", "GET", contacts + "?to=2025-13-01", nil, invalid, "invalid", "to", ""},
		{"contacts filter mine", "GET", contacts + "?mine=misschien", nil, invalid, "invalid", "mine", ""},
		{"contacts filter limit", "GET", contacts + "?limit=-1", nil, invalid, "invalid", "limit", ""},
		{"contact read non-UUID", "GET", contacts + "/%20", nil, notFound, "not_found", "", ""},
		{"contact read other organisation", "GET", contacts + "/" + foreignContact, nil, notFound, "not_found", "", ""},

		// Corrections.
		{"correction non-UUID", "PATCH", contacts + "/abc", map[string]any{"note": "x"}, notFound, "not_found", "", ""},
		{"correction other organisation", "PATCH", contacts + "/" + foreignContact, map[string]any{"note": "x"}, notFound, "not_found", "", ""},
		{"correction empty", "PATCH", contactPath, map[string]any{}, invalid, "invalid", "", ""},
		{"correction only version", "PATCH", contactPath, map[string]any{"version": 1}, invalid, "invalid", "", ""},
		{"correction stale version", "PATCH", contactPath, map[string]any{"version": 7, "note": "x"}, conflict, "conflict", "", ""},
		{"correction version zero", "PATCH", contactPath, map[string]any{"version": 0, "note": "x"}, invalid, "invalid", "version", ""},
		{"correction no topics", "PATCH", contactPath, map[string]any{"topics": []string{}}, invalid, "invalid", "topics", ""},
		{"correction unknown topic", "PATCH", contactPath, map[string]any{"topics": []string{"nope"}}, invalid, "invalid", "topics[0]", ""},
		{"correction unknown kind", "PATCH", contactPath, map[string]any{"kind": "telepathie"}, invalid, "invalid", "kind", ""},
		{"correction other organisation's programme", "PATCH", contactPath, map[string]any{"programme": "weggeefbus"}, invalid, "invalid", "programme", ""},
		{"correction in the future", "PATCH", contactPath, map[string]any{"occurred_at": rfc(time.Hour)}, invalid, "invalid", "occurred_at", ""},
		{"correction too old", "PATCH", contactPath, map[string]any{"occurred_at": rfc(-100 * 24 * time.Hour)}, invalid, "invalid", "occurred_at", ""},
		{"correction empty time", "PATCH", contactPath, map[string]any{"occurred_at": ""}, invalid, "invalid", "occurred_at", ""},
		{"correction time not RFC 3339", "PATCH", contactPath, map[string]any{"occurred_at": "12:00"}, invalid, "invalid", "occurred_at", ""},
		{"correction 5000-character note", "PATCH", contactPath, map[string]any{"note": longNote}, invalid, "invalid", "note", ""},
		{"correction of the resident", "PATCH", contactPath, map[string]any{"resident_id": foreignResident}, invalid, "invalid", "resident_id", ""},
		{"correction wrong type", "PATCH", contactPath, map[string]any{"note": 5}, invalid, "invalid", "note", ""},
		{"correction malformed", "PATCH", contactPath, `{"note": "x"`, bad, "bad_request", "", ""},
		{"correction 1 MB", "PATCH", contactPath, megabyte, tooLarge, "too_large", "", ""},

		// Voids (as the coordinator, who may void).
		{"void without reason", "POST", voidPath, map[string]any{}, invalid, "invalid", "reason", "hoop.coord"},
		{"void blank reason", "POST", voidPath, map[string]any{"reason": "   "}, invalid, "invalid", "reason", "hoop.coord"},
		{"void long reason", "POST", voidPath, map[string]any{"reason": strings.Repeat("r", 501)}, invalid, "invalid", "reason", "hoop.coord"},
		{"void reason with escapes", "POST", voidPath, map[string]any{"reason": "\x07"}, invalid, "invalid", "reason", "hoop.coord"},
		{"void reason wrong type", "POST", voidPath, map[string]any{"reason": true}, invalid, "invalid", "reason", "hoop.coord"},
		{"void unknown field", "POST", voidPath, map[string]any{"reason": "dubbel", "by": "x"}, invalid, "invalid", "by", "hoop.coord"},
		{"void non-UUID", "POST", contacts + "/abc/void", map[string]any{"reason": "dubbel"}, notFound, "not_found", "", "hoop.coord"},
		{"void other organisation", "POST", contacts + "/" + foreignContact + "/void", map[string]any{"reason": "dubbel"}, notFound, "not_found", "", "hoop.coord"},
		{"void malformed", "POST", voidPath, `{`, bad, "bad_request", "", "hoop.coord"},
		{"void 1 MB", "POST", voidPath, megabyte, tooLarge, "too_large", "", "hoop.coord"},
		{"void by a worker", "POST", voidPath, map[string]any{"reason": "dubbel"}, forbidden, "forbidden", "", ""},

		// Unknown routes and methods are JSON errors too.
		{"unknown route", "GET", "/api/v1/residentz", nil, notFound, "not_found", "", ""},
		{"unknown method", "DELETE", contactPath, nil, http.StatusMethodNotAllowed, "bad_request", "", ""},
	}
	anonymousCases := []badInput{
		{"not logged in", "POST", contacts, contactBody("hoop", ""), unauth, "unauthorized", "", ""},
	}

	nlInvalid, enInvalid := "Niet alle velden zijn goed ingevuld.", "Some fields are not filled in correctly."
	run := func(tc badInput, c *client) {
		before := env.fingerprint(true)
		nl := c.do(tc.method, tc.path, tc.body)
		en := c.withLang("en").do(tc.method, tc.path, tc.body)
		if env.fingerprint(true) != before {
			t.Errorf("%s: data or audit log changed", tc.name)
		}
		for _, res := range []response{nl, en} {
			if res.status != tc.status || res.errorCode() != tc.code {
				t.Errorf("%s: got %s, want %d %s", tc.name, res, tc.status, tc.code)
				return
			}
		}
		if nl.message() == "" || nl.message() == en.message() {
			t.Errorf("%s: message not translated: nl %q, en %q", tc.name, nl.message(), en.message())
		}
		if tc.status == invalid && !strings.HasPrefix(tc.name, "correction stale") {
			if nl.message() != nlInvalid || en.message() != enInvalid {
				t.Errorf("%s: message %q / %q", tc.name, nl.message(), en.message())
			}
			if len(nl.fields()) == 0 {
				t.Errorf("%s: no fields in %s", tc.name, nl)
			}
		}
		if tc.field != "" {
			msgNL, msgEN := nl.field(tc.field), en.field(tc.field)
			switch {
			case msgNL == "" || msgEN == "":
				t.Errorf("%s: error.fields does not name %q: %s", tc.name, tc.field, nl)
			case msgNL == msgEN:
				t.Errorf("%s: field message not translated: %q", tc.name, msgNL)
			case strings.HasPrefix(msgNL, "field.") || strings.HasPrefix(msgEN, "field.") || strings.Contains(msgNL+msgEN, "Key: "):
				t.Errorf("%s: untranslated field message: %q / %q", tc.name, msgNL, msgEN)
			}
		}
	}
	for _, tc := range cases {
		as := tc.as
		if as == "" {
			as = "hoop.worker"
		}
		run(tc, clients[as])
	}
	for _, tc := range anonymousCases {
		run(tc, env.anonymous())
	}

	// The fixtures are as they were.
	got := worker.do("GET", contactPath, nil)
	if got.status != http.StatusOK || got.json()["version"] != float64(1) || got.json()["voided_at"] != nil {
		t.Fatalf("contact changed: %s", got)
	}
}

// TestContactTimeBounds: the limits are 10 minutes ahead and 90 days back,
// both inclusive.
func TestContactTimeBounds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.login("hoop.worker")
	now := env.clock.Now()
	for _, tc := range []struct {
		at     time.Time
		status int
	}{
		{now.Add(10 * time.Minute), http.StatusCreated},
		{now.Add(10*time.Minute + time.Second), http.StatusUnprocessableEntity},
		{now.Add(-90 * 24 * time.Hour), http.StatusCreated},
		{now.Add(-90*24*time.Hour - time.Second), http.StatusUnprocessableEntity},
	} {
		body := contactBody("hoop", "")
		body["occurred_at"] = tc.at.In(time.FixedZone("CET", 3600)).Format(time.RFC3339)
		if res := c.do("POST", "/api/v1/contacts", body); res.status != tc.status {
			t.Errorf("occurred_at %s: got %s, want %d", body["occurred_at"], res, tc.status)
		}
	}
	// No time means now.
	body := contactBody("hoop", "")
	res := c.do("POST", "/api/v1/contacts", body)
	if res.status != http.StatusCreated || res.json()["occurred_at"] != now.Format("2006-01-02T15:04:05Z07:00") {
		t.Fatalf("default time: %s", res)
	}
}

// TestNoInputAnswers500 sends random bodies, query strings and ids to every
// endpoint: none may produce a 500.
func TestNoInputAnswers500(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord := env.login("hoop.worker"), env.login("hoop.coord")
	resident := worker.newResident(nil)
	contact := worker.newContact("hoop", resident)
	coordContact := coord.newContact("hoop", "")
	rng := rand.New(rand.NewPCG(2, 12))

	fieldNames := []string{"id", "programme", "occurred_at", "neighbourhood", "kind", "resident_id", "anonymous",
		"topics", "outcomes", "note", "version", "reason", "given_name", "family_name", "birth_date", "birth_year",
		"phone", "gender", "username", "password"}
	var value func(depth int) any
	value = func(depth int) any {
		switch rng.IntN(14) {
		case 0:
			return nil
		case 1:
			return rng.IntN(2) == 0
		case 2:
			return rng.NormFloat64() * 1e6
		case 3:
			return []float64{1e308, -1e308, 0, 2100, 1900, -1}[rng.IntN(6)]
		case 4:
			return uuid.NewString()
		case 5:
			return []string{resident, contact, coordContact, strings.ToUpper(resident), "{" + contact + "}"}[rng.IntN(5)]
		case 6:
			return env.clock.Now().Add(time.Duration(rng.Int64N(1<<50) - 1<<49)).Format(time.RFC3339Nano)
		case 7:
			return []string{"hoop", "weggeefbus", "zambesibuurt", "schulden", "deur-aan-deur", "betalingsregeling", "vrouw", "1980-02-29", "0000-01-01", "9999-12-31"}[rng.IntN(10)]
		case 8:
			return strings.Repeat(string(rune(rng.IntN(0x2FFFF))), rng.IntN(5000))
		case 9:
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return string(b)
		case 10, 11:
			if depth > 2 {
				return "x"
			}
			list := make([]any, rng.IntN(15))
			for i := range list {
				list[i] = value(depth + 1)
			}
			return list
		default:
			if depth > 2 {
				return 1
			}
			m := map[string]any{}
			for range rng.IntN(6) {
				m[fieldNames[rng.IntN(len(fieldNames))]] = value(depth + 1)
			}
			return m
		}
	}
	// randomBody is a random JSON value, or a valid body with one field
	// replaced, or a mangled JSON text.
	randomBody := func(valid map[string]any) any {
		switch rng.IntN(4) {
		case 0:
			return value(0)
		case 1, 2:
			b := map[string]any{}
			for k, v := range valid {
				b[k] = v
			}
			if len(fieldNames) > 0 {
				b[fieldNames[rng.IntN(len(fieldNames))]] = value(1)
			}
			return b
		default:
			data, _ := json.Marshal(valid)
			if len(data) > 0 {
				i := rng.IntN(len(data))
				data = append(data[:i:i], append([]byte{byte(rng.IntN(128))}, data[i:]...)...)
			}
			return json.RawMessage(data)
		}
	}
	randomID := func() string {
		return url.PathEscape([]string{resident, contact, coordContact, uuid.NewString(), "0", "%00", "..",
			strings.Repeat("f", 300), "' OR 1=1 --"}[rng.IntN(9)])
	}
	randomQuery := func(keys ...string) string {
		q := url.Values{}
		for _, k := range keys {
			if rng.IntN(2) == 0 {
				v := value(2)
				if s, ok := v.(string); ok {
					q.Set(k, s)
				} else {
					q.Set(k, fmt.Sprint(v))
				}
			}
		}
		return q.Encode()
	}

	type endpoint struct {
		method string
		path   func() string
		valid  map[string]any
		as     *client
	}
	endpoints := []endpoint{
		{"POST", func() string { return "/api/v1/residents" }, map[string]any{"given_name": "A", "family_name": "B", "birth_date": "1980-01-01"}, worker},
		{"PATCH", func() string { return "/api/v1/residents/" + randomID() }, map[string]any{"note": "n"}, worker},
		{"GET", func() string { return "/api/v1/residents?" + randomQuery("q", "limit") }, nil, worker},
		{"GET", func() string { return "/api/v1/residents/" + randomID() }, nil, worker},
		{"POST", func() string { return "/api/v1/contacts" }, contactBody("hoop", resident), worker},
		{"PATCH", func() string { return "/api/v1/contacts/" + randomID() }, map[string]any{"note": "n", "version": 1}, worker},
		{"GET", func() string { return "/api/v1/contacts?" + randomQuery("resident_id", "from", "to", "mine", "limit") }, nil, worker},
		{"GET", func() string { return "/api/v1/contacts/" + randomID() }, nil, worker},
		{"POST", func() string { return "/api/v1/contacts/" + randomID() + "/void" }, map[string]any{"reason": "r"}, coord},
		{"POST", func() string { return "/api/v1/login" }, map[string]any{"username": "nobody", "password": "x"}, env.anonymous()},
	}
	const rounds = 60
	for _, ep := range endpoints {
		statuses := map[int]int{}
		for range rounds {
			path := ep.path()
			var body any
			if ep.method != "GET" {
				body = randomBody(ep.valid)
			}
			res, err := ep.as.try(ep.method, path, body)
			if err != nil {
				t.Fatalf("%s %s: %v", ep.method, path, err)
			}
			statuses[res.status]++
			if res.status >= 500 {
				data, _ := json.Marshal(body)
				t.Errorf("%s %s with %.300s: %s", ep.method, path, data, res)
			}
		}
		// The inputs reach past the first check: more than one answer.
		if len(statuses) < 2 {
			t.Errorf("%s %s: every random input answered %v", ep.method, ep.path(), statuses)
		}
	}
}

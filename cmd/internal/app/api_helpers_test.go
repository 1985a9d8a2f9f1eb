package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Helpers shared by the api_*_test.go files.

// apiRoutes lists the routes of the router that the API contract covers:
// everything under /api/ plus /healthz, as "METHOD /path" with gin's :id
// written the OpenAPI way, {id}.
func apiRoutes(t *testing.T, env *testEnv) []string {
	t.Helper()
	engine, ok := env.app.Handler.(*gin.Engine)
	if !ok {
		t.Fatalf("app.Handler is a %T, not the *gin.Engine; expose the routes another way", env.app.Handler)
	}
	var out []string
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && r.Path != "/healthz" {
			continue
		}
		out = append(out, r.Method+" "+openAPIPath(r.Path))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// openAPIPath turns gin's /contacts/:id into /contacts/{id}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || strings.HasPrefix(part, "*") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// notData are the tables that change on every login or read.
var notData = []string{"sessions", "login_failures", "goose_db_version", "sqlite_sequence"}

// refusals are the audit lines a refused request writes (who tried what):
// the fingerprint leaves them out.
const refusals = `('read_refused', 'refused', 'login_failed', 'login_throttled')`

// fingerprint hashes every row of every data table (and, with audit, of the
// audit log but its refusals), so a test can show that a refused request
// wrote nothing else.
func (e *testEnv) fingerprint(audit bool) string {
	e.t.Helper()
	var tables []string
	tablesQuery := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if storagetest.Postgres() {
		tablesQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`
	}
	rows, err := e.app.DB.Read.Query(tablesQuery)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			e.t.Fatal(err)
		}
		if !slices.Contains(notData, name) && (audit || (name != "audit_log" && name != "audit_ids")) {
			tables = append(tables, name)
		}
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		query := `SELECT * FROM "` + table + `"`
		switch table {
		case "audit_log":
			query += ` WHERE action NOT IN ` + refusals
		case "audit_ids":
			query += ` WHERE audit_id IN (SELECT id FROM audit_log WHERE action NOT IN ` + refusals + `)`
		}
		rows, err := e.app.DB.Read.Query(query)
		if err != nil {
			e.t.Fatalf("fingerprint %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var lines []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatalf("fingerprint %s: %v", table, err)
			}
			lines = append(lines, fmt.Sprintf("%#v", vals))
		}
		rows.Close()
		slices.Sort(lines)
		fmt.Fprintf(h, "%s\n%s\n", table, strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// count returns the result of a COUNT(*) query.
func (e *testEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.Read.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// textSet reads a query's one text column as a set.
func (e *testEnv) textSet(query string, args ...any) map[string]bool {
	e.t.Helper()
	rows, err := e.app.DB.Read.Query(query, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out[s] = true
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// orgID returns the database ID of an organisation.
func (e *testEnv) orgID(slug string) int64 {
	e.t.Helper()
	var id int64
	if err := e.app.DB.Read.QueryRow(`SELECT id FROM organisations WHERE slug = ?`, slug).Scan(&id); err != nil {
		e.t.Fatalf("organisation %s: %v", slug, err)
	}
	return id
}

// personOf returns residents.person_id of a record.
func (e *testEnv) personOf(residentID string) int64 {
	e.t.Helper()
	var id int64
	if err := e.app.DB.Read.QueryRow(`SELECT person_id FROM residents WHERE id = ?`, residentID).Scan(&id); err != nil {
		e.t.Fatalf("person of %s: %v", residentID, err)
	}
	return id
}

// with returns a copy of the client (same cookies) with another CSRF token
// or language.
func (c *client) withCSRF(token string) *client { cp := *c; cp.csrf = token; return &cp }
func (c *client) withLang(lang string) *client  { cp := *c; cp.lang = lang; return &cp }

// try is do without testing.T, safe to call from other goroutines.
func (c *client) try(method, path string, body any) (response, error) {
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case json.RawMessage:
		reader = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.env.srv.URL+path, reader)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}, err
}

// message returns error.message of a JSON error answer.
func (r response) message() string {
	var body struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &body)
	return body.Error.Message
}

// fields returns error.fields of a JSON error answer.
func (r response) fields() map[string]string {
	var body struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &body)
	return body.Error.Fields
}

func (r response) String() string {
	return fmt.Sprintf("%d %s", r.status, r.body)
}

// newResident registers a resident and returns its ID.
func (c *client) newResident(body map[string]any) string {
	c.env.t.Helper()
	if body == nil {
		body = map[string]any{"given_name": "Test", "family_name": "Persoon " + uuid.NewString()[:8], "neighbourhood": "zambesibuurt"}
	}
	res := c.do("POST", "/api/v1/residents", body)
	if res.status != http.StatusCreated {
		c.env.t.Fatalf("create resident: %s", res)
	}
	return res.json()["id"].(string)
}

// contactBody is a valid new contact for programme, about residentID (or
// anonymous when empty), happening now.
func contactBody(programme, residentID string) map[string]any {
	b := map[string]any{
		"id": uuid.NewString(), "programme": programme, "neighbourhood": "zambesibuurt",
		"kind": "deur-aan-deur", "topics": []string{"schulden", "rondkomen"}, "outcomes": []string{},
		"note": "Vraag over een betalingsregeling.",
	}
	if residentID == "" {
		b["anonymous"] = true
	} else {
		b["resident_id"] = residentID
	}
	return b
}

// newContact logs a contact and returns its ID.
func (c *client) newContact(programme, residentID string) string {
	c.env.t.Helper()
	res := c.do("POST", "/api/v1/contacts", contactBody(programme, residentID))
	if res.status != http.StatusCreated {
		c.env.t.Fatalf("create contact: %s", res)
	}
	return res.json()["id"].(string)
}

// programmeOf is the demo programme of each demo login.
func programmeOf(username string) string {
	for _, du := range demo.Users {
		if du.Username == username && du.Programme != "" {
			return du.Programme
		}
	}
	return "hoop"
}

// anonymousFrom is a client whose requests come from another loopback
// address, so tests can tell throttling by address from by username.
func (e *testEnv) anonymousFrom(ip string) *client {
	c := e.anonymous()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.http.Transport = &http.Transport{DialContext: dialer.DialContext}
	return c
}

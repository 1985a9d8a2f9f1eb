package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type auditRow struct {
	at, username, action, entity, entityID, detail string
	userID, orgID                                  int64
}

func (e *testEnv) auditSince(id int64) []auditRow {
	e.t.Helper()
	rows, err := e.app.DB.Read.Query(`SELECT at, COALESCE(user_id, 0), username, COALESCE(organisation_id, 0), action,
		entity, entity_id, detail FROM audit_log WHERE id > ? ORDER BY id`, id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.at, &r.userID, &r.username, &r.orgID, &r.action, &r.entity, &r.entityID, &r.detail); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (e *testEnv) lastAuditID() int64 {
	e.t.Helper()
	var id int64
	if err := e.app.DB.Read.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord, dock := env.login("hoop.worker"), env.login("hoop.coord"), env.login("dock.worker")
	alAmal := env.orgID("al-amal")
	var workerID int64
	if err := env.app.DB.Read.QueryRow(`SELECT id FROM users WHERE username = 'hoop.worker'`).Scan(&workerID); err != nil {
		t.Fatal(err)
	}

	// expect runs fn and checks that exactly these audit rows were written,
	// by user in organisation al-amal, at the clock's time.
	expect := func(name, user string, fn func() string, want ...string) {
		t.Helper()
		env.clock.Advance(time.Minute)
		since := env.lastAuditID()
		id := fn()
		got := env.auditSince(since)
		if len(got) != len(want) {
			t.Errorf("%s: %d audit rows %v, want %v", name, len(got), got, want)
			return
		}
		for i, r := range got {
			action, entity, _ := strings.Cut(want[i], " ")
			if r.action != action || r.entity != entity || r.username != user || r.orgID != alAmal ||
				r.at != env.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z") || (id != "" && entity != "session" && r.entityID != id) {
				t.Errorf("%s: audit row %+v, want %s of %s by %s", name, r, want[i], id, user)
			}
			if user == "hoop.worker" && r.userID != workerID {
				t.Errorf("%s: user_id %d, want %d", name, r.userID, workerID)
			}
		}
	}

	var resident, contact string
	expect("register", "hoop.worker", func() string {
		resident = worker.newResident(map[string]any{"given_name": "Omar", "family_name": "Ouali", "birth_date": "1990-01-01"})
		return resident
	}, "create resident")
	expect("read", "hoop.worker", func() string {
		if res := worker.do("GET", "/api/v1/residents/"+resident, nil); res.status != http.StatusOK {
			t.Fatalf("read: %s", res)
		}
		return resident
	}, "read resident")
	expect("read by the coordinator", "hoop.coord", func() string {
		coord.do("GET", "/api/v1/residents/"+resident, nil)
		return resident
	}, "read resident")
	expect("change", "hoop.worker", func() string {
		worker.do("PATCH", "/api/v1/residents/"+resident, map[string]any{"phone": "06-98765432"})
		return resident
	}, "update resident")
	expect("search", "hoop.worker", func() string {
		worker.do("GET", "/api/v1/residents?q=ouali", nil)
		return ""
	}, "search resident")
	expect("log a contact", "hoop.worker", func() string {
		contact = worker.newContact("hoop", resident)
		return contact
	}, "create contact")
	expect("repeat a contact", "hoop.worker", func() string {
		b := contactBody("hoop", resident)
		b["id"] = contact
		worker.do("POST", "/api/v1/contacts", b)
		return contact
	} /* nothing new was written */)
	expect("list a resident's contacts", "hoop.worker", func() string {
		worker.do("GET", "/api/v1/contacts?resident_id="+resident, nil)
		return ""
	}, "list contact")
	expect("correct", "hoop.worker", func() string {
		worker.do("PATCH", "/api/v1/contacts/"+contact, map[string]any{"note": "Anders."})
		return contact
	}, "correct contact")
	expect("void", "hoop.coord", func() string {
		coord.do("POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "Dubbel."})
		return contact
	}, "void contact")
	expect("logout", "hoop.coord", func() string {
		coord.do("POST", "/api/v1/logout", nil)
		return ""
	}, "logout session")

	// Refused requests read nothing and are logged as refusals: another
	// organisation's attempt is a read_refused of the id it tried, not a
	// read of the record; a route the role may not use is refused.
	since := env.lastAuditID()
	dock.do("GET", "/api/v1/residents/"+resident, nil)
	dock.do("PATCH", "/api/v1/residents/"+resident, map[string]any{"note": "x"})
	worker.do("POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "x"})
	var got []string
	for _, r := range env.auditSince(since) {
		got = append(got, r.username+" "+r.action+" "+r.entity+" "+r.entityID)
	}
	want := []string{"dock.worker read_refused resident " + resident, "dock.worker read_refused resident " + resident,
		"hoop.worker refused route POST /api/v1/contacts/" + contact + "/void"}
	if !slices.Equal(got, want) {
		t.Errorf("refused requests wrote %q, want %q", got, want)
	}

	// The log is append-only.
	if _, err := env.app.DB.Write.Exec(`UPDATE audit_log SET username = 'someone else'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE audit_log: %v", err)
	}
	if _, err := env.app.DB.Write.Exec(`DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE FROM audit_log: %v", err)
	}
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE username = 'someone else'`); n != 0 {
		t.Error("audit rows were changed")
	}
	// Audit rows never hold the personal data itself.
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%ouali%' OR detail LIKE '%Omar%' OR detail LIKE '%06-98%'`); n != 0 {
		t.Errorf("%d audit rows hold personal data", n)
	}
}

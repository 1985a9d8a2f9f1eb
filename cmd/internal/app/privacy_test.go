package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestPrivacyOfficer: the privacy officer reads its own organisation's
// audit and answers access requests, and reads no case data otherwise.
func TestPrivacyOfficer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	officer, worker, dock := env.login("hoop.privacy"), env.login("hoop.worker"), env.login("dock.worker")
	mine := worker.newResident(map[string]any{"given_name": "Ilse", "family_name": "Inzagetest", "phone": "06-11112222"})
	worker.newContact("hoop", mine)
	theirs := dock.dockResident("Anderorganisatie")
	worker.do("GET", "/api/v1/residents/"+mine, nil)
	dock.do("GET", "/api/v1/residents/"+theirs, nil)

	for _, path := range []string{"/api/v1/residents", "/api/v1/residents/" + mine, "/api/v1/contacts",
		"/api/v1/handovers", "/api/v1/reach?period=2025", "/api/v1/users"} {
		if res := officer.do("GET", path, nil); res.status != http.StatusForbidden {
			t.Errorf("privacy officer GET %s: %s, want 403", path, res)
		}
	}

	// Who saw this resident? Only the organisation's own lines, with the
	// address and the ids read.
	res := officer.do("GET", "/api/v1/audit?resident_id="+mine, nil)
	if res.status != http.StatusOK {
		t.Fatalf("audit: %s", res)
	}
	var page struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(res.body, &page); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range page.Entries {
		if !slices.Equal(keys(e), []string{"action", "at", "detail", "entity", "entity_id", "organisation", "user"}) {
			t.Errorf("audit entry keys %v", keys(e))
		}
		if e["organisation"] != "al-amal" {
			t.Errorf("an entry of another organisation: %v", e)
		}
		seen = append(seen, e["user"].(string)+" "+e["action"].(string))
		if e["action"] == "read" && e["entity"] == "resident" && (!strings.Contains(e["detail"].(string), "address=127.0.0.1") ||
			e["entity_id"] != mine) {
			t.Errorf("read line without address or ids: %v", e)
		}
	}
	for _, want := range []string{"hoop.worker read", "hoop.worker create"} {
		if !slices.Contains(seen, want) {
			t.Errorf("who saw %s: %v lacks %q", mine, seen, want)
		}
	}
	all := officer.do("GET", "/api/v1/audit?limit=500", nil)
	if strings.Contains(string(all.body), theirs) || strings.Contains(string(all.body), "dock.worker") {
		t.Errorf("the audit shows another organisation's lines: %s", all.body)
	}
	csv := officer.do("GET", "/api/v1/audit?format=csv&resident_id="+mine, nil)
	if csv.status != http.StatusOK || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(string(csv.body), "at,user,organisation,action,entity,entity_id,detail\n") {
		t.Errorf("audit CSV: %s", csv)
	}
	// Paging: a cursor continues where the page ended, without repeats.
	first := officer.do("GET", "/api/v1/audit?limit=2", nil).json()
	cursor, _ := first["next_cursor"].(string)
	if cursor == "" {
		t.Fatalf("no next cursor: %v", first)
	}
	second := officer.do("GET", "/api/v1/audit?limit=2&cursor="+cursor, nil).json()
	if mustJSON(t, first["entries"]) == mustJSON(t, second["entries"]) {
		t.Errorf("the second page repeats the first")
	}

	// An access request: everything about the record, audited.
	exp := officer.do("GET", "/api/v1/residents/"+mine+"/export", nil)
	if exp.status != http.StatusOK || !strings.Contains(string(exp.body), "Inzagetest") {
		t.Fatalf("export: %s", exp)
	}
	body := exp.json()
	if !slices.Equal(keys(body), []string{"accesses", "contacts", "exported_at", "handovers", "organisation", "resident", "versions"}) {
		t.Errorf("export keys %v", keys(body))
	}
	if n := len(body["contacts"].([]any)); n != 1 {
		t.Errorf("export has %d contacts, want 1", n)
	}
	if got := env.auditActions("resident", mine); !slices.Contains(got, "export") {
		t.Errorf("the export is not audited: %v", got)
	}
	if res := officer.do("GET", "/api/v1/residents/"+theirs+"/export", nil); res.status != http.StatusNotFound {
		t.Errorf("export of another organisation's record: %s", res)
	}
	// The printable page says the same, in Dutch.
	doc := officer.get("/residents/" + mine + "/export")
	pageHas(t, "export page", doc.body, "Inzage in de gegevens van Ilse Inzagetest", "06-11112222", "Wie zag deze gegevens")

	// The pages: requests and the audit, no case pages.
	home := officer.get("/")
	if loc := home.header.Get("Location"); loc != "/privacy" {
		t.Errorf("home redirects the privacy officer to %q", loc)
	}
	pageHas(t, "requests page", officer.get("/privacy?q=inzagetest").body, "Ilse Inzagetest", "/residents/"+mine+"/export")
	auditPage := officer.get("/privacy/audit?resident_id=" + mine)
	pageHas(t, "audit page", auditPage.body, "hoop.worker", "Logboek")
	for _, path := range []string{"/residents", "/contacts", "/handovers", "/reach"} {
		if res := officer.get(path); res.status != http.StatusForbidden {
			t.Errorf("privacy officer page %s: %d", path, res.status)
		}
	}
}

// consentSecrets are what the sender shared in handoverBody and
// dockResident: none of it may reach the receiver once consent ends.
func consentSecrets(family string) []string {
	return []string{family, "06-12345678", "betalingsachterstand", "dinsdagochtend", "drie kinderen"}
}

// TestConsentEndsAtReceiver: after withdrawal, expiry, a decline or the
// sender's withdrawal, the receiver sees nothing that came from the sender;
// after withdrawal or expiry its record is erased unless it recorded its own
// legal ground.
func TestConsentEndsAtReceiver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var dock, hoop, hoopCoord *client
	// relogin starts new sessions after time travel ended the old ones.
	relogin := func() {
		dock, hoop, hoopCoord = env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	}
	relogin()
	ctx := context.Background()

	type outcome struct{ recordErased bool }
	cases := []struct {
		name      string
		ownGround bool
		end       func(id string)
		accept    bool
		want      outcome
	}{
		{"withdrawn", false, func(id string) {
			dock.move(id, "consent/withdraw", map[string]any{"note": "Bewoner belde."})
		}, true, outcome{recordErased: true}},
		{"withdrawn with own ground", true, func(id string) {
			dock.move(id, "consent/withdraw", map[string]any{})
		}, true, outcome{}},
		{"expired", false, func(string) {
			env.clock.Advance(366 * 24 * time.Hour)
			if err := env.app.PrivacyJobs(ctx); err != nil {
				t.Fatal(err)
			}
			relogin()
		}, true, outcome{recordErased: true}},
		{"declined", false, func(id string) {
			hoop.move(id, "decline", map[string]any{"reason": "no_capacity"})
		}, false, outcome{}},
		{"withdrawn by the sender", false, func(id string) {
			dock.move(id, "withdraw", map[string]any{"reason": "Vergissing."})
		}, true, outcome{recordErased: true}},
		{"withdrawn by the sender, own ground", true, func(id string) {
			dock.move(id, "withdraw", map[string]any{"reason": "Vergissing."})
		}, true, outcome{}},
	}
	for i, tc := range cases {
		family := fmt.Sprintf("Eindetoestemming%c", 'a'+i)
		h := dock.send(handoverBody(dock.dockResident(family), "al-amal", "name", "phone", "birth_date", "neighbourhood", "story"))
		id := h["id"].(string)
		var record string
		if tc.accept {
			record = hoop.move(id, "accept", map[string]any{})["resident_id"].(string)
			if res := hoop.do("GET", "/api/v1/residents?q="+family, nil); !strings.Contains(string(res.body), record) {
				t.Fatalf("%s: the receiver does not find its record before: %s", tc.name, res)
			}
		} else {
			hoop.getHandover(id)
		}
		if tc.ownGround {
			res := hoopCoord.do("POST", "/api/v1/residents/"+record+"/own-ground", map[string]any{"ground": "Eigen schuldhulptraject."})
			if res.status != http.StatusOK || res.json()["own_ground"] != "Eigen schuldhulptraject." {
				t.Fatalf("own ground: %s", res)
			}
		}
		tc.end(id)

		got := hoop.do("GET", "/api/v1/handovers/"+id, nil)
		if got.status != http.StatusOK {
			t.Fatalf("%s: receiver GET: %s", tc.name, got)
		}
		pageLacks(t, tc.name+": receiver JSON", got.body, consentSecrets(family)...)
		pageLacks(t, tc.name+": receiver page", hoop.get("/handovers/"+id).body, consentSecrets(family)...)
		if shared := got.json()["shared"]; len(keys(shared)) != 0 {
			t.Errorf("%s: receiver still sees shared %v", tc.name, shared)
		}
		// The sender keeps its own data.
		pageHas(t, tc.name+": sender JSON", dock.do("GET", "/api/v1/handovers/"+id, nil).body, "betalingsachterstand")
		if record == "" {
			continue
		}
		found := hoop.do("GET", "/api/v1/residents?q="+family, nil)
		read := hoop.do("GET", "/api/v1/residents/"+record, nil)
		consent := dock.getHandover(id)["consent"].(map[string]any)
		if tc.want.recordErased {
			if strings.Contains(string(found.body), record) || read.status != http.StatusNotFound {
				t.Errorf("%s: the receiver's record survives: search %s, read %s", tc.name, found, read)
			}
			if consent["reached_receiver_at"] == nil {
				t.Errorf("%s: the sender does not see that the end reached the receiver: %v", tc.name, consent)
			}
			if got := env.auditActions("resident", record); !slices.Contains(got, "erase") {
				t.Errorf("%s: the erasure of the receiver's record is not audited: %v", tc.name, got)
			}
		} else if !strings.Contains(string(found.body), record) || read.status != http.StatusOK {
			t.Errorf("%s: the receiver's record is gone: search %s, read %s", tc.name, found, read)
		}
		if tc.ownGround && consent["receiver_own_ground"] != true {
			t.Errorf("%s: the sender is not shown the receiver's own ground: %v", tc.name, consent)
		}
	}

	// An expired consent is renewed by the sender: the receiver sees the
	// shared fields again; a withdrawn one cannot be renewed.
	h := dock.send(handoverBody(dock.dockResident("Vernieuwd"), "al-amal"))
	id := h["id"].(string)
	hoop.getHandover(id)
	env.clock.Advance(366 * 24 * time.Hour)
	relogin()
	if res := hoop.do("POST", "/api/v1/handovers/"+id+"/accept", map[string]any{}); res.status != http.StatusConflict ||
		res.errorCode() != "conflict" {
		t.Errorf("accept under an expired consent: %s", res)
	}
	if res := hoop.do("POST", "/api/v1/handovers/"+id+"/consent/renew", map[string]any{"how": "verbal"}); res.status != http.StatusForbidden {
		t.Errorf("the receiver renews: %s", res)
	}
	renewed := dock.move(id, "consent/renew", map[string]any{"how": "written"})
	if until, _ := time.Parse(time.RFC3339, renewed["consent"].(map[string]any)["valid_until"].(string)); !until.Equal(env.clock.Now().AddDate(1, 0, 0).Truncate(time.Millisecond)) {
		t.Errorf("renewed until %v, want a year from now", until)
	}
	pageHas(t, "renewed consent", hoop.do("GET", "/api/v1/handovers/"+id, nil).body, "Vernieuwd", "dinsdagochtend")
	dock.move(id, "consent/withdraw", map[string]any{})
	if res := dock.do("POST", "/api/v1/handovers/"+id+"/consent/renew", map[string]any{"how": "verbal"}); res.status != http.StatusConflict {
		t.Errorf("renew a withdrawn consent: %s", res)
	}
}

// reachSnapshot reads every reach figure: the exact counters and facts, and
// each table of period live and as published.
func reachSnapshot(t *testing.T, env *testEnv, prog *client, period string) string {
	t.Helper()
	if err := env.app.Reach.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, q := range []string{`SELECT period, programme_id, measure, key, n FROM reach_counts ORDER BY 1, 2, 3, 4`,
		`SELECT person_id, programme_id, period, neighbourhood_id, helped, topics, age_band, gender FROM reach_facts ORDER BY 1, 2, 3`} {
		rows, err := env.app.DB.Read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		rows.Close()
	}
	coord := env.login("hoop.coord") // live figures are a coordinator's
	for _, table := range cases.ReachTables {
		for _, version := range []string{"live", "1"} {
			reader := prog
			if version == "live" {
				reader = coord
			}
			res := reader.do("GET", "/api/v1/reach?period="+period+"&table="+table+"&version="+version, nil)
			if res.status != http.StatusOK {
				t.Fatalf("reach %s %s: %s", table, version, res)
			}
			var tab map[string]any
			if err := json.Unmarshal(res.body, &tab); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s %s\n", table, version, mustJSON(t, tab["rows"]))
		}
	}
	return b.String()
}

// TestErasure: an erasure request blanks the record and everything copied
// from it, in every table and in the file; the person still counts, so no
// reach figure moves.
func TestErasure(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord, prog := env.login("hoop.worker"), env.login("hoop.coord"), env.login("programme")
	bt, btCoord := env.login("buurtteam.worker"), env.login("buurtteam.coord")
	const family, phone, note = "Wisverzoek", "06-98765432", "NOTITIE-OVER-WISVERZOEK"
	gone := worker.newResident(map[string]any{"given_name": "Zeynep", "family_name": family, "birth_date": "1979-11-23",
		"phone": phone, "gender": "vrouw", "neighbourhood": "zambesibuurt", "note": note})
	worker.do("PATCH", "/api/v1/residents/"+gone, map[string]any{"note": note + " (bijgewerkt)"})
	contact := worker.do("POST", "/api/v1/contacts", func() map[string]any {
		b := contactBody("hoop", gone)
		b["note"] = note
		b["outcomes"] = []string{"warme-overdracht"}
		return b
	}()).json()["id"].(string)
	worker.do("PATCH", "/api/v1/contacts/"+contact, map[string]any{"note": note + " gecorrigeerd"})
	// Others, so the tables have more than one person.
	for i := range 3 {
		worker.newContact("hoop", worker.newResident(map[string]any{"given_name": fmt.Sprintf("Ander%d", i), "birth_date": "1990-01-0" + fmt.Sprint(i+1)}))
	}
	// Handed over to the Buurtteam, which accepts and makes contact: its
	// record of the resident is a copy.
	h := worker.send(handoverBody(gone, "buurtteam", "name", "phone", "birth_date", "neighbourhood", "story"))
	hid := h["id"].(string)
	copyID := bt.move(hid, "accept", map[string]any{})["resident_id"].(string)
	bt.move(hid, "contacted", map[string]any{"how": "home-visit", "note": note})

	if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": "2025-Q1"}); res.status != http.StatusCreated {
		t.Fatalf("publish: %s", res)
	}
	before := reachSnapshot(t, env, prog, "2025-Q1")

	res := coord.do("POST", "/api/v1/residents/"+gone+"/erase", map[string]any{"reason": "Verzoek van de bewoner, 12 maart."})
	if res.status != http.StatusOK || res.json()["id"] != gone {
		t.Fatalf("erase: %s", res)
	}
	if after := reachSnapshot(t, env, prog, "2025-Q1"); after != before {
		t.Errorf("the reach figures moved:\nbefore %s\nafter  %s", before, after)
	}

	// Gone for every reader; the contact stays, without its note, and is
	// fixed; the handover keeps its dates, not its texts.
	for _, c := range []struct {
		who  *client
		path string
	}{{worker, "/api/v1/residents/" + gone}, {bt, "/api/v1/residents/" + copyID}, {coord, "/api/v1/residents/" + gone + "/export"}} {
		if res := c.who.do("GET", c.path, nil); res.status != http.StatusNotFound {
			t.Errorf("GET %s after erasure: %s", c.path, res)
		}
	}
	if res := worker.do("GET", "/api/v1/residents?q="+family, nil); strings.Contains(string(res.body), gone) {
		t.Errorf("search finds the erased record: %s", res)
	}
	ct := worker.do("GET", "/api/v1/contacts/"+contact, nil).json()
	if ct["note"] != "" || ct["resident_erased"] != true || ct["history"] != nil {
		t.Errorf("the erased record's contact: %v", ct)
	}
	if res := worker.do("PATCH", "/api/v1/contacts/"+contact, map[string]any{"note": "opnieuw"}); res.status != http.StatusConflict {
		t.Errorf("correct a contact of an erased record: %s", res)
	}
	if res := coord.do("POST", "/api/v1/contacts/"+contact+"/void", map[string]any{"reason": "weg"}); res.status != http.StatusConflict {
		t.Errorf("void a contact of an erased record: %s", res)
	}
	if res := coord.do("POST", "/api/v1/residents/"+gone+"/erase", map[string]any{"reason": "nog eens"}); res.status != http.StatusNotFound {
		t.Errorf("erase twice: %s", res)
	}
	sent := worker.getHandover(hid)
	if sent["question"] != "" || sent["state"] != "contacted" || len(keys(sent["shared"])) != 0 || sent["resident_id"] != nil {
		t.Errorf("the handover after erasure: %v", sent)
	}
	pageLacks(t, "receiver's handover", btCoord.do("GET", "/api/v1/handovers/"+hid, nil).body, family, phone, note)

	// The audit keeps that it happened and why, in both organisations.
	var detail string
	if err := env.app.DB.Read.QueryRow(`SELECT detail FROM audit_log WHERE action = 'erase' AND entity_id = ?`, gone).Scan(&detail); err != nil ||
		detail != "reason=Verzoek van de bewoner, 12 maart." {
		t.Errorf("erase audit: %q %v", detail, err)
	}
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND entity_id = ? AND organisation_id = ?`,
		copyID, env.orgID("buurtteam")); n != 1 {
		t.Errorf("the copy's erasure is audited %d times in the Buurtteam's log", n)
	}

	// Nothing of it is left in the file (nor in the WAL).
	env.emptyWAL()
	scanFiles(t, env.dbPath, family, strings.ToLower(family), phone, "0698765432", note, "1979-11-23")
}

// emptyWAL checkpoints the WAL into the file and truncates it, waiting for
// readers to let it. PostgreSQL's WAL is the server's (docs/privacy.md).
func (e *testEnv) emptyWAL() {
	e.t.Helper()
	if storagetest.Postgres() {
		return
	}
	for try := 0; try < 50; try++ {
		var busy, frames, copied int
		if err := e.app.DB.Write.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
			e.t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("the WAL could not be emptied")
}

// scanFiles fails when the database file or its WAL holds any of secrets.
// On PostgreSQL there is no file to scan: an erasure empties the rows, and
// what the server keeps of their old versions is its own (docs/privacy.md).
func scanFiles(t *testing.T, dbPath string, secrets ...string) {
	t.Helper()
	if storagetest.Postgres() {
		return
	}
	for _, found := range fileHolds(t, dbPath, secrets...) {
		t.Errorf("the database still holds %s", found)
	}
}

// fileHolds lists which of secrets the database file or its WAL holds.
func fileHolds(t *testing.T, dbPath string, secrets ...string) []string {
	t.Helper()
	var out []string
	for _, name := range []string{dbPath, dbPath + "-wal"} {
		data, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				out = append(out, fmt.Sprintf("%q in %s", s, filepath.Base(name)))
			}
		}
	}
	return out
}

// TestRetention: a record without contact, handover or change for longer
// than its organisation's retention period is erased by the server's job;
// the figures stay.
func TestRetention(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, prog, admin := env.login("hoop.worker"), env.login("programme"), env.login("admin")
	old := worker.newResident(map[string]any{"given_name": "Bewaar", "family_name": "Termijntest", "phone": "06-55554444", "birth_date": "1960-02-02"})
	worker.newContact("hoop", old)
	if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": "2025-Q1"}); res.status != http.StatusCreated {
		t.Fatalf("publish: %s", res)
	}
	before := reachSnapshot(t, env, prog, "2025-Q1")

	// The administrator shortens al-amal's period; bad values are refused.
	for _, v := range []string{"0", "abc", "121"} {
		res := admin.postForm("/admin/organisations/al-amal/privacy", url.Values{"csrf_token": {admin.csrf},
			"retention_months": {v}, "consent_months": {"12"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "Bewaartermijn") {
			t.Errorf("retention %q: %d", v, res.status)
		}
	}
	if res := admin.postForm("/admin/organisations/al-amal/privacy", url.Values{"csrf_token": {admin.csrf},
		"retention_months": {"6"}, "consent_months": {"12"}}); res.status != http.StatusSeeOther {
		t.Fatalf("set retention: %d %s", res.status, res.body)
	}

	env.clock.Advance(5 * 30 * 24 * time.Hour)
	worker, prog = env.login("hoop.worker"), env.login("programme") // the old sessions ran out
	recent := worker.newResident(map[string]any{"given_name": "Recent"})
	if err := env.app.PrivacyJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := worker.do("GET", "/api/v1/residents/"+old, nil); res.status != http.StatusOK {
		t.Fatalf("erased before its time: %s", res)
	}
	env.clock.Advance(40 * 24 * time.Hour)
	worker, prog = env.login("hoop.worker"), env.login("programme")
	if err := env.app.PrivacyJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := worker.do("GET", "/api/v1/residents/"+old, nil); res.status != http.StatusNotFound {
		t.Errorf("kept past its retention: %s", res)
	}
	if res := worker.do("GET", "/api/v1/residents/"+recent, nil); res.status != http.StatusOK {
		t.Errorf("a recent record was erased: %s", res)
	}
	var detail, user string
	if err := env.app.DB.Read.QueryRow(`SELECT detail, username FROM audit_log WHERE action = 'erase' AND entity_id = ?`, old).
		Scan(&detail, &user); err != nil || detail != "reason=retention" || user != "system" {
		t.Errorf("retention audit: %q %q %v", detail, user, err)
	}
	if after := reachSnapshot(t, env, prog, "2025-Q1"); after != before {
		t.Errorf("retention moved the reach figures")
	}
	// The server empties the WAL after an erasure by itself.
	deadline := time.Now().Add(5 * time.Second)
	for len(fileHolds(t, env.dbPath, "Termijntest", "06-55554444")) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	scanFiles(t, env.dbPath, "Termijntest", "06-55554444")
}

// TestAuditChain: every read of personal data writes a line naming what it
// read; the lines are chained, and a line edited in a copy of the file is
// found.
func TestAuditChain(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	r := worker.newResident(map[string]any{"given_name": "Keten", "family_name": "Logtest"})
	c := worker.newContact("hoop", r)
	since := env.lastAuditID()
	reads := []struct {
		path string
		ids  []string
	}{
		{"/api/v1/residents/" + r, []string{"resident:" + r}},
		{"/api/v1/residents?q=logtest", []string{"resident:" + r}},
		{"/api/v1/contacts/" + c, []string{"contact:" + c, "resident:" + r}},
		{"/api/v1/contacts?resident_id=" + r, []string{"contact:" + c, "resident:" + r}},
		{"/api/v1/contacts", []string{"contact:" + c, "resident:" + r}},
	}
	for _, rd := range reads {
		if res := worker.do("GET", rd.path, nil); res.status != http.StatusOK {
			t.Fatalf("GET %s: %s", rd.path, res)
		}
		var id int64
		if err := env.app.DB.Read.QueryRow(`SELECT MAX(id) FROM audit_log`).Scan(&id); err != nil || id <= since {
			t.Fatalf("GET %s wrote no audit line", rd.path)
		}
		since = id
		// The line names what it read: its entity and its ids.
		var got []string
		rows, err := env.app.DB.Read.Query(`SELECT kind || ':' || id FROM audit_ids WHERE audit_id = ?1
			UNION SELECT entity || ':' || entity_id FROM audit_log WHERE id = ?1 AND entity_id <> '' ORDER BY 1`, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		if !slices.Equal(got, rd.ids) {
			t.Errorf("GET %s: audit ids %v, want %v", rd.path, got, rd.ids)
		}
	}
	// A search's text is not kept as typed, yet the officer finds it.
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%logtest%'`); n != 0 {
		t.Errorf("the query is stored as typed")
	}
	found := env.login("hoop.privacy").do("GET", "/api/v1/audit?q=logtest&action=search", nil).json()
	if n := len(found["entries"].([]any)); n != 1 {
		t.Errorf("searches for the query: %d lines", n)
	}
	// A failed login is a line too, with where it came from.
	env.anonymous().do("POST", "/api/v1/login", map[string]string{"username": "hoop.worker", "password": "fout-wachtwoord-123"})
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND username = 'hoop.worker' AND address = '127.0.0.1'`); n != 1 {
		t.Errorf("failed login lines: %d", n)
	}

	ctx := context.Background()
	broken, checked, err := env.app.DB.VerifyAudit(ctx)
	if err != nil || broken != 0 || checked < 10 {
		t.Fatalf("verify: broken %d checked %d %v", broken, checked, err)
	}
	// The head is the newest line, and recognises it.
	head, err := env.app.DB.AuditHead(ctx)
	if err != nil || head.Line != int64(env.count(`SELECT MAX(id) FROM audit_log`)) || len(head.Hash) != 64 {
		t.Errorf("head %+v %v", head, err)
	}
	mark, _ := cases.ParseAuditMark(head.Mark())
	if hash, err := env.app.DB.AuditLineHash(ctx, head.Line); err != nil || !mark.Holds(hash) {
		t.Errorf("the head's line: %q %v", hash, err)
	}
	if hash, err := env.app.DB.AuditLineHash(ctx, head.Line+1000); err != nil || mark.Holds(hash) {
		t.Errorf("a line that is not there: %q %v", hash, err)
	}
	// Whoever has a copy of the file can drop the triggers and edit a line;
	// without the secret the chain gives it away. On PostgreSQL: whoever
	// may change the tables, on the database itself.
	if storagetest.Postgres() {
		var target int64
		if err := env.app.DB.Read.QueryRow(`SELECT id FROM audit_log WHERE action = 'search'`).Scan(&target); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
			fmt.Sprintf(`UPDATE audit_log SET username = 'iemand-anders' WHERE id = %d`, target)} {
			if _, err := env.app.DB.Write.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		if broken, _, err := env.app.DB.VerifyAudit(ctx); err != nil || broken != target {
			t.Errorf("verify the edited database: broken %d (want %d) %v", broken, target, err)
		}
		return
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := storage.Backup(ctx, env.dbPath, copyPath); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", copyPath)
	if err != nil {
		t.Fatal(err)
	}
	var target int64
	if err := raw.QueryRow(`SELECT id FROM audit_log WHERE action = 'search'`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`DROP TRIGGER audit_log_no_update`,
		fmt.Sprintf(`UPDATE audit_log SET username = 'iemand-anders' WHERE id = %d`, target)} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := storage.Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetAuditKey(cases.AuditKey([]byte(testSecret)))
	if broken, _, err := db.VerifyAudit(ctx); err != nil || broken != target {
		t.Errorf("verify the edited copy: broken %d (want %d) %v", broken, target, err)
	}
}

// TestPrivacyBadInputs: every new route answers bad input with a clear 4xx
// naming the field, in Dutch and English, and writes nothing.
func TestPrivacyBadInputs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	coord, dock, officer := env.login("hoop.coord"), env.login("dock.worker"), env.login("hoop.privacy")
	mine := coord.newResident(map[string]any{"given_name": "Fout", "family_name": "Invoer"})
	theirs := dock.dockResident("Vreemd")
	h := dock.send(handoverBody(theirs, "al-amal"))
	hid := h["id"].(string)
	long := strings.Repeat("x", 501)
	tooOld := env.clock.Now().AddDate(0, 0, -40).Format(time.RFC3339)
	future := env.clock.Now().Add(2 * time.Hour).Format(time.RFC3339)
	megabyte := `{"reason": "` + strings.Repeat("x", 1<<20) + `"}`
	type tc struct {
		name   string
		who    *client
		method string
		path   string
		body   any
		status int
		field  string
	}
	erase := "/api/v1/residents/" + mine + "/erase"
	ground := "/api/v1/residents/" + mine + "/own-ground"
	renew := "/api/v1/handovers/" + hid + "/consent/renew"
	table := []tc{
		{"erase without reason", coord, "POST", erase, map[string]any{}, 422, "reason"},
		{"erase blank reason", coord, "POST", erase, map[string]any{"reason": "  "}, 422, "reason"},
		{"erase long reason", coord, "POST", erase, map[string]any{"reason": long}, 422, "reason"},
		{"erase reason with escapes", coord, "POST", erase, map[string]any{"reason": "a\x1b[2J"}, 422, "reason"},
		{"erase reason wrong type", coord, "POST", erase, map[string]any{"reason": 3}, 422, "reason"},
		{"erase unknown field", coord, "POST", erase, map[string]any{"reason": "x", "force": true}, 422, "force"},
		{"erase malformed", coord, "POST", erase, `{"reason":`, 400, ""},
		{"erase 1 MB", coord, "POST", erase, megabyte, 413, ""},
		{"erase non-UUID", coord, "POST", "/api/v1/residents/abc/erase", map[string]any{"reason": "x"}, 404, ""},
		{"erase other organisation", coord, "POST", "/api/v1/residents/" + theirs + "/erase", map[string]any{"reason": "x"}, 404, ""},
		{"export non-UUID", officer, "GET", "/api/v1/residents/abc/export", nil, 404, ""},
		{"own ground without ground", coord, "POST", ground, map[string]any{}, 422, "ground"},
		{"own ground long", coord, "POST", ground, map[string]any{"ground": long}, 422, "ground"},
		{"own ground not received", coord, "POST", ground, map[string]any{"ground": "Eigen traject."}, 409, ""},
		{"own ground other organisation", coord, "POST", "/api/v1/residents/" + theirs + "/own-ground", map[string]any{"ground": "x"}, 404, ""},
		{"renew without how", dock, "POST", renew, map[string]any{}, 422, "how"},
		{"renew unknown how", dock, "POST", renew, map[string]any{"how": "shouted"}, 422, "how"},
		{"renew at not a time", dock, "POST", renew, map[string]any{"how": "verbal", "at": "gisteren"}, 422, "at"},
		{"renew at in the future", dock, "POST", renew, map[string]any{"how": "verbal", "at": future}, 422, "at"},
		{"renew at too old", dock, "POST", renew, map[string]any{"how": "verbal", "at": tooOld}, 422, "at"},
		{"renew unknown field", dock, "POST", renew, map[string]any{"how": "verbal", "scope": []string{}}, 422, "scope"},
		{"renew as receiver", coord, "POST", renew, map[string]any{"how": "verbal"}, 403, ""},
		{"audit bad from", officer, "GET", "/api/v1/audit?from=gisteren", nil, 422, "from"},
		{"audit to before from", officer, "GET", "/api/v1/audit?from=2025-03-02&to=2025-03-01", nil, 422, "to"},
		{"audit bad cursor", officer, "GET", "/api/v1/audit?cursor=abc", nil, 422, "cursor"},
		{"audit limit 0", officer, "GET", "/api/v1/audit?limit=0", nil, 422, "limit"},
		{"audit format", officer, "GET", "/api/v1/audit?format=xml", nil, 422, "format"},
		{"audit long user", officer, "GET", "/api/v1/audit?user=" + strings.Repeat("u", 65), nil, 422, "user"},
	}
	for _, c := range table {
		before := env.fingerprint(true)
		nl := c.who.do(c.method, c.path, c.body)
		en := c.who.withLang("en").do(c.method, c.path, c.body)
		if after := env.fingerprint(true); after != before {
			t.Errorf("%s: data or audit changed", c.name)
		}
		for _, res := range []response{nl, en} {
			if res.status != c.status || res.errorCode() == "" {
				t.Errorf("%s: got %s, want %d", c.name, res, c.status)
			}
		}
		if c.field != "" && (nl.field(c.field) == "" || nl.field(c.field) == en.field(c.field)) {
			t.Errorf("%s: field %s not named in both languages: %q / %q", c.name, c.field, nl.field(c.field), en.field(c.field))
		}
	}
	// The erase form wants its box ticked.
	res := coord.postForm("/residents/"+mine+"/erase", url.Values{"csrf_token": {coord.csrf}, "reason": {"Verzoek."}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "Vink aan") {
		t.Errorf("erase form without confirmation: %d", res.status)
	}
	if read := coord.do("GET", "/api/v1/residents/"+mine, nil); read.status != http.StatusOK {
		t.Errorf("erased without confirmation: %s", read)
	}
}

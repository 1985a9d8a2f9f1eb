package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
)

// reachRoutes are the reach API routes; TestReachAuthorisation covers them
// (they need a bearer token as well as sessions).
var reachRoutes = []string{
	"GET /api/v1/reach", "GET /api/v1/reach/published", "POST /api/v1/reach/publish",
	"POST /api/v1/reach/tokens", "GET /api/v1/reach/tokens", "DELETE /api/v1/reach/tokens/{id}",
	"POST /api/v1/reach/drafts", "POST /api/v1/reach/drafts/{version}/discard",
}

func init() {
	for _, r := range reachRoutes {
		coveredElsewhere[r] = "TestReachAuthorisation"
	}
}

// bearer sends a request with only a monitor token (no cookies).
func (e *testEnv) bearer(token, method, path string, body any) response {
	e.t.Helper()
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, reader)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// newReachToken makes a monitor token as the admin and returns its secret.
func (e *testEnv) newReachToken(admin *client) (id int64, secret string) {
	e.t.Helper()
	res := admin.do("POST", "/api/v1/reach/tokens", map[string]any{"name": "Monitor Utrecht"})
	if res.status != http.StatusCreated {
		e.t.Fatalf("create token: %s", res)
	}
	var body struct {
		Token  cases.ReachToken `json:"token"`
		Secret string           `json:"secret"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		e.t.Fatal(err)
	}
	return body.Token.ID, body.Secret
}

// smallGen is a dataset with many small cells: a few hundred contacts over
// 2024 in twelve neighbourhoods.
func smallGen() storage.GenSpec {
	return storage.GenSpec{Persons: 150, Contacts: 450, Neighbourhoods: 8, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, cases.Amsterdam),
		Years: 1, Seed: 11, AnonymousShare: 0.05, VoidShare: 0.02}
}

// addHandovers writes made-up handovers straight into the table (T5 reads
// only their organisations and timestamps).
func (e *testEnv) addHandovers(n int, seed uint64) {
	e.t.Helper()
	rng := rand.New(rand.NewPCG(seed, 5))
	type res struct {
		id     string
		org    int64
		userID int64
	}
	rows, err := e.app.DB.Read.Query(`SELECT r.id, r.organisation_id, r.created_by FROM residents r LIMIT 200`)
	if err != nil {
		e.t.Fatal(err)
	}
	var residents []res
	for rows.Next() {
		var r res
		rows.Scan(&r.id, &r.org, &r.userID)
		residents = append(residents, r)
	}
	rows.Close()
	to := []int64{e.orgID("buurtteam"), e.orgID("dock"), e.orgID("schuldhulp")}
	start := time.Date(2024, 1, 2, 9, 0, 0, 0, cases.Amsterdam)
	for i := range n {
		r := residents[rng.IntN(len(residents))]
		dest := to[rng.IntN(len(to))]
		if dest == r.org {
			dest = e.orgID("voedselbank")
		}
		sent := start.Add(time.Duration(rng.Int64N(int64(360 * 24 * time.Hour))))
		at := func(days int) any {
			if days < 0 {
				return nil
			}
			return cases.FormatTime(sent.Add(time.Duration(days) * 24 * time.Hour))
		}
		accepted, contacted, completed, declined := -1, -1, -1, -1
		state := "requested"
		switch rng.IntN(5) {
		case 0:
			declined, state = rng.IntN(4), "declined"
		case 1:
			accepted, state = rng.IntN(6), "accepted"
		default:
			accepted = rng.IntN(6)
			contacted, state = accepted+rng.IntN(8), "contacted"
			if rng.IntN(2) == 0 {
				completed, state = contacted+rng.IntN(20), "completed"
			}
		}
		_, err := e.app.DB.Write.Exec(`INSERT INTO handovers (id, state, from_org_id, from_user_id, from_resident_id,
			to_org_id, question, urgency, requested_at, updated_at, accept_by, contact_by, accepted_at, contacted_at,
			contact_at, completed_at, declined_at) VALUES (?, ?, ?, ?, ?, ?, 'Vraag', 'normal', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("00000000-0000-4000-9000-%012d", int(seed)*1000+i), state, r.org, r.userID, r.id, dest,
			at(0), at(0), at(7), at(14), at(accepted), at(contacted), at(contacted), at(completed), at(declined))
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestReachGroundTruth generates persons known to one, two or three
// programmes and checks the exact internal counts of every period of two
// years against what the generator wrote: persons reached and helped per
// programme, all programmes as the union (less than the sum), moments.
func TestReachGroundTruth(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	spec := storage.GenSpec{Persons: 2500, Contacts: 9000, Neighbourhoods: 12, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, cases.Amsterdam),
		Years: 2, Seed: 3, AnonymousShare: 0.05, VoidShare: 0.02}
	truth, err := storage.Generate(ctx, env.app.DB, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, year := range []int{2024, 2025} {
		figures := env.reachCounts(cases.Period{Year: year, Kind: cases.Year})
		for p, counts := range figures {
			m := struct{ Counts cases.ReachCounts }{counts}
			ps := p.String()
			for _, want := range []struct {
				measure string
				counts  map[string]int
			}{{cases.MeasureReached, truth.Reached[ps]}, {cases.MeasureHelped, truth.Helped[ps]}, {cases.MeasureMoments, truth.Moments[ps]}} {
				for slug, n := range want.counts {
					if got := m.Counts[cases.CellKey{Measure: want.measure, Row: slug}]; got != n {
						t.Errorf("%s %s %s = %d, ground truth %d", ps, want.measure, slug, got, n)
					}
					checked++
				}
			}
			all := m.Counts[cases.CellKey{Measure: cases.MeasureReached, Row: cases.AllProgrammes}]
			if all == 0 || all >= truth.Sum[ps] {
				t.Errorf("%s: all programmes %d should be the union, below the sum %d", ps, all, truth.Sum[ps])
			}
			// The neighbourhood and age breakdowns partition the persons.
			for _, measure := range []string{cases.MeasureHood, cases.MeasureAge, cases.MeasureGender} {
				sum := 0
				for k, n := range m.Counts {
					if k.Measure == measure && k.Row == cases.AllProgrammes {
						sum += n
					}
				}
				if sum != all {
					t.Errorf("%s: %s breakdown sums to %d, reached %d", ps, measure, sum, all)
				}
			}
		}
	}
	if checked < 7*2*3*6 {
		t.Errorf("only %d counts checked", checked)
	}
	// The API's (rounded) year total, of a draft made by the read, is within
	// rounding of the truth.
	prog := env.login("programme")
	res := prog.do("GET", "/api/v1/reach?period=2024&table=T1", nil)
	if res.status != http.StatusOK {
		t.Fatalf("T1: %s", res)
	}
	var tab cases.ReachTable
	json.Unmarshal(res.body, &tab)
	last := tab.Rows[len(tab.Rows)-1]
	col := slices.IndexFunc(tab.Columns, func(l cases.Label) bool { return l.Key == "2024:reached" })
	if last.Key != cases.AllProgrammes || col < 0 || last.Cells[col].Value == nil ||
		abs(int(*last.Cells[col].Value)-truth.Reached["2024"][cases.AllProgrammes]) > 2 {
		t.Errorf("published 2024 total %v, truth %d", last.Cells[col], truth.Reached["2024"][cases.AllProgrammes])
	}
}

// reachCounts are the exact internal counts of every period of p's year.
func (e *testEnv) reachCounts(p cases.Period) map[cases.Period]cases.ReachCounts {
	e.t.Helper()
	ctx := context.Background()
	if err := e.app.Reach.Refresh(ctx); err != nil {
		e.t.Fatal(err)
	}
	counts, err := e.app.DB.View(ctx).Reach().ReachCounts(ctx, p.Family())
	if err != nil {
		e.t.Fatal(err)
	}
	return counts
}

// auditYear audits every release of a year together, as one reader who saw
// them all: no finding, and every suppressed cell shown safe (none
// unverified).
func (e *testEnv) auditYear(year int) cases.AuditSummary {
	e.t.Helper()
	ctx := context.Background()
	records, err := e.app.DB.View(ctx).Reach().ReleaseRecords(ctx, year)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(records) == 0 {
		e.t.Fatalf("no releases of %d", year)
	}
	sum, err := cases.AuditReleases(e.app.Reach.Rules, cases.ReachLayout{}, records)
	if err != nil {
		e.t.Errorf("audit of the releases of %d: %v", year, err)
	}
	e.t.Logf("audit of the releases of %d: %d suppressed cells, %d programs", year, len(sum.Ranges), sum.Programs)
	return sum
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// parseCSVTable reads the table part of a CSV export: the records from the
// header (first cell headFirst) on.
func parseCSVTable(t *testing.T, data []byte, comma rune, headFirst string) (meta [][]string, header []string, rows [][]string) {
	t.Helper()
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	for i, rec := range records {
		if rec[0] == headFirst {
			return records[:i], rec, records[i+1:]
		}
	}
	t.Fatalf("CSV has no header row %q", headFirst)
	return nil, nil, nil
}

func parseXLSXTable(t *testing.T, data []byte, headFirst string) (meta [][]string, header []string, rows [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	all, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range all {
		if len(rec) > 0 && rec[0] == headFirst {
			return all[:i], rec, all[i+1:]
		}
	}
	t.Fatalf("XLSX has no header row %q", headFirst)
	return nil, nil, nil
}

// smallCount reports whether a published text is a count from 1 to
// threshold-1 (in either decimal style).
func smallCount(text string, threshold int) bool {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(text), ",", "."), 64)
	return err == nil && v >= 1 && v < float64(threshold)
}

// TestReachNoSmallCells requests every table of every period of a year with
// many small counts and handovers, in every format and for every kind of
// reader (programme staff read drafts, made by their first read;
// coordinators their live figures; monitor tokens published versions),
// before and after publishing some periods, and finds no count from 1 to 9
// in any of them. The medians of T5 are working days, not counts, and are
// skipped. All releases of the year together pass the audit.
func TestReachNoSmallCells(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	if _, err := storage.Generate(ctx, env.app.DB, smallGen(), nil); err != nil {
		t.Fatal(err)
	}
	env.addHandovers(90, 1)
	prog := env.login("programme")
	coord := env.login("hoop.coord")
	admin := env.login("admin")
	_, token := env.newReachToken(admin)
	const threshold = 10
	year := cases.Period{Year: 2024, Kind: cases.Year}
	requests := 0
	published := map[cases.Period]string{} // "all" tables, or "T1" only
	check := func(stage string) {
		periods := year.Family()
		if testing.Short() {
			periods = []cases.Period{year, {Year: 2024, Kind: cases.Half, N: 2}, {Year: 2024, Kind: cases.Quarter, N: 3}}
		}
		for _, p := range periods {
			for _, table := range cases.ReachTables {
				for _, reader := range []string{"programme", "coordinator", "token"} {
					if reader == "token" && published[p] != "all" && (published[p] != table) {
						path := "/api/v1/reach?period=" + p.String() + "&table=" + table
						if res := env.bearer(token, "GET", path, nil); res.status != http.StatusNotFound {
							t.Errorf("token on unpublished %s: %s", path, res)
						}
						continue
					}
					get := func(query string) response {
						path := "/api/v1/reach?period=" + p.String() + "&table=" + table + query
						var res response
						switch reader {
						case "programme":
							res = prog.do("GET", path, nil)
						case "coordinator":
							res = coord.do("GET", path, nil)
						default:
							res = env.bearer(token, "GET", path, nil)
						}
						requests++
						if res.status != http.StatusOK {
							t.Fatalf("%s %s: %s", reader, path, res)
						}
						return res
					}
					var tab cases.ReachTable
					if err := json.Unmarshal(get("").body, &tab); err != nil {
						t.Fatal(err)
					}
					skip := map[int]bool{}
					for i, c := range tab.Columns {
						if c.Key == cases.HandoverDaysToAccept || c.Key == cases.HandoverDaysToContact {
							skip[i+1] = true
						}
					}
					where := fmt.Sprintf("%s %s %s %s", stage, reader, p, table)
					for _, r := range tab.Rows {
						for i, c := range r.Cells {
							if !skip[i+1] && c.Value != nil && *c.Value >= 1 && *c.Value < threshold {
								t.Errorf("%s JSON: %s / %s = %v", where, r.Key, tab.Columns[i].Key, *c.Value)
							}
							if !skip[i+1] && smallCount(c.Text, threshold) {
								t.Errorf("%s JSON text: %s", where, c.Text)
							}
						}
						if reader == "coordinator" && (r.Key == cases.AllProgrammes || (r.Organisation != "al-amal" && r.To != "al-amal")) {
							t.Errorf("%s: coordinator of al-amal sees row %s (%s)", where, r.Key, r.Organisation)
						}
					}
					headFirst := "Programma"
					if table == cases.TableHandoverFlow {
						headFirst = "Van → naar"
					}
					// Exports: every format for every reader of the year, the
					// second half-year and a quarter (the other periods are
					// the same code on other counts).
					exports := []string{"&format=csv", "&format=csv&dialect=nl", "&format=xlsx"}
					if p.Kind == cases.Quarter && p.N != 3 || p.Kind == cases.Half && p.N == 1 {
						exports = nil
					}
					for _, query := range exports {
						export := struct{ query string }{query}
						data := get(export.query).body
						var meta [][]string
						var header []string
						var rows [][]string
						switch export.query {
						case "&format=csv":
							meta, header, rows = parseCSVTable(t, data, ',', headFirst)
						case "&format=csv&dialect=nl":
							meta, header, rows = parseCSVTable(t, data, ';', headFirst)
						default:
							meta, header, rows = parseXLSXTable(t, data, headFirst)
						}
						if len(header) != len(tab.Columns)+1 || len(rows) != len(tab.Rows) {
							t.Errorf("%s%s: %d columns, %d rows; JSON has %d, %d", where, export.query, len(header), len(rows), len(tab.Columns)+1, len(tab.Rows))
						}
						for _, rec := range rows {
							for i, text := range rec[1:] {
								if !skip[i+1] && smallCount(text, threshold) {
									t.Errorf("%s%s: %s / %s = %q", where, export.query, rec[0], header[i+1], text)
								}
							}
						}
						metaText := fmt.Sprint(meta)
						for _, want := range []string{p.String(), "Drempelwaarde", "Afronden", "<10", "Legenda"} {
							if !strings.Contains(metaText, want) {
								t.Errorf("%s%s: metadata lacks %q: %s", where, export.query, want, metaText)
							}
						}
					}
				}
			}
		}
	}
	check("drafts")
	// Handover counts (T5) are read from the handovers themselves.
	flows, err := env.app.DB.View(ctx).Reach().HandoverFlows(ctx, year.Start(), year.End())
	if err != nil || len(flows) != 90 {
		t.Errorf("handovers made in 2024: %d (%v), want 90", len(flows), err)
	}
	var t5 cases.ReachTable
	json.Unmarshal(prog.do("GET", "/api/v1/reach?period=2024&table=T5", nil).body, &t5)
	if len(t5.Rows) < 4 {
		t.Errorf("T5 has %d rows", len(t5.Rows))
	}
	for _, p := range []cases.Period{{Year: 2024, Kind: cases.Half, N: 1}, {Year: 2024, Kind: cases.Quarter, N: 2}, {Year: 2024, Kind: cases.Quarter, N: 4}} {
		if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": p.String()}); res.status != http.StatusCreated {
			t.Fatalf("publish %s: %s", p, res)
		}
		published[p] = "all"
	}
	// The half-year froze the columns of its quarters: Q1's T1 is published
	// too, and Q2 keeps its own tables or newer columns.
	published[cases.Period{Year: 2024, Kind: cases.Quarter, N: 1}] = cases.TableProgrammePeriod
	check("published")
	env.auditYear(2024)
	t.Logf("%d requests checked", requests)
}

// TestReachPublishingFreezes: the first read of a period by programme staff
// makes a draft; publishing it freezes it, so it is served unchanged after
// contacts are corrected and voided, while a coordinator's live figures
// move. Publishing again makes version 2 with the new figures (enough
// persons changed), and version 1 stays readable.
func TestReachPublishingFreezes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	coord := env.login("hoop.coord")
	prog := env.login("programme")
	var contacts []string
	for i := range 40 {
		res := worker.newResident(map[string]any{"given_name": "Bewoner", "family_name": fmt.Sprintf("Proef %d", i),
			"birth_date": "1980-02-02", "neighbourhood": "zambesibuurt"})
		body := contactBody("hoop", res)
		body["occurred_at"] = time.Date(2025, 2, 1+i%20, 10, 0, 0, 0, cases.Amsterdam).Format(time.RFC3339)
		r := worker.do("POST", "/api/v1/contacts", body)
		if r.status != http.StatusCreated {
			t.Fatalf("contact: %s", r)
		}
		contacts = append(contacts, r.json()["id"].(string))
	}
	get := func(c *client, query string) (cases.ReachTable, []byte) {
		t.Helper()
		res := c.do("GET", "/api/v1/reach?period=2025-Q1&table=T2"+query, nil)
		if res.status != http.StatusOK {
			t.Fatalf("GET: %s", res)
		}
		var tab cases.ReachTable
		json.Unmarshal(res.body, &tab)
		return tab, res.body
	}
	hoopTotal := func(tab cases.ReachTable) string {
		for _, r := range tab.Rows {
			if r.Key == "hoop" {
				return r.Cells[len(r.Cells)-1].Text
			}
		}
		return ""
	}
	draft, _ := get(prog, "")
	if draft.Status != cases.ReleaseDraft || draft.Version != 1 || hoopTotal(draft) != "40" {
		t.Fatalf("before publishing: %s v%d %s", draft.Status, draft.Version, hoopTotal(draft))
	}
	if live, _ := get(coord, ""); live.Status != cases.ReachProvisional || hoopTotal(live) != "40" {
		t.Fatalf("coordinator before publishing: %s %s", live.Status, hoopTotal(live))
	}
	res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": "2025-Q1"})
	if res.status != http.StatusCreated || res.json()["version"].(float64) != 1 {
		t.Fatalf("publish: %s", res)
	}
	v1, v1body := get(prog, "")
	if v1.Status != cases.ReachPublished || v1.Version != 1 || v1.PublishedAt == nil || hoopTotal(v1) != "40" {
		t.Fatalf("published: %+v", v1)
	}
	// Corrections and voids after publishing: 12 contacts leave the quarter.
	for _, id := range contacts[:6] {
		if r := coord.do("POST", "/api/v1/contacts/"+id+"/void", map[string]any{"reason": "Dubbel ingevoerd."}); r.status != http.StatusOK {
			t.Fatalf("void: %s", r)
		}
	}
	for _, id := range contacts[6:12] {
		r := worker.do("PATCH", "/api/v1/contacts/"+id, map[string]any{"occurred_at": "2024-12-30T10:00:00+01:00"})
		if r.status != http.StatusOK {
			t.Fatalf("correct: %s", r)
		}
	}
	env.clock.Advance(20 * time.Minute) // within the sessions' idle time
	_, againBody := get(prog, "")
	if !bytes.Equal(againBody, v1body) {
		t.Errorf("published table changed after corrections:\n%s\n%s", v1body, againBody)
	}
	if now, _ := get(coord, "&version=live"); now.Status != cases.ReachProvisional || hoopTotal(now) != "30" {
		t.Errorf("live figures after corrections: %s %s, want 30", now.Status, hoopTotal(now))
	}
	// The frozen table also survives a restart.
	env.restart()
	prog = env.login("programme")
	if _, b := get(prog, ""); !bytes.Equal(b, v1body) {
		t.Error("published table changed after a restart")
	}
	if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": "2025-Q1"}); res.status != http.StatusCreated || res.json()["version"].(float64) != 2 {
		t.Fatalf("republish: %s", res)
	}
	v2, _ := get(prog, "")
	if v2.Version != 2 || hoopTotal(v2) != "30" {
		t.Errorf("version 2: %d %s", v2.Version, hoopTotal(v2))
	}
	if old, b := get(prog, "&version=1"); old.Version != 1 || !bytes.Equal(b, v1body) {
		t.Error("version 1 is not kept as published")
	}
	if r := prog.do("GET", "/api/v1/reach?period=2025-Q1&version=3", nil); r.status != http.StatusNotFound {
		t.Errorf("version 3: %s", r)
	}
	list := prog.do("GET", "/api/v1/reach/published", nil)
	var pubs struct {
		Published []cases.ReachPublication `json:"published"`
	}
	json.Unmarshal(list.body, &pubs)
	if len(pubs.Published) != 2 || pubs.Published[0].Version != 2 || pubs.Published[1].Version != 1 || pubs.Published[0].Period != "2025-Q1" {
		t.Errorf("published list: %s", list.body)
	}
	// Releases cannot be changed or removed in the database either.
	if _, err := env.app.DB.Write.Exec(`UPDATE reach_releases SET tables = '{}'`); err == nil {
		t.Error("a release was updated")
	}
	if _, err := env.app.DB.Write.Exec(`UPDATE reach_releases SET status = 'discarded', discarded_at = published_at`); err == nil {
		t.Error("a published release was discarded")
	}
	if _, err := env.app.DB.Write.Exec(`DELETE FROM reach_releases`); err == nil {
		t.Error("a release was deleted")
	}
	env.auditYear(2025)
}

// TestReachAuthorisation: every reach route × role; coordinators see their
// own organisation's rows only; a monitor token reads reach figures and
// nothing else, and not after it is revoked.
func TestReachAuthorisation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	worker.newContact("hoop", worker.newResident(nil))
	dock := env.login("dock.worker")
	dock.newContact("weggeefbus", dock.newResident(nil))
	admin := env.login("admin")
	tokenID, token := env.newReachToken(admin)
	users := map[string]*client{"": env.anonymous(), "worker": worker, "coordinator": env.login("hoop.coord"),
		"programme": env.login("programme"), "admin": admin}
	period := map[string]any{"period": "2025-Q1"}
	// 2025-Q1 is published (monitor tokens read published versions only);
	// 2025-Q4 gets a draft, which is then discarded (the quarters of 2025-H1
	// get releases of their own when H1 is published: its T1 columns).
	if res := users["programme"].do("POST", "/api/v1/reach/publish", period); res.status != http.StatusCreated {
		t.Fatalf("publish: %s", res)
	}
	type want map[string]int // role → status; "token" for a bearer token
	cases_ := []struct {
		route, method, path string
		body                any
		want                want
	}{
		{"GET /api/v1/reach", "GET", "/api/v1/reach?period=2025-Q1&table=T2", nil,
			want{"": 401, "worker": 403, "coordinator": 200, "programme": 200, "admin": 403, "token": 200}},
		{"GET /api/v1/reach", "GET", "/api/v1/reach?period=2025-Q1&table=T5&format=xlsx", nil,
			want{"": 401, "worker": 403, "coordinator": 200, "programme": 200, "admin": 403, "token": 200}},
		// Live figures: coordinators only, about their own organisation.
		{"GET /api/v1/reach", "GET", "/api/v1/reach?period=2025-Q1&table=T2&version=live", nil,
			want{"": 401, "worker": 403, "coordinator": 200, "programme": 403, "admin": 403, "token": 403}},
		// Drafts: programme staff only; a token reads published versions.
		{"GET /api/v1/reach", "GET", "/api/v1/reach?period=2025-Q3&table=T1", nil,
			want{"": 401, "worker": 403, "coordinator": 200, "programme": 200, "admin": 403, "token": 404}},
		{"GET /api/v1/reach/published", "GET", "/api/v1/reach/published", nil,
			want{"": 401, "worker": 403, "coordinator": 200, "programme": 200, "admin": 403, "token": 200}},
		{"POST /api/v1/reach/publish", "POST", "/api/v1/reach/publish", map[string]any{"period": "2025-H1"},
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 201, "admin": 403, "token": 403}},
		{"POST /api/v1/reach/drafts", "POST", "/api/v1/reach/drafts", map[string]any{"period": "2025-Q4"},
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 201, "admin": 403, "token": 403}},
		{"POST /api/v1/reach/drafts/{version}/discard", "POST", "/api/v1/reach/drafts/1/discard", map[string]any{"period": "2025-Q4"},
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 200, "admin": 403, "token": 403}},
		{"GET /api/v1/reach/tokens", "GET", "/api/v1/reach/tokens", nil,
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 403, "admin": 200, "token": 401}},
		{"POST /api/v1/reach/tokens", "POST", "/api/v1/reach/tokens", map[string]any{"name": "Nog een"},
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 403, "admin": 201, "token": 401}},
		{"DELETE /api/v1/reach/tokens/{id}", "DELETE", "/api/v1/reach/tokens/999", nil,
			want{"": 401, "worker": 403, "coordinator": 403, "programme": 403, "admin": 404, "token": 401}},
	}
	covered := map[string]bool{}
	for _, c := range cases_ {
		covered[c.route] = true
		for _, role := range []string{"", "worker", "coordinator", "admin", "token", "programme"} {
			status := c.want[role]
			var res response
			if role == "token" {
				res = env.bearer(token, c.method, c.path, c.body)
			} else {
				res = users[role].do(c.method, c.path, c.body)
			}
			if res.status != status {
				t.Errorf("%s %s as %q: %d, want %d (%s)", c.method, c.path, role, res.status, status, res.body)
			}
			if res.status >= 400 && res.errorCode() == "" {
				t.Errorf("%s %s as %q: no JSON error: %s", c.method, c.path, role, res.body)
			}
			if role == "coordinator" && res.status == 200 && strings.HasPrefix(c.path, "/api/v1/reach?") && strings.Contains(c.path, "T2") {
				var tab cases.ReachTable
				json.Unmarshal(res.body, &tab)
				if len(tab.Rows) == 0 {
					t.Error("coordinator sees no rows")
				}
				for _, r := range tab.Rows {
					if r.Organisation != "al-amal" {
						t.Errorf("coordinator of al-amal sees %s of %s", r.Key, r.Organisation)
					}
				}
			}
		}
	}
	for _, r := range reachRoutes {
		if !covered[r] {
			t.Errorf("route %s not in the reach matrix", r)
		}
	}
	if res := users["programme"].withLang("en").do("GET", "/api/v1/reach?period=2025-Q1&version=live", nil); !strings.Contains(res.errorMessage(), "coordinators") {
		t.Errorf("live for programme staff: %s", res)
	}
	// Without the CSRF header a session cannot publish.
	if res := users["programme"].withCSRF("").do("POST", "/api/v1/reach/publish", period); res.status != http.StatusForbidden {
		t.Errorf("publish without CSRF: %d", res.status)
	}
	// The token is refused on every other route of the API, and on pages.
	for _, route := range apiRoutes(t, env) {
		method, path, _ := strings.Cut(route, " ")
		if slices.Contains(reachRoutes[:2], route) || path == "/healthz" || path == "/api/v1/openapi.json" {
			continue
		}
		path = strings.ReplaceAll(path, "{id}", uuid.NewString())
		var body any
		if method != "GET" && method != "DELETE" {
			body = map[string]any{}
		}
		res := env.bearer(token, method, path, body)
		if path == "/api/v1/login" { // public: the token is no password
			if res.status == http.StatusOK {
				t.Error("token logged in")
			}
			continue
		}
		if res.status != http.StatusUnauthorized && res.status != http.StatusForbidden {
			t.Errorf("token on %s: %d", route, res.status)
		}
	}
	for _, page := range []string{"/reach", "/contacts", "/residents", "/admin/users"} {
		if res := env.bearer(token, "GET", page, nil); res.status != http.StatusSeeOther {
			t.Errorf("token on page %s: %d, want a redirect to the login", page, res.status)
		}
	}
	// Malformed and revoked tokens.
	for _, bad := range []string{"bbr_nope", "nope", strings.Repeat("x", 500)} {
		if res := env.bearer(bad, "GET", "/api/v1/reach/published", nil); res.status != http.StatusUnauthorized {
			t.Errorf("bad token %q: %d", bad[:4], res.status)
		}
	}
	if res := admin.do("DELETE", fmt.Sprintf("/api/v1/reach/tokens/%d", tokenID), nil); res.status != http.StatusNoContent {
		t.Fatalf("revoke: %s", res)
	}
	if res := env.bearer(token, "GET", "/api/v1/reach/published", nil); res.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", res.status)
	}
	list := admin.do("GET", "/api/v1/reach/tokens", nil)
	if bytes.Contains(list.body, []byte(token)) || bytes.Contains(list.body, []byte("hash")) {
		t.Error("token list shows a secret")
	}
	var stored string
	env.app.DB.Read.QueryRow(`SELECT token_hash FROM reach_tokens WHERE id = ?`, tokenID).Scan(&stored)
	if stored == "" || strings.Contains(stored, token) || strings.Contains(token, stored) {
		t.Error("the token is not stored as a hash")
	}
	// Pages: programme staff and coordinators, not workers or admins.
	for user, status := range map[string]int{"programme": 200, "hoop.coord": 200, "hoop.worker": 403, "admin": 403} {
		if res := env.pageLogin(user).do("GET", "/reach?period=2025-Q1&table=T2", nil); res.status != status {
			t.Errorf("page /reach as %s: %d, want %d", user, res.status, status)
		}
	}
}

// errorMessage returns error.message of a JSON error answer.
func (r response) errorMessage() string {
	var body struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &body)
	return body.Error.Message
}

// TestReachBadInput: every malformed query or body answers 4xx naming the
// field (404 for a version that is not there), in Dutch and English, and
// nothing is written.
func TestReachBadInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	prog := env.login("programme")
	for query, field := range map[string]string{
		"":                                     "period",
		"period=2024-Q5":                       "period",
		"period=24":                            "period",
		"period=2024-H1&table=T9":              "table",
		"period=2024&format=pdf":               "format",
		"period=2024&format=csv&dialect=excel": "dialect",
		"period=2024&version=0":                "version",
		"period=2024&version=x":                "version",
		"period=2024&programme=hoop":           "programme",
	} {
		res := prog.do("GET", "/api/v1/reach?"+query, nil)
		if res.status != http.StatusUnprocessableEntity || res.field(field) == "" {
			t.Errorf("?%s: %d %s, want 422 naming %s", query, res.status, res.body, field)
		}
	}
	if res := prog.do("GET", "/api/v1/reach?period=2024&version=4", nil); res.status != http.StatusNotFound {
		t.Errorf("unknown version: %d", res.status)
	}
	before := env.fingerprint(false)
	bodies := []any{map[string]any{}, map[string]any{"period": "2024-Q9"}, map[string]any{"period": 2024},
		map[string]any{"period": "2024", "table": "T1"}, "{", map[string]any{"period": ""}}
	for _, path := range []string{"/api/v1/reach/publish", "/api/v1/reach/drafts", "/api/v1/reach/drafts/1/discard"} {
		for _, body := range bodies {
			res := prog.do("POST", path, body)
			if res.status != http.StatusUnprocessableEntity && res.status != http.StatusBadRequest {
				t.Errorf("%s %v: %s", path, body, res)
			}
		}
	}
	for _, path := range []string{"/api/v1/reach/drafts/0/discard", "/api/v1/reach/drafts/x/discard", "/api/v1/reach/drafts/3/discard"} {
		if res := prog.do("POST", path, map[string]any{"period": "2024-Q1"}); res.status != http.StatusNotFound {
			t.Errorf("%s: %s", path, res)
		}
	}
	if env.fingerprint(false) != before {
		t.Error("bad input wrote something")
	}
	if n := env.count(`SELECT COUNT(*) FROM reach_releases`); n != 0 {
		t.Errorf("%d releases written", n)
	}
	if res := prog.withLang("en").do("GET", "/api/v1/reach?period=2024-Q5", nil); !strings.Contains(res.field("period"), "quarter") {
		t.Errorf("English message: %s", res.body)
	}
	if res := prog.withLang("en").do("POST", "/api/v1/reach/drafts", map[string]any{}); !strings.Contains(res.field("period"), "quarter") {
		t.Errorf("English message for a draft: %s", res.body)
	}
}

// TestReachPage: programme staff prepare a draft of a period from the page,
// see the table, a chart per programme and the downloads, publish it (only
// with the confirmation) or discard another; coordinators see live figures
// of their own programmes; the method page explains the symbols. No page
// has inline style.
func TestReachPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	if _, err := storage.Generate(context.Background(), env.app.DB, smallGen(), nil); err != nil {
		t.Fatal(err)
	}
	c, csrf := formLogin(t, env, "programme")
	res := c.do("GET", "/reach?period=2024-H2&table=T2", nil)
	if res.status != http.StatusOK || !strings.Contains(string(res.body), "Zet een concept van 2024-H2 klaar") ||
		strings.Contains(string(res.body), "<svg") {
		t.Fatalf("page before a draft: %s", res)
	}
	if n := env.count(`SELECT COUNT(*) FROM reach_releases`); n != 0 {
		t.Errorf("showing the page made %d releases", n)
	}
	res = c.postForm("/reach/drafts", url.Values{"csrf_token": {csrf}, "period": {"2024-H2"}, "table": {"T2"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("draft form: %s", res)
	}
	res = c.do("GET", res.header.Get("Location"), nil)
	body := string(res.body)
	for _, want := range []string{"<svg", "<table class=\"reach\"", "format=xlsx", "dialect=nl", "Publiceer 2024-H2", "Zambesibuurt",
		"concept", "Verwerp concept (versie 1)", "Er is een concept van 2024-H2 klaargezet", `href="/reach/method"`, "≈"} {
		if !strings.Contains(body, want) {
			t.Errorf("draft page lacks %q", want)
		}
	}
	if strings.Contains(body, " style=") || strings.Contains(body, "<style") || strings.Contains(body, "<script>") {
		t.Error("inline style or script")
	}
	if got := strings.Count(body, "<svg"); got != 6 { // five programmes and all together
		t.Errorf("%d charts, want 6", got)
	}
	for _, svg := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1) {
		dec := xml.NewDecoder(strings.NewReader(svg))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("chart is not well-formed: %v\n%s", err, svg)
			}
		}
	}
	// Publishing cannot be undone: without the confirmation nothing is
	// published, and the page says so, on the same period and table.
	before := env.fingerprint(false)
	res = c.postForm("/reach/publish", url.Values{"csrf_token": {csrf}, "period": {"2024-H2"}, "table": {"T2"}, "version": {"1"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "Er is niets gepubliceerd") ||
		!strings.Contains(string(res.body), `<option value="2024-H2" selected>`) {
		t.Fatalf("publish form without confirmation: %s", res)
	}
	if env.fingerprint(false) != before {
		t.Error("publishing without confirmation wrote something")
	}
	res = c.postForm("/reach/publish", url.Values{"csrf_token": {csrf}, "period": {"2024-H2"}, "table": {"T2"}, "confirm": {"yes"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("publish form: %s", res)
	}
	res = c.do("GET", res.header.Get("Location"), nil)
	if !strings.Contains(string(res.body), "gepubliceerd") || !strings.Contains(string(res.body), "versie 1") ||
		strings.Contains(string(res.body), "Verwerp concept") {
		t.Error("published period not marked")
	}
	// A second draft right away: too few persons changed, and the page says why.
	res = c.postForm("/reach/drafts", url.Values{"csrf_token": {csrf}, "period": {"2024-H2"}, "table": {"T2"}})
	if res.status != http.StatusConflict || !strings.Contains(string(res.body), "minstens 10 personen") {
		t.Errorf("second draft: %s", res)
	}
	// Another period: drafted, then discarded.
	if res := c.postForm("/reach/drafts", url.Values{"csrf_token": {csrf}, "period": {"2024-Q1"}}); res.status != http.StatusSeeOther {
		t.Fatalf("draft of Q1: %s", res)
	}
	res = c.postForm("/reach/discard", url.Values{"csrf_token": {csrf}, "period": {"2024-Q1"}, "version": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("discard form: %s", res)
	}
	if res := c.do("GET", res.header.Get("Location"), nil); !strings.Contains(string(res.body), "verworpen") {
		t.Errorf("discarded draft not marked: %s", res.body)
	}
	if res := c.postForm("/reach/publish", url.Values{"period": {"2024-H2"}}); res.status != http.StatusForbidden {
		t.Errorf("publish form without CSRF: %d", res.status)
	}
	coord, _ := formLogin(t, env, "hoop.coord")
	res = coord.do("GET", "/reach?period=2024-H2&table=T2", nil)
	body = string(res.body)
	if res.status != http.StatusOK || strings.Contains(body, "Publiceer") || strings.Contains(body, "Weggeefbus") ||
		!strings.Contains(body, "voorlopig") || !strings.Contains(body, "HOOP") {
		t.Errorf("coordinator page: %d, publish button or other programmes shown, or no live figures", res.status)
	}
	for lang, want := range map[string]string{"nl": "Wat de tekens betekenen", "en": "What the symbols mean"} {
		res := coord.withLang(lang).do("GET", "/reach/method", nil)
		if res.status != http.StatusOK || !strings.Contains(string(res.body), want) || !strings.Contains(string(res.body), "minstens 10") && lang == "nl" {
			t.Errorf("method page (%s): %d", lang, res.status)
		}
	}
}

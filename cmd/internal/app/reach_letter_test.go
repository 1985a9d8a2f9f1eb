package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// The council letter's half-year, as the monitor asks for it: the demo
// data, plus the letter's figures logged through the API in 2026-Q3 (HOOP
// reached 400 people, the Weggeefbus 170, Buren Helpen Buren 250, the
// bewonersverbinders 121, each of the last also known to HOOP, so 820
// together), and a few contacts of Q4, which is running when Q3 is
// published early in October. T1 of Q3 publishes every programme's
// reached count and the union of persons, within rounding of the truth.
func TestReachLetterQuarter(t *testing.T) {
	if testing.Short() {
		t.Skip("logs about two thousand residents and contacts: skipped with -short")
	}
	t.Parallel()
	env := &testEnv{t: t, dbPath: storagetest.DSN(t, "letter"),
		clock: &testClock{now: time.Date(2026, 9, 21, 8, 0, 0, 0, time.UTC)}}
	env.open()
	ctx := context.Background()
	if seeded, err := demo.Seed(ctx, demoServices(env.app)); err != nil || !seeded {
		t.Fatalf("demo: %v %v", seeded, err)
	}
	// The year so far was published as each period ended.
	prog := env.login("programme")
	for _, p := range []string{"2026-Q1", "2026-Q2", "2026-H1"} {
		if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": p}); res.status != http.StatusCreated {
			t.Fatalf("publish %s: %s", p, res)
		}
	}
	programmeOf := func(c *client) string {
		return c.do("GET", "/api/v1/me", nil).json()["user"].(map[string]any)["programme"].(string)
	}
	var ref struct {
		Neighbourhoods []struct{ Slug string } `json:"neighbourhoods"`
	}
	workers, programmes := map[string]*client{}, map[*client]string{}
	for _, w := range []string{"hoop.worker", "dock.worker", "bhb.worker", "bv.worker"} {
		c := env.login(w)
		workers[w], programmes[c] = c, programmeOf(c)
	}
	if err := json.Unmarshal(workers["hoop.worker"].do("GET", "/api/v1/reference", nil).body, &ref); err != nil ||
		len(ref.Neighbourhoods) == 0 {
		t.Fatalf("reference: %v", err)
	}
	n := 0
	// logged registers the person (name and birth date link the records of
	// several organisations to one person) and logs one contact in Q3.
	logged := func(c *client, person int, day time.Time) {
		t.Helper()
		n++
		hood := ref.Neighbourhoods[person%len(ref.Neighbourhoods)].Slug
		resident := c.newResident(map[string]any{"given_name": "Brief", "family_name": fmt.Sprintf("Bewoner %04d", person),
			"birth_date": fmt.Sprintf("19%02d-%02d-%02d", 40+person%60, 1+person%12, 1+person%28),
			"gender":     []string{"vrouw", "man"}[person%2], "neighbourhood": hood})
		body := contactBody(programmes[c], resident)
		body["occurred_at"], body["neighbourhood"] = day.Format(time.RFC3339), hood
		if res := c.do("POST", "/api/v1/contacts", body); res.status != http.StatusCreated {
			t.Fatalf("contact %d: %s", n, res)
		}
	}
	q3 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	day := func(i int) time.Time { return q3.Add(time.Duration(i%80) * 24 * time.Hour) } // 1 July – 18 September
	letter := []struct {
		worker        string
		first, people int
	}{
		{"hoop.worker", 0, 400},
		{"dock.worker", 400, 170},
		{"bhb.worker", 570, 250},
		{"bv.worker", 0, 121}, // HOOP's first 121: the same persons
	}
	for _, l := range letter {
		for p := l.first; p < l.first+l.people; p++ {
			logged(workers[l.worker], p, day(p))
		}
	}
	// Early October: Q4 runs, with a few contacts; the monitor asks for Q3.
	env.clock.Set(time.Date(2026, 10, 6, 8, 0, 0, 0, time.UTC))
	hoop := env.login("hoop.worker")
	programmes[hoop] = programmeOf(hoop)
	for p := 2000; p < 2004; p++ {
		logged(hoop, p, time.Date(2026, 10, 2+p%3, 9, 0, 0, 0, time.UTC))
	}

	period := cases.Period{Year: 2026, Kind: cases.Quarter, N: 3}
	truth := env.reachCounts(period)[period]
	prog = env.login("programme")
	if res := prog.do("POST", "/api/v1/reach/publish", map[string]any{"period": "2026-Q3"}); res.status != http.StatusCreated {
		t.Fatalf("publish Q3: %s", res)
	}
	res := prog.do("GET", "/api/v1/reach?period=2026-Q3&table=T1", nil)
	if res.status != http.StatusOK {
		t.Fatalf("T1: %s", res)
	}
	var tab cases.ReachTable
	if err := json.Unmarshal(res.body, &tab); err != nil {
		t.Fatal(err)
	}
	col := slices.IndexFunc(tab.Columns, func(l cases.Label) bool { return l.Key == "2026-Q3:reached" })
	if col < 0 || tab.Status != cases.ReleasePublished {
		t.Fatalf("T1 of Q3: status %q, columns %v", tab.Status, tab.Columns)
	}
	letterFigures := map[string]int{"hoop": 400, "weggeefbus": 170, "buren-helpen-buren": 250, "bewonersverbinders": 121,
		cases.AllProgrammes: 820}
	for _, row := range tab.Rows {
		want, ok := letterFigures[row.Key]
		if !ok {
			continue
		}
		delete(letterFigures, row.Key)
		exact := truth[cases.CellKey{Measure: cases.MeasureReached, Row: row.Key}]
		cell := row.Cells[col]
		t.Logf("Q3 reached %-20s published %-5s truth %d (letter %d)", row.Key, cell.Text, exact, want)
		if exact < want {
			t.Errorf("%s: the truth %d is below the letter's %d: the data set is not the letter's", row.Key, exact, want)
		}
		if cell.Value == nil || cell.Status != cases.CellPublished || abs(int(*cell.Value)-exact) > 2 {
			t.Errorf("%s: published %+v, want %d within rounding", row.Key, cell, exact)
		}
	}
	if len(letterFigures) > 0 {
		t.Errorf("rows missing from T1: %v", letterFigures)
	}
	// Information loss over every table the year has published: of the
	// counts published or shown x (every count of 10 or more is one of the
	// two), the share shown x.
	hidden, shown := 0, 0
	for _, table := range cases.ReachTables {
		h, s := 0, 0
		for _, p := range []string{"2026-Q1", "2026-Q2", "2026-H1", "2026-Q3"} {
			res := prog.do("GET", "/api/v1/reach?period="+p+"&table="+table, nil)
			var tab cases.ReachTable
			if err := json.Unmarshal(res.body, &tab); res.status != http.StatusOK || err != nil || tab.Status != cases.ReleasePublished {
				t.Fatalf("%s %s: %s", p, table, res)
			}
			for _, row := range tab.Rows {
				for i, c := range row.Cells {
					if strings.HasPrefix(tab.Columns[i].Key, "days-to-") {
						continue // T5's medians are working days, not counts
					}
					switch c.Status {
					case cases.CellSecondary:
						h++
					case cases.CellPublished:
						if c.Value != nil && *c.Value >= 10 {
							s++
						}
					}
				}
			}
		}
		t.Logf("%s: %d of %d counts of 10 or more shown x", table, h, h+s)
		hidden, shown = hidden+h, shown+s
	}
	if loss := float64(hidden) / float64(hidden+shown); loss > 0.08 {
		t.Errorf("information loss %.1f%% (%d of %d), want at most 8%%", 100*loss, hidden, hidden+shown)
	} else {
		t.Logf("information loss of the year's tables: %.1f%% (%d of %d)", 100*loss, hidden, hidden+shown)
	}
	env.auditYear(2026)
	// The union, not the sum: the bewonersverbinders' people are HOOP's.
	if all, sum := truth[cases.CellKey{Measure: cases.MeasureReached, Row: cases.AllProgrammes}], 400+170+250+121; all >= sum {
		t.Errorf("all programmes %d, want the union (< the sum %d)", all, sum)
	}
}

package app

import (
	"net/http"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

func amsterdam(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cases.Amsterdam)
	if err != nil {
		panic(err)
	}
	return t
}

// overdueIDs lists the IDs the API answers for ?overdue=true, and the
// overdue count.
func overdueIDs(c *client, query string) ([]string, int) {
	c.env.t.Helper()
	res := c.do("GET", "/api/v1/handovers?overdue=true"+query, nil)
	if res.status != http.StatusOK {
		c.env.t.Fatalf("overdue list: %s", res)
	}
	body := res.json()
	var ids []string
	for _, h := range body["handovers"].([]any) {
		ids = append(ids, h.(map[string]any)["id"].(string))
	}
	return ids, int(body["overdue"].(float64))
}

// TestHandoverOverdueAcrossHolidays runs the clock over King's Day and
// Liberation Day (2026) and Easter (2025): weekends and public holidays are
// not working days, so the deadlines move past them.
func TestHandoverOverdueAcrossHolidays(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	login := func() (*client, *client, *client) {
		return env.login("dock.worker"), env.login("hoop.worker"), env.login("dock.coord")
	}

	// Thursday 23 April 2026: accept within 5 working days (Fri 24, Tue 28
	// — Monday 27 is King's Day —, Wed 29, Thu 30, Fri 1 May): overdue from
	// Saturday 2 May. First contact within 10: Mon 4, Wed 6 (Tue 5 May is
	// Liberation Day), Thu 7, Fri 8, Mon 11: overdue from Tuesday 12 May.
	env.clock.Set(amsterdam("2026-04-23 09:00"))
	dock, hoop, _ := login()
	notAccepted := dock.send(handoverBody(dock.dockResident("Laat"), "al-amal"))["id"].(string)
	env.clock.Advance(time.Minute)
	notContacted := dock.send(handoverBody(dock.dockResident("Later"), "al-amal"))["id"].(string)
	hoop.move(notContacted, "accept", map[string]any{})
	sent := dock.getHandover(notAccepted)
	if sent["accept_by"] != "2026-05-01T22:00:00Z" || sent["contact_by"] != "2026-05-11T22:00:00Z" {
		t.Fatalf("deadlines: accept_by %v, contact_by %v", sent["accept_by"], sent["contact_by"])
	}

	for _, step := range []struct {
		at                 string
		overdue            []string
		acceptLate, contac bool
	}{
		{"2026-04-30 17:00", nil, false, false}, // five calendar working days, but King's Day
		{"2026-05-01 23:59", nil, false, false},
		{"2026-05-02 00:00", []string{notAccepted}, true, false},
		{"2026-05-11 23:59", []string{notAccepted}, true, false},
		{"2026-05-12 00:00", []string{notAccepted, notContacted}, true, true},
	} {
		env.clock.Set(amsterdam(step.at))
		var dockCoord *client
		dock, hoop, dockCoord = login()
		for who, c := range map[string]*client{"sender": dockCoord, "receiver": hoop} {
			ids, n := overdueIDs(c, "")
			if len(ids) != len(step.overdue) || n != len(step.overdue) {
				t.Errorf("%s, %s: overdue %v (count %d), want %v", step.at, who, ids, n, step.overdue)
				continue
			}
			// Overdue first, oldest first: the not-accepted one leads.
			for i := range ids {
				if ids[i] != step.overdue[i] {
					t.Errorf("%s, %s: overdue %v, want %v", step.at, who, ids, step.overdue)
				}
			}
		}
		if got := dock.getHandover(notAccepted)["overdue"]; got != step.acceptLate {
			t.Errorf("%s: not accepted overdue=%v", step.at, got)
		}
		if got := dock.getHandover(notContacted)["overdue"]; got != step.contac {
			t.Errorf("%s: not contacted overdue=%v", step.at, got)
		}
	}
	// Contact made: no longer overdue; and never closed silently.
	hoop.move(notContacted, "contacted", map[string]any{"how": "home-visit"})
	if ids, _ := overdueIDs(hoop, ""); len(ids) != 1 || ids[0] != notAccepted {
		t.Errorf("after contact: overdue %v", ids)
	}
	env.clock.Set(amsterdam("2026-09-01 09:00"))
	dock, _, _ = login()
	if h := dock.getHandover(notAccepted); h["state"] != "requested" || h["overdue"] != true {
		t.Errorf("months later: %v overdue=%v", h["state"], h["overdue"])
	}

	// Easter 2025: sent on Thursday 17 April; Good Friday is a working day,
	// Easter Monday is not: accept by the end of Friday 25 April.
	env.clock.Set(amsterdam("2025-04-17 09:00"))
	dock, _, _ = login()
	easter := dock.send(handoverBody(dock.dockResident("Pasen"), "al-amal"))["id"].(string)
	for at, want := range map[string]bool{"2025-04-25 16:00": false, "2025-04-26 00:00": true} {
		env.clock.Set(amsterdam(at))
		dock, _, _ = login()
		if got := dock.getHandover(easter)["overdue"]; got != want {
			t.Errorf("Easter, %s: overdue=%v, want %v", at, got, want)
		}
	}
}

// Who may set a receiving organisation's limits and how they change its
// open handovers is tested without HTTP in package cases
// (TestHandoverSetLimitsRecomputesDeadlines); the admin page is
// TestAdminSetsHandoverDeadlines.

// TestHandoverReviewCounts: counts per state over the whole organisation,
// filters by direction, state, partner and age.
func TestHandoverReviewCounts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop, bt := env.login("dock.worker"), env.login("hoop.worker"), env.login("buurtteam.worker")
	for _, state := range []string{"requested", "received", "accepted", "completed", "declined"} {
		env.handoverIn(state, dock, hoop)
	}
	toBT := dock.send(handoverBody(dock.dockResident("BT"), "buurtteam"))["id"].(string)
	// An incoming one for DOCK, from the Buurtteam.
	bt.send(handoverBody(bt.newResident(map[string]any{"given_name": "Kees", "neighbourhood": "3s-dreven"}), "dock", "name"))
	coord := env.login("dock.coord")
	body := coord.do("GET", "/api/v1/handovers", nil).json()
	counts := body["counts"].(map[string]any)
	want := map[string]float64{"requested": 3, "received": 1, "accepted": 1, "contacted": 0, "completed": 1, "declined": 1, "withdrawn": 0}
	for st, n := range want {
		if counts[st] != n {
			t.Errorf("count %s = %v, want %v (%v)", st, counts[st], n, counts)
		}
	}
	if body["total"] != 7.0 || len(body["handovers"].([]any)) != 7 {
		t.Errorf("total %v", body["total"])
	}
	for query, n := range map[string]int{
		"direction=incoming": 1, "direction=outgoing": 6, "partner=buurtteam": 2, "state=requested": 3,
		"direction=outgoing&partner=buurtteam": 1, "min_age_days=1": 0, "limit=2": 2, "mine=true": 1,
	} {
		got := coord.do("GET", "/api/v1/handovers?"+query, nil).json()
		if hs := got["handovers"].([]any); len(hs) != n {
			t.Errorf("?%s: %d handovers, want %d", query, len(hs), n)
		}
	}
	// mine=true: sent by me, or incoming and assigned to me or to no one.
	if hs := dock.do("GET", "/api/v1/handovers?mine=true", nil).json()["handovers"].([]any); len(hs) != 7 {
		t.Errorf("worker's own: %d", len(hs))
	}
	if hs := coord.do("GET", "/api/v1/handovers?mine=true&direction=outgoing", nil).json()["handovers"].([]any); len(hs) != 0 {
		t.Errorf("coordinator's own outgoing: %d", len(hs))
	}
	_ = toBT
}

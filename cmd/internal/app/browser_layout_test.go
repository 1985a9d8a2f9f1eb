package app

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// Layouts (issue 13): every page of every role, at the sizes a tablet
// shows — 768×1024 upright, 1024×768 on its side, and 384×512, the upright
// tablet at 200% zoom — without sideways scrolling, and without a serious
// or critical axe-core finding (the reach table's scroll area included).

// layoutSizes are the viewports every page is checked at.
var layoutSizes = [][2]int64{{768, 1024}, {1024, 768}, {384, 512}}

// newDemoEnv is a test server holding the whole made-up demo (residents,
// contacts over a year and more, handovers in every state), so the pages
// show full lists, long names and real reach tables.
func newDemoEnv(t *testing.T) *testEnv {
	t.Helper()
	env := &testEnv{t: t, dbPath: storagetest.DSN(t, "demo"), clock: &testClock{now: time.Now()}}
	env.open()
	if seeded, err := demo.Seed(context.Background(), demoServices(env.app)); err != nil || !seeded {
		t.Fatalf("demo: %v %v", seeded, err)
	}
	return env
}

// brOverflow is how far the page scrolls sideways (0: it does not).
func brOverflow(t *testing.T, ctx context.Context) int {
	t.Helper()
	return brEval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`)
}

// brCutText lists what the menu and the offline strip cannot show: a link
// outside the viewport, or text cut off inside its box.
const brCutText = `[...document.querySelectorAll('header.top a, header.top button, .outbox p, .outbox p > *')].filter(e => {
	if (e.closest('.invisible') || e.offsetParent === null) return false;
	const r = e.getBoundingClientRect();
	return r.left < 0 || r.right > innerWidth + 1 || e.scrollWidth > e.clientWidth + 1;
}).map(e => (e.id || e.tagName.toLowerCase()) + ' "' + e.textContent.trim().slice(0, 30) + '"')`

// brScrolledTables counts the tables that scroll sideways inside their
// box; only the reach table's scroll area (sticky first column) may.
const brScrolledTables = `[...document.querySelectorAll('.table-wrap:not(.scroll-area)')].filter(e => e.scrollWidth > e.clientWidth + 1).length`

// brWhatOverflows names the elements that stick out of the viewport, for
// a failure message.
func brWhatOverflows(t *testing.T, ctx context.Context) string {
	t.Helper()
	return brEval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
		&& !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className +
		' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`)
}

func TestBrowserLayouts(t *testing.T) {
	axe := axeSource(t)
	env := newDemoEnv(t)
	ctx0 := context.Background()
	// A record, contact and handover of HOOP's to open.
	hoop, err := env.app.Users.ByUsername(ctx0, "hoop.worker")
	if err != nil {
		t.Fatal(err)
	}
	residents, err := env.app.Residents.Find(ctx0, hoop.Actor(), cases.ResidentFilter{Limit: 1})
	if err != nil || len(residents.Residents) == 0 {
		t.Fatalf("a resident of HOOP: %v", err)
	}
	resident := residents.Residents[0].ID
	contacts, err := env.app.Contacts.Find(ctx0, hoop.Actor(), cases.ContactFilter{Limit: 1})
	if err != nil || len(contacts.Contacts) == 0 {
		t.Fatalf("a contact of HOOP: %v", err)
	}
	handovers, err := env.app.Handovers.Find(ctx0, hoop.Actor(), cases.HandoverFilter{Limit: 1})
	if err != nil || len(handovers.Handovers) == 0 {
		t.Fatalf("a handover of HOOP: %v", err)
	}
	// Programme staff review drafts (the page offers to make one where there
	// is none): a draft of each period their pages show, the page's default
	// (the quarter before the current one) and last year.
	prog, err := env.app.Users.ByUsername(ctx0, "programme")
	if err != nil {
		t.Fatal(err)
	}
	now := env.app.Auth.Now().In(cases.Amsterdam)
	previous := cases.PeriodsOf(now)[0]
	if previous.N == 1 {
		previous = cases.Period{Year: previous.Year - 1, Kind: cases.Quarter, N: 4}
	} else {
		previous.N--
	}
	for _, p := range []cases.Period{previous, {Year: time.Now().Year() - 1, Kind: cases.Year}} {
		if _, err := env.app.Reach.Draft(ctx0, prog.Actor(), p); err != nil {
			t.Fatalf("draft of %s: %v", p, err)
		}
	}
	staff := []string{"/contacts/new", "/contacts", "/contacts?worker=all", "/contacts/" + contacts.Contacts[0].ID, "/residents",
		"/residents/" + resident, "/handovers", "/handovers/new?resident_id=" + resident, "/handovers/" + handovers.Handovers[0].ID,
		"/notifications", "/account", "/partners", "/me/password", "/nergens"}
	roles := []struct {
		user  string
		pages []string
	}{
		{"", []string{"/login"}},
		{"hoop.worker", staff},
		{"hoop.coord", append(append([]string{}, staff...), "/handovers/review", "/handovers/review?state=all", "/admin/users",
			"/reach?table=T1", "/reach?table=T5", "/partners/al-amal")},
		{"hoop.privacy", []string{"/privacy", "/privacy/audit", "/residents/" + resident + "/export", "/account"}},
		{"programme", []string{"/reach?table=T1", "/reach?period=" + strconv.Itoa(time.Now().Year()-1) + "&table=T1",
			"/reach?table=T2", "/reach?table=T4", "/reach?table=T5"}},
		{"admin", []string{"/admin/users", "/admin/reference", "/admin/mail", "/nergens"}},
	}
	checked := 0
	for _, role := range roles {
		ctx := brStart(t, 768, 1024)
		if role.user != "" {
			brLoginAny(t, ctx, env, role.user)
		}
		for _, p := range role.pages {
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(env.srv.URL+p))
			if err != nil || (resp.Status != http.StatusOK && p != "/nergens") {
				t.Errorf("%s as %s: %v %v", p, role.user, err, resp)
				continue
			}
			brWait(t, ctx, p+" loaded", `document.readyState === 'complete'`, 10*time.Second)
			var line []string
			for _, size := range layoutSizes {
				brStep(t, ctx, "viewport", chromedp.EmulateViewport(size[0], size[1]))
				name := fmt.Sprintf("%s as %s at %d×%d", p, or(role.user, "nobody"), size[0], size[1])
				if w := brOverflow(t, ctx); w > 0 {
					t.Errorf("%s scrolls sideways by %d px: %s", name, w, brWhatOverflows(t, ctx))
				}
				if hidden := brEval[[]string](t, ctx, brCutText); len(hidden) > 0 {
					t.Errorf("%s: the menu or the offline strip hides words: %v", name, hidden)
				}
				if n := brEval[int](t, ctx, brScrolledTables); n > 0 {
					t.Errorf("%s: %d table(s) hide columns behind a sideways scroll", name, n)
				}
				brAxe(t, ctx, axe, name)
				line = append(line, fmt.Sprintf("%d×%d %d/%d px", size[0], size[1],
					brEval[int](t, ctx, `document.documentElement.scrollWidth`), size[0]))
				brShot(t, ctx, fmt.Sprintf("layout-%s-%s-%dx%d", or(role.user, "nobody"),
					strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p), size[0], size[1]))
				checked++
			}
			if strings.HasPrefix(p, "/reach") {
				brReachTable(t, ctx, p)
			}
			brStep(t, ctx, "viewport", chromedp.EmulateViewport(768, 1024))
			t.Logf("%-12s %-60s %s", or(role.user, "nobody"), p, strings.Join(line, ", "))
		}
	}
	t.Logf("%d page × role × size checks: page width within the viewport, axe-core without serious or critical findings", checked)
}

// brLoginAny logs any demo user in through the login form, in Dutch, and
// waits for their start page.
func brLoginAny(t *testing.T, ctx context.Context, env *testEnv, username string) {
	t.Helper()
	brStep(t, ctx, "login "+username,
		chromedp.Navigate(env.srv.URL+"/lang/nl?back=/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("logout-form")),
	)
}

// brReachTable: the reach table's first column stays while its scroll
// area, reachable by keyboard, scrolls sideways; every column is there.
func brReachTable(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	brStep(t, ctx, "viewport", chromedp.EmulateViewport(384, 512))
	got := brEval[map[string]any](t, ctx, `(() => {
		const area = document.querySelector('.scroll-area'), first = document.querySelector('table.reach tbody th');
		const before = first.getBoundingClientRect().left;
		area.focus();
		area.scrollLeft = area.scrollWidth;
		return {focused: document.activeElement === area, tab: area.tabIndex, wide: area.scrollWidth > area.clientWidth,
			sticky: getComputedStyle(first).position, stays: Math.abs(first.getBoundingClientRect().left - before) < 1,
			columns: document.querySelectorAll('table.reach thead th').length};
	})()`)
	if got["focused"] != true || got["tab"] != 0.0 || got["sticky"] != "sticky" || got["stays"] != true {
		t.Errorf("%s: the reach table's scroll area: %v", page, got)
	}
	t.Logf("%s at 384×512: %v columns, wider than the screen: %v, first column sticky: %v", page, got["columns"], got["wide"], got["stays"])
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

// In a real browser at tablet size: a coordinator with a new handover
// lands on "Voor jou" after login, sees the badge in the menu, opens the
// handover from there and the badge is gone; the partner guide, its edit
// page, the account page and the handover form with the partners not yet
// in Buurtbrug pass axe-core, have 44 px touch targets and do not scroll
// sideways at 768 px.
func TestBrowserNotificationsAndPartners(t *testing.T) {
	axe := axeSource(t)
	env := newDirectoryEnv(t)
	env.clock.Set(time.Now())
	dock := env.login("dock.worker")
	id := dock.send(handoverBody(dock.dockResident("Browser"), "al-amal"))["id"].(string)
	resident := env.login("hoop.coord").newResident(nil)

	ctx := brStart(t, 768, 1024)
	brStep(t, ctx, "login hoop.coord",
		chromedp.Navigate(env.srv.URL+"/lang/nl?back=/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "hoop.coord"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("for-you-summary")))
	if s := brText(t, ctx, "for-you-summary"); s != "Voor jou: 1 nieuwe overdracht" {
		t.Errorf("summary %q", s)
	}
	if b := brText(t, ctx, "badge-incoming"); !strings.Contains(b, "1") || !strings.Contains(b, "1 nieuwe overdracht") {
		t.Errorf("badge %q", b)
	}
	brShot(t, ctx, "notifications")
	brAxe(t, ctx, axe, "/notifications")
	brTouchTargets(t, ctx, "/notifications")
	brStep(t, ctx, "open the handover", chromedp.Click(chromedp.CSS(`#notice-list li.unread a`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)))
	brWait(t, ctx, "the handover page", `location.pathname === '/handovers/`+id+`'`, 5*time.Second)
	if n := brEval[int](t, ctx, `document.querySelectorAll('#badge-incoming').length`); n != 0 {
		t.Error("the badge stays after the handover was opened")
	}

	pages := []string{"/notifications", "/partners", "/partners?topic=schulden", "/partners/al-amal", "/account",
		"/handovers/new?resident_id=" + resident}
	for _, p := range pages {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(env.srv.URL+p))
		if err != nil || resp.Status != http.StatusOK {
			t.Errorf("%s: %v %v", p, err, resp)
			continue
		}
		brWait(t, ctx, p+" loaded", `document.readyState === 'complete'`, 10*time.Second)
		if strings.HasPrefix(p, "/handovers/new") {
			// The partners not in Buurtbrug, opened.
			brStep(t, ctx, "open the list", chromedp.Click(chromedp.CSS(`#not-live summary`)))
			if s := brText(t, ctx, "not-live"); !strings.Contains(s, "Werkwinkel bel 030 000 07 21 mail intake@werkwinkel.example") {
				t.Errorf("not-live list: %q", s)
			}
		}
		brShot(t, ctx, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p))
		brAxe(t, ctx, axe, p)
		brTouchTargets(t, ctx, p)
		if w := brEval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); w > 0 {
			t.Errorf("%s scrolls sideways by %d px", p, w)
		}
	}
}

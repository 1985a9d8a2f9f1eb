package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeSource is axe-core, installed for the tests by npm into testdata
// (.ci/run runs npm ci there). Missing: the test skips, or fails in CI.
func axeSource(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is missing (CI=true): run npm ci in cmd/internal/app/testdata: %v", err)
		}
		t.Skip("skipping the accessibility test: axe-core is not installed (cd cmd/internal/app/testdata && npm ci)")
	}
	return string(data)
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// brAxe runs axe-core on the page and fails the test for every serious or
// critical violation; lesser ones are logged.
func brAxe(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if !brEval[bool](t, ctx, `typeof axe !== 'undefined'`) {
		brEval[chromedp.Void](t, ctx, axe+"\n;0")
	}
	found := brEval[[]axeViolation](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' '))})))`)
	for _, v := range found {
		line := fmt.Sprintf("%s: axe %s (%s): %s\n    %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n    "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(line)
		} else {
			t.Log(line)
		}
	}
}

// brTouchTargets fails for every control smaller than 44×44 CSS pixels
// that a finger must hit: a chip's target is its visible pill, a checkbox
// inside a label its label. Links inside running text are exempt (WCAG
// 2.5.5), as are controls hidden from view.
func brTouchTargets(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	small := brEval[[]string](t, ctx, `(() => {
		const out = [];
		for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
			if (el.closest('[hidden], .invisible, dialog:not([open])')) continue;
			let box = el;
			if (el.matches('label.chip input')) box = el.nextElementSibling;
			else if (el.matches('label input[type=checkbox], label input[type=radio]')) box = el.closest('label');
			if (el.matches('p a, .hint a') && !el.closest('.outbox')) continue; // in running text
			const r = box.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.height < 43.5 || r.width < 43.5) {
				out.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '')) +
					' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '" ' + Math.round(r.width) + '×' + Math.round(r.height));
			}
		}
		return out;
	})()`)
	for _, s := range small {
		t.Errorf("%s: touch target under 44 px: %s", page, s)
	}
}

// Scenario 5: axe-core finds no serious or critical violation on the login,
// contact, resident and handover pages — also with the outbox, a refused
// contact being fixed and the logout warning on screen. The contact form
// has touch targets of 44 px at 768×1024 and 1024×768 and can be used with
// the keyboard alone.
func TestBrowserAccessibility(t *testing.T) {
	browserTest(t)
	axe := axeSource(t)
	env := newTestEnv(t)
	env.clock.Set(time.Now().Add(time.Hour)) // for bwTooOldForServer
	coord := env.login("hoop.coord")
	resident := pgResident(t, coord, "Amina", "Testbewoner", "1980-05-01")
	handover := ""
	if res := coord.do("POST", "/api/v1/handovers", handoverBody(resident, "buurtteam")); res.status == http.StatusCreated {
		handover = res.json()["id"].(string)
	} else {
		t.Errorf("creating a handover to check its page: %d %s", res.status, res.body)
	}

	ctx := brStart(t, 768, 1024)
	brStep(t, ctx, "login page", chromedp.Navigate(env.srv.URL+"/lang/nl?back=/login"), chromedp.WaitVisible(chromedp.ID("username")))
	brAxe(t, ctx, axe, "/login")
	brTouchTargets(t, ctx, "/login")
	brLogin(t, ctx, env, "hoop.coord")
	bwReady(t, ctx)
	for _, size := range [][2]int64{{768, 1024}, {1024, 768}} {
		brStep(t, ctx, "viewport", chromedp.EmulateViewport(size[0], size[1]))
		page := fmt.Sprintf("/contacts/new at %d×%d", size[0], size[1])
		brAxe(t, ctx, axe, page)
		brTouchTargets(t, ctx, page)
		if w := brEval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); w > 0 {
			t.Errorf("%s scrolls sideways by %d px", page, w)
		}
	}
	brStep(t, ctx, "viewport", chromedp.EmulateViewport(768, 1024))

	// With the keyboard alone: every part of the form in the tab order, and
	// a contact logged with Space, the arrow keys and Enter.
	brEval[chromedp.Void](t, ctx, `document.getElementById('contact-heading').focus()`)
	var order []string
	for range 80 {
		brStep(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
		el := brEval[string](t, ctx, `(e => e.id || (e.name + '=' + e.value))(document.activeElement)`)
		order = append(order, el)
		if el == "contact-save" {
			break
		}
	}
	for _, want := range []string{"programme=hoop", "occurred_at", "neighbourhood=", "kind=", "resident_mode=search",
		"resident-q", "topics=rondkomen", "topics=veiligheid", "outcomes=", "note", "contact-save"} {
		if !strings.Contains(strings.Join(order, " ")+" ", want) {
			t.Errorf("%q is not in the tab order %q", want, order)
		}
	}
	brStep(t, ctx, "keyboard only",
		chromedp.Focus(chromedp.CSS(`input[name=neighbourhood]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`input[name=kind]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`input[name=resident_mode]:checked`)), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight),
		chromedp.Focus(chromedp.CSS(`input[name=topics][value=schulden]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.ID("contact-save")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("contact-status")))
	if s := brText(t, ctx, "contact-status"); !strings.Contains(s, "Contact opgeslagen") || !strings.Contains(s, "anoniem") {
		t.Errorf("keyboard-only contact: %q", s)
	}

	// A refused contact, in the form and in the outbox.
	brStep(t, ctx, "refused", brChip("resident_mode", "anonymous"), brChip("topics", "werk"),
		chromedp.Evaluate[chromedp.Void](bwTooOldForServer),
		chromedp.Click(chromedp.ID("contact-save")), chromedp.WaitVisible(chromedp.ID("err-occurred_at")))
	brAxe(t, ctx, axe, "/contacts/new, a refused contact in the form")
	brStep(t, ctx, "later", chromedp.Click(chromedp.ID("contact-editing-stop")), chromedp.WaitVisible(chromedp.CSS(".ob-edit")))
	brAxe(t, ctx, axe, "/contacts/new, a refused contact in the outbox")
	brTouchTargets(t, ctx, "/contacts/new, outbox")
	// The logout warning.
	brStep(t, ctx, "logout warning", chromedp.Click(chromedp.CSS(`#logout-form button`)), chromedp.WaitVisible(chromedp.CSS("dialog.confirm")))
	brAxe(t, ctx, axe, "logout warning")
	brTouchTargets(t, ctx, "logout warning")
	brStep(t, ctx, "stay", chromedp.KeyEvent(kb.Escape))
	brWait(t, ctx, "dialog closed", `document.querySelector('dialog') === null`, 3*time.Second)

	pages := []string{"/contacts", "/residents", "/residents/" + resident, "/handovers", "/handovers/review",
		"/handovers/new?resident_id=" + resident}
	if handover != "" {
		pages = append(pages, "/handovers/"+handover)
	}
	for _, p := range pages {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(env.srv.URL+p))
		if err != nil || resp.Status != http.StatusOK {
			t.Errorf("%s: %v %v", p, err, resp)
			continue
		}
		brWait(t, ctx, p+" loaded", `document.readyState === 'complete'`, 10*time.Second)
		brAxe(t, ctx, axe, p)
		brTouchTargets(t, ctx, p)
	}
}

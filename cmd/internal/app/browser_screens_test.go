package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The screens of issue 13 in the browser, as a worker and a coordinator
// would use them on a tablet.

// brClickText clicks the link or button of a selector whose text holds text.
func brClickText(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = [...document.querySelectorAll(%q)]
		.find(e => e.textContent.includes(%q)); if (!el) throw new Error('no ' + %q); el.click(); })()`, sel, text, text))
}

// brMain is the page's main text.
func brMain(t *testing.T, ctx context.Context) string {
	t.Helper()
	return brEval[string](t, ctx, `document.querySelector('main').innerText`)
}

// TestBrowserCorrectAndVoid: the worker opens a contact from "Mijn
// contacten", corrects it; the coordinator voids it with a reason; both
// see the history.
func TestBrowserCorrectAndVoid(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	api := env.login("hoop.worker")
	resident := pgResident(t, api, "Chaima", "Proef", "1990-07-15")
	id := api.newContact("hoop", resident)

	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.worker")
	brStep(t, ctx, "open from the list", chromedp.Click(chromedp.CSS(`nav a[href="/contacts"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/contacts/`+id+`"]`)), chromedp.Click(chromedp.CSS(`a[href="/contacts/`+id+`"]`)),
		chromedp.WaitReady(chromedp.ID("contact-correct")))
	brStep(t, ctx, "correct", chromedp.Evaluate[chromedp.Void](`document.querySelector('#contact-correct').closest('details').querySelector('summary').click()`),
		chromedp.WaitVisible(chromedp.ID("cc-note")),
		brChip("topics", "taal"), chromedp.SetValue(chromedp.ID("cc-note"), "Wil ook taalles."),
		chromedp.Click(chromedp.CSS(`#contact-correct button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	main := brMain(t, ctx)
	for _, want := range []string{"De correctie is opgeslagen", "Wil ook taalles.", "Nederlandse taal", "Versie 1", "Vraag over een betalingsregeling."} {
		if !strings.Contains(main, want) {
			t.Errorf("after correcting, the page lacks %q", want)
		}
	}
	brShot(t, ctx, "contact-corrected-768x1024")

	cctx := brStart(t, 1024, 768)
	brLogin(t, cctx, env, "hoop.coord")
	brStep(t, cctx, "the organisation's contacts", chromedp.Navigate(env.srv.URL+"/contacts?worker=all"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/contacts/`+id+`"]`)), chromedp.Click(chromedp.CSS(`a[href="/contacts/`+id+`"]`)),
		chromedp.WaitReady(chromedp.ID("contact-void")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#contact-void').closest('details').open = true`),
		chromedp.SendKeys(chromedp.ID("cv-reason"), "Dubbel ingevoerd."),
		chromedp.Click(chromedp.CSS(`#contact-void button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	main = brMain(t, cctx)
	if !strings.Contains(main, "Het contact is ongeldig gemaakt") || !strings.Contains(main, "Dubbel ingevoerd.") {
		t.Errorf("after voiding: %s", main)
	}
	got := api.do("GET", "/api/v1/contacts/"+id, nil).json()
	if got["version"] != 2.0 || got["void_reason"] != "Dubbel ingevoerd." {
		t.Errorf("the API has %v", got)
	}
}

// TestBrowserStoryBothSides: a handover's whole loop in the resident's
// story, at the sender and at the receiver.
func TestBrowserStoryBothSides(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	dock, hoop := env.login("dock.worker"), env.login("hoop.worker")
	resident := dock.dockResident("Verhaal")
	dock.newContact("weggeefbus", resident)
	id := dock.send(handoverBody(resident, "al-amal"))["id"].(string)
	record := hoop.move(id, "accept", map[string]any{})["resident_id"].(string)
	hoop.move(id, "contacted", map[string]any{"how": "home-visit"})
	hoop.move(id, "complete", map[string]any{"outcome": "schuldhulptraject", "note": "Traject gestart bij de schuldhulp."})

	for _, side := range []struct{ user, record, title string }{
		{"dock.worker", resident, "Overdracht naar Al Amal"}, {"hoop.worker", record, "Overdracht van DOCK"},
	} {
		ctx := brStart(t, 768, 1024)
		brLogin(t, ctx, env, side.user)
		brStep(t, ctx, "the resident's page", chromedp.Navigate(env.srv.URL+"/residents/"+side.record),
			chromedp.WaitVisible(chromedp.ID("story")))
		story := brEval[string](t, ctx, `document.getElementById('story').innerText`)
		for _, want := range []string{side.title, "Afgerond", "Verstuurd", "Ontvangen", "Geaccepteerd · Samira (HOOP)",
			"Contact gelegd · Huisbezoek", "Schuldhulptraject gestart", "Traject gestart bij de schuldhulp.", "Mevrouw wil hulp"} {
			if !strings.Contains(story, want) {
				t.Errorf("%s's story lacks %q:\n%s", side.user, want, story)
			}
		}
		if side.user == "dock.worker" && !strings.Contains(story, "Vraag over een betalingsregeling.") {
			t.Errorf("the sender's story lacks its own contact")
		}
		// "Nieuw contact" and "Warm overdragen" are at hand at the top.
		if n := brEval[int](t, ctx, `document.querySelectorAll('.actions a.button').length`); n != 2 {
			t.Errorf("%s: %d actions at the top", side.user, n)
		}
		brShot(t, ctx, "story-"+side.user+"-768x1024")
	}
}

// TestBrowserDuplicateAndMerge: registering Fatima El Idrissi a second
// time shows the record first ("Bestaat deze bewoner al?"), and taking it
// logs the contact with the existing record; registered twice anyway, a
// coordinator merges the two on the resident's page.
func TestBrowserDuplicateAndMerge(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	api := env.login("hoop.worker")
	kept := pgResident(t, api, "Fatima", "El Idrissi", "1990-04-01")

	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.worker")
	newFatima := []chromedp.Action[chromedp.Void]{brChip("neighbourhood", "zambesibuurt"), brChip("kind", "spreekuur"),
		brChip("resident_mode", "new"), chromedp.SendKeys(chromedp.ID("new-given_name"), "Fatima"),
		chromedp.SendKeys(chromedp.ID("new-family_name"), "el idrissi"), chromedp.SendKeys(chromedp.ID("new-birth_year"), "1990"),
		brChip("topics", "schulden")}
	// Saving at once: the records that may be her come first, nothing is sent.
	brStep(t, ctx, "new, saved at once", append(newFatima, chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("new-matches")))...)
	if s := brText(t, ctx, "new-matches"); !strings.Contains(s, "Bestaat deze bewoner al?") || !strings.Contains(s, "Fatima El Idrissi") {
		t.Errorf("the warning says %q", s)
	}
	if focus := brEval[string](t, ctx, `document.activeElement.id`); focus != "new-matches-title" {
		t.Errorf("focus on %q, want the warning", focus)
	}
	if n := len(bwContacts(t, api)); n != 0 {
		t.Fatalf("%d contacts sent before the worker looked", n)
	}
	// Taking the existing record: the contact is hers.
	got := bwSave(t, ctx, "the existing record", chromedp.Click(chromedp.CSS(`#new-matches-list button`)),
		chromedp.WaitVisible(chromedp.ID("resident-chosen")))
	if !strings.Contains(got, "Contact opgeslagen") {
		t.Fatalf("saved: %q", got)
	}
	if list := bwContacts(t, api); len(list) != 1 || list[0]["resident_id"] != kept {
		t.Fatalf("the contact went to %v, want %s", list, kept)
	}
	if n := len(bwResidents(t, api, "idrissi")); n != 1 {
		t.Errorf("%d records of Fatima, want still 1", n)
	}
	// Registered twice after all ("Nee, dit is iemand anders").
	got = bwSave(t, ctx, "a second record", append(newFatima, chromedp.WaitVisible(chromedp.ID("new-matches")),
		chromedp.Click(chromedp.ID("new-matches-none")))...)
	if !strings.Contains(got, "Contact opgeslagen") || len(bwResidents(t, api, "idrissi")) != 2 {
		t.Fatalf("second record: %q, %d records", got, len(bwResidents(t, api, "idrissi")))
	}
	var twin string
	for _, r := range bwResidents(t, api, "idrissi") {
		if id := r.(map[string]any)["id"].(string); id != kept {
			twin = id
		}
	}

	// The coordinator merges the second record into the first.
	cctx := brStart(t, 1024, 768)
	brLogin(t, cctx, env, "hoop.coord")
	brStep(t, cctx, "merge", chromedp.Navigate(env.srv.URL+"/residents/"+kept),
		chromedp.WaitReady(chromedp.ID("merge")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#merge details').open = true`),
		chromedp.Click(chromedp.CSS(`form[action="/residents/`+twin+`/merge"] input[name=confirm]`)),
		chromedp.Click(chromedp.CSS(`form[action="/residents/`+twin+`/merge"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	main := brMain(t, cctx)
	if !strings.Contains(main, "De dossiers zijn samengevoegd") || !strings.Contains(main, "(2 contacten, 0 overdrachten)") {
		t.Errorf("after merging: %s", main)
	}
	if r := api.do("GET", "/api/v1/residents/"+twin, nil).json(); r["merged_into"] != kept {
		t.Errorf("the second record: %v", r)
	}
	if n := len(bwResidents(t, api, "idrissi")); n != 1 {
		t.Errorf("%d records listed after merging, want 1", n)
	}
}

// TestBrowserPaging250: "Mijn contacten" with 250 contacts: 50 at a time,
// "Meer laden" until the end reaches every one exactly once, and the list
// says how many of how many it shows.
func TestBrowserPaging250(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	api := env.login("hoop.worker")
	want := map[string]bool{}
	for i := range 250 {
		b := contactBody("hoop", "")
		b["occurred_at"] = env.clock.Now().Add(-time.Duration(i/3) * time.Minute).Format(time.RFC3339) // ties too
		if res := api.do("POST", "/api/v1/contacts", b); res.status != http.StatusCreated {
			t.Fatalf("contact %d: %s", i, res)
		}
		want[b["id"].(string)] = true
	}
	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.worker")
	brStep(t, ctx, "mijn contacten", chromedp.Navigate(env.srv.URL+"/contacts"), chromedp.WaitVisible(chromedp.ID("contact-list")))
	if s := brEval[string](t, ctx, `document.querySelector('[data-count]').textContent`); s != "1–50 van 250" {
		t.Errorf("first page says %q", s)
	}
	start := time.Now()
	clicks := 0
	for brEval[bool](t, ctx, `document.querySelector('a[data-more]') !== null`) {
		n := brEval[int](t, ctx, `document.querySelectorAll('#contact-list tr').length`)
		brStep(t, ctx, "meer laden", chromedp.Click(chromedp.CSS(`a[data-more]`)))
		brWait(t, ctx, "next page", fmt.Sprintf(`document.querySelectorAll('#contact-list tr').length > %d`, n), 10*time.Second)
		clicks++
	}
	elapsed := time.Since(start)
	ids := brEval[[]string](t, ctx, `[...document.querySelectorAll('#contact-list tr td:first-child a')].map(a => a.getAttribute('href').split('/').pop())`)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	if len(ids) != 250 || len(seen) != 250 {
		t.Errorf("%d rows, %d different, want 250 each", len(ids), len(seen))
	}
	for id := range seen {
		if !want[id] || seen[id] != 1 {
			t.Errorf("contact %s: %d times (ours: %v)", id, seen[id], want[id])
		}
	}
	if s := brEval[string](t, ctx, `document.querySelector('[data-count]').textContent`); s != "1–250 van 250" {
		t.Errorf("after the last page the list says %q", s)
	}
	if focus := brEval[string](t, ctx, `document.activeElement.closest('#contact-list') ? 'list' : document.activeElement.tagName`); focus != "list" {
		t.Errorf("after loading more, the focus is on %s, not in the list", focus)
	}
	t.Logf("250 contacts: 5 pages of 50, %d taps on Meer laden, %v for the four, every contact once", clicks, elapsed.Round(time.Millisecond))
	// Without the script the link goes to the next page itself.
	page2 := env.pageLogin("hoop.worker").get("/contacts")
	if !strings.Contains(string(page2.body), `data-more="contact-list"`) || !strings.Contains(string(page2.body), "cursor=") {
		t.Error("the first page has no link to the next")
	}
}

// TestBrowserLanguageKeepsForms: switching language keeps the chosen
// resident and what was typed in "Warm overdragen", and the period and
// table of the reach page.
func TestBrowserLanguageKeepsForms(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	api := env.login("hoop.coord")
	resident := pgResident(t, api, "Amina", "Taalwissel", "1980-05-01")
	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.coord")
	brStep(t, ctx, "handover form", chromedp.Navigate(env.srv.URL+"/handovers/new?resident_id="+resident),
		chromedp.WaitVisible(chromedp.ID("handover-form")),
		chromedp.SetValue(chromedp.ID("ho-to"), "buurtteam"), brChip("topics", "schulden"),
		chromedp.SendKeys(chromedp.ID("ho-question"), "Hulp bij de huur."),
		chromedp.SendKeys(chromedp.ID("ho-story"), "Vertelde het bij de voordeur."), brChip("scope", "story"),
		chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #handover-form`)))
	got := brEval[map[string]any](t, ctx, `({resident: document.querySelector('input[name=resident_id]').value,
		name: document.querySelector('.chosen strong').textContent, to: document.getElementById('ho-to').value,
		question: document.getElementById('ho-question').value, story: document.getElementById('ho-story').value,
		topic: document.querySelector('input[name=topics][value=schulden]').checked,
		scope: document.querySelector('input[name=scope][value=story]').checked,
		name2: document.querySelector('input[name=scope][value=name]').checked,
		send: document.querySelector('#handover-form button[type=submit]').textContent})`)
	want := map[string]any{"resident": resident, "name": "Amina Taalwissel", "to": "buurtteam", "question": "Hulp bij de huur.",
		"story": "Vertelde het bij de voordeur.", "topic": true, "scope": true, "name2": false, "send": "Send handover"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("after switching to English, %s = %v, want %v", k, got[k], v)
		}
	}
	if n := brEval[int](t, ctx, `sessionStorage.length`); n != 0 {
		t.Errorf("%d items left in sessionStorage", n)
	}

	brStep(t, ctx, "reach page", chromedp.Navigate(env.srv.URL+"/reach?period=2025-Q1&table=T2"),
		chromedp.WaitVisible(chromedp.ID("reach-filters")), chromedp.SetValue(chromedp.ID("r-table"), "T3"),
		chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang=nl] #reach-filters`)))
	page := brEval[[]string](t, ctx, `[document.getElementById('r-period').value, document.getElementById('r-table').value,
		document.getElementById('reach-table-title').textContent]`)
	if page[0] != "2025-Q1" || page[1] != "T3" || !strings.Contains(page[2], "T2") {
		t.Errorf("after switching to Dutch, the reach page shows %q (want the period and table shown kept, the unsent choice too)", page)
	}
}

// TestBrowserOfflineSaysWhy: offline, another menu item brings the form
// with a word on why; a contact dated before the window is refused in the
// form, before the outbox.
func TestBrowserOfflineSaysWhy(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	net := withTestNet(env)
	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.worker")
	bwReady(t, ctx)
	brNetwork(t, ctx, false)
	net.setDown(true)
	brStep(t, ctx, "offline: Bewoners", chromedp.Click(chromedp.CSS(`nav a[href="/residents"]`)),
		chromedp.WaitVisible(chromedp.ID("contact-status")))
	if s := brText(t, ctx, "contact-status"); !strings.Contains(s, "‘Bewoners’ werkt alleen met verbinding") {
		t.Errorf("offline notice: %q", s)
	}
	if h := brEval[string](t, ctx, `location.hash`); h != "" {
		t.Errorf("the address keeps %q", h)
	}
	brStep(t, ctx, "too old, offline", brChip("neighbourhood", "zambesibuurt"), brChip("kind", "telefoon"),
		brChip("resident_mode", "anonymous"), brChip("topics", "werk"),
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('occurred_at');
			f.value = '2020-01-01T10:00'; f.dispatchEvent(new Event('input')); })()`),
		chromedp.Click(chromedp.ID("contact-save")), chromedp.WaitVisible(chromedp.ID("err-occurred_at")))
	if s := brText(t, ctx, "err-occurred_at"); !strings.Contains(s, "90 dagen terug") {
		t.Errorf("the time field says %q", s)
	}
	if n := bwOutboxCount(t, ctx); n != 0 {
		t.Errorf("%d in the outbox, want none: the worker fixes it now", n)
	}
	net.setDown(false)
	brNetwork(t, ctx, true)
}

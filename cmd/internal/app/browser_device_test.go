package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// What the device keeps (issue 5): logging out warns about unsent contacts
// and clears the rest; the offline form follows the chosen language.

// bwStored counts what the device keeps: the outbox's items, the meta
// entries, and whether the service worker's caches hold the worker's
// offline form ("bb-user") and the static files ("bb-static-…").
const bwStored = `(async () => {
	const db = await new Promise((ok, fail) => { const q = indexedDB.open('buurtbrug'); q.onsuccess = () => ok(q.result); q.onerror = fail; });
	const count = (name) => new Promise((ok) => { const r = db.transaction(name).objectStore(name).count(); r.onsuccess = () => ok(r.result); });
	const keys = await caches.keys();
	const out = {outbox: await count('outbox'), meta: await count('meta'),
		user: keys.includes('bb-user'), static: keys.some((k) => k.startsWith('bb-static-'))};
	db.close();
	return out;
})()`

type stored struct {
	Outbox int  `json:"outbox"`
	Meta   int  `json:"meta"`
	User   bool `json:"user"`
	Static bool `json:"static"`
}

func TestBrowserLogoutClearsDevice(t *testing.T) {
	browserTest(t)
	env := newTestEnv(t)
	env.clock.Set(time.Now().Add(time.Hour)) // for bwTooOldForServer
	ctx := brStart(t, 768, 1024)
	brLogin(t, ctx, env, "hoop.worker")
	bwReady(t, ctx)

	// One contact the server refused: unsent, in the outbox.
	brStep(t, ctx, "refused", brChip("neighbourhood", "zambesibuurt"), brChip("kind", "telefoon"),
		brChip("resident_mode", "anonymous"), brChip("topics", "werk"),
		chromedp.Evaluate[chromedp.Void](bwTooOldForServer),
		chromedp.Click(chromedp.ID("contact-save")), chromedp.WaitVisible(chromedp.ID("err-occurred_at")))
	if s := brEval[stored](t, ctx, bwStored); s.Outbox != 1 || s.Meta == 0 || !s.User || !s.Static {
		t.Fatalf("before logging out the device holds %+v", s)
	}

	// Logging out warns; "keep" keeps the outbox and nothing else.
	brStep(t, ctx, "logout", chromedp.Click(chromedp.CSS(`#logout-form button`)), chromedp.WaitVisible(chromedp.CSS("dialog.confirm")))
	if s := brEval[string](t, ctx, `document.querySelector('dialog.confirm').innerText`); !strings.Contains(s, "1 contact is nog niet verstuurd") {
		t.Errorf("the warning says %q", s)
	}
	brStep(t, ctx, "keep", chromedp.Click(chromedp.CSS(`dialog.confirm button[value=keep]`)), chromedp.WaitVisible(chromedp.ID("username")))
	if s := brEval[stored](t, ctx, bwStored); s.Outbox != 1 || s.Meta != 0 || s.User {
		t.Errorf("after logging out (keep) the device holds %+v", s)
	}
	// The session is over: the form does not open from a cache either.
	brStep(t, ctx, "form after logout", chromedp.Navigate(env.srv.URL+"/contacts/new"), chromedp.WaitVisible(chromedp.ID("username")))

	// The same worker again: the kept contact is back.
	brLogin(t, ctx, env, "hoop.worker")
	brWait(t, ctx, "kept contact", `document.getElementById('outbox').dataset.count === '1'`, 5*time.Second)

	// "Discard" empties the outbox too.
	brStep(t, ctx, "logout again", chromedp.Click(chromedp.CSS(`#logout-form button`)), chromedp.WaitVisible(chromedp.CSS("dialog.confirm")),
		chromedp.Click(chromedp.CSS(`dialog.confirm button[value=discard]`)), chromedp.WaitVisible(chromedp.ID("username")))
	if s := brEval[stored](t, ctx, bwStored); s.Outbox != 0 || s.Meta != 0 || s.User {
		t.Errorf("after logging out (discard) the device holds %+v", s)
	}
}

// TestBrowserLanguageOffline: the offline form is in the language the
// worker chose, and follows a new choice.
func TestBrowserLanguageOffline(t *testing.T) {
	browserTest(t)
	env := newTestEnv(t)
	env.clock.Set(time.Now())
	net := withTestNet(env)
	ctx := brStart(t, 1024, 768)
	brLogin(t, ctx, env, "hoop.worker")
	bwReady(t, ctx)
	for _, tc := range []struct{ lang, save string }{{"en", "Save"}, {"nl", "Opslaan"}} {
		brStep(t, ctx, "language "+tc.lang, chromedp.Navigate(env.srv.URL+"/lang/"+tc.lang+"?back=/contacts/new"),
			chromedp.WaitVisible(chromedp.ID("contact-form")))
		bwReady(t, ctx)
		brNetwork(t, ctx, false)
		net.setDown(true)
		brStep(t, ctx, "offline reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("contact-form")))
		got := brEval[[]string](t, ctx, `[document.documentElement.lang, document.getElementById('contact-save').textContent,
			document.getElementById('contact-form').dataset.shell || '']`)
		if got[0] != tc.lang || got[1] != tc.save || got[2] != "true" {
			t.Errorf("offline form after choosing %s: lang, save button, shell = %q", tc.lang, got)
		}
		net.setDown(false)
		brNetwork(t, ctx, true)
	}
}

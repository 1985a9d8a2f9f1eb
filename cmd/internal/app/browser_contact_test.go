package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/chromedp/chromedp"
)

// TestBrowserContactForm logs contacts through the real form in headless
// chromium at tablet size: anonymous, for a resident found by searching and
// for a new resident; a missing topic and a server-side error show next to
// their fields and keep the form.
func TestBrowserContactForm(t *testing.T) {
	browserTest(t)
	env := newTestEnv(t)
	env.clock.Set(time.Now()) // the browser's clock is the real one
	api := env.login("hoop.worker")
	known := pgResident(t, api, "Amina", "Testbewoner", "1980-05-01")

	ctx := brStart(t, 768, 1024)
	brStep(t, ctx, "login",
		chromedp.Navigate(env.srv.URL+"/lang/nl?back=/login"), // Dutch, whatever the browser's language
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "hoop.worker"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("contact-form")),
	)
	brShot(t, ctx, "contact-768x1024")

	// No topic: the form says so next to the topics and sends nothing.
	brStep(t, ctx, "anonymous without topic",
		brChip("neighbourhood", "zambesibuurt"), brChip("kind", "deur-aan-deur"), brChip("resident_mode", "anonymous"),
		chromedp.SendKeys(chromedp.ID("note"), "Gesproken bij de voordeur."),
		chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("err-topics")),
	)
	if got := brText(t, ctx, "err-topics"); got != "Kies minstens één onderwerp." {
		t.Errorf("topics error: %q", got)
	}
	brShot(t, ctx, "contact-errors-768x1024")

	// A time outside the window: the form says so at the time field before
	// anything is queued or sent, the form kept.
	brStep(t, ctx, "too old",
		brChip("topics", "schulden"),
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('occurred_at');
			f.value = '2020-01-01T10:00'; f.dispatchEvent(new Event('input')); })()`),
		chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("err-occurred_at")),
	)
	if got := brText(t, ctx, "err-occurred_at"); !strings.Contains(got, "dagen terug") {
		t.Errorf("occurred_at error: %q", got)
	}
	if note, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("note"))); note != "Gesproken bij de voordeur." {
		t.Errorf("the note was lost after an error: %q", note)
	}

	// Back to now, and saved.
	brStep(t, ctx, "save anonymous",
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('occurred_at');
			const d = new Date(Date.now() - 5 * 60000);
			const p = new Intl.DateTimeFormat('sv-SE', {timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit',
				day: '2-digit', hour: '2-digit', minute: '2-digit'}).format(d).replace(' ', 'T');
			f.value = p; f.dispatchEvent(new Event('input')); })()`),
		chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("contact-status")),
	)
	if got := brText(t, ctx, "contact-status"); !strings.Contains(got, "Contact opgeslagen") || !strings.Contains(got, "anoniem") {
		t.Errorf("confirmation: %q", got)
	}
	// The form is ready for the next contact: topics and note cleared,
	// neighbourhood kept.
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=topics]:checked') === null &&
		document.getElementById('note').value === '' &&
		document.querySelector('input[name=neighbourhood]:checked').value === 'zambesibuurt'`)); !v {
		t.Error("the form was not reset for the next contact")
	}
	brShot(t, ctx, "contact-saved-768x1024")

	// An existing resident, found by typing part of the name.
	brStep(t, ctx, "search resident",
		chromedp.SendKeys(chromedp.ID("resident-q"), "testbew"),
		chromedp.WaitVisible(chromedp.CSS("#resident-results button")),
		chromedp.Click(chromedp.CSS("#resident-results button")),
		chromedp.WaitVisible(chromedp.ID("resident-chosen")),
		brChip("topics", "taal"), brChip("outcomes", "informatie-gegeven"),
		chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("contact-status")),
	)
	if got := brText(t, ctx, "contact-status"); !strings.Contains(got, "Amina Testbewoner") {
		t.Errorf("confirmation for a known resident: %q", got)
	}

	// A new resident: registered first, then the contact.
	brStep(t, ctx, "new resident",
		brChip("resident_mode", "new"),
		chromedp.SendKeys(chromedp.ID("new-given_name"), "Bas"),
		chromedp.SendKeys(chromedp.ID("new-family_name"), "Nieuwkomer"),
		brChip("topics", "werk"),
		chromedp.Click(chromedp.ID("contact-save")),
		chromedp.WaitVisible(chromedp.ID("contact-status")),
	)
	if got := brText(t, ctx, "contact-status"); !strings.Contains(got, "Bas Nieuwkomer") {
		t.Errorf("confirmation for a new resident: %q", got)
	}

	// The server has exactly these three contacts, with the right residents.
	res := api.do("GET", "/api/v1/contacts?mine=true", nil)
	if res.status != http.StatusOK {
		t.Fatalf("contacts: %d %s", res.status, res.body)
	}
	list := res.json()["contacts"].([]any)
	if len(list) != 3 {
		t.Fatalf("the server has %d contacts, want 3: %s", len(list), res.body)
	}
	var anonymous, withKnown, withNew int
	for _, item := range list {
		c := item.(map[string]any)
		switch {
		case c["anonymous"] == true:
			anonymous++
			if c["note"] != "Gesproken bij de voordeur." {
				t.Errorf("anonymous contact's note: %v", c["note"])
			}
			at, _ := time.Parse(time.RFC3339, c["occurred_at"].(string))
			if d := time.Since(at); d < 4*time.Minute || d > 7*time.Minute {
				t.Errorf("occurred_at %v is %v ago, want about 5 minutes (Amsterdam time read right)", at, d)
			}
		case c["resident_id"] == known:
			withKnown++
		default:
			withNew++
			r := api.do("GET", "/api/v1/residents/"+c["resident_id"].(string), nil).json()
			if r["family_name"] != "Nieuwkomer" || r["neighbourhood"] != "zambesibuurt" {
				t.Errorf("new resident: %v", r)
			}
		}
	}
	if anonymous != 1 || withKnown != 1 || withNew != 1 {
		t.Errorf("contacts: %d anonymous, %d known, %d new", anonymous, withKnown, withNew)
	}

	// The page language switch: English labels.
	brStep(t, ctx, "english",
		chromedp.Navigate(env.srv.URL+"/lang/en?back=/contacts/new"),
		chromedp.WaitVisible(chromedp.ID("contact-form")),
	)
	if got := brText(t, ctx, "contact-save"); got != "Save" {
		t.Errorf("English save button: %q", got)
	}
	brStep(t, ctx, "landscape", chromedp.EmulateViewport(1024, 768))
	brShot(t, ctx, "contact-1024x768-en")
}

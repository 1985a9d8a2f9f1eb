package app

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The schemas of issue 12 document exactly the JSON fields of their types.
func TestOpenAPINotifySchemas(t *testing.T) {
	env := newTestEnv(t)
	schemasMatchTypes(t, loadOpenAPI(t, env), map[string]reflect.Type{
		"Unread":          reflect.TypeFor[cases.Unread](),
		"Partner":         reflect.TypeFor[cases.Partner](),
		"PartnerService":  reflect.TypeFor[cases.PartnerService](),
		"OpeningSpan":     reflect.TypeFor[cases.OpeningSpan](),
		"HandoverLimits":  reflect.TypeFor[cases.HandoverLimits](),
		"PartnerMeasured": reflect.TypeFor[cases.PartnerMeasured](),
		"HSDSPage":        reflect.TypeFor[cases.HSDSPage](),
	})
}

// Users get an optional work address and phone: set when the account is
// made, changed by themselves on their account page, shown by GET
// /api/v1/me; bad values are named, in Dutch and in English, and change
// nothing.
func TestUserContactDetails(t *testing.T) {
	env := newTestEnv(t)
	// A coordinator makes the case accounts of its own organisation.
	admin, csrf := formLogin(t, env, "hoop.coord")
	form := url.Values{"csrf_token": {csrf}, "username": {"n.nieuw"}, "display_name": {"Nieuw"}, "organisation": {"al-amal"},
		"roles": {"coordinator"}, "password": {"een-lang-wachtwoord"}, "email": {"n.nieuw@al-amal.example"}, "phone": {"030 000 01 11"}}
	if res := admin.postForm("/admin/users", form); res.status != http.StatusSeeOther {
		t.Fatalf("create: %s", res)
	}
	list := admin.get("/admin/users")
	pageHas(t, "users page", list.body, "n.nieuw@al-amal.example", "030 000 01 11")
	u, err := env.app.Users.ByUsername(t.Context(), "n.nieuw")
	if err != nil || u.Email != "n.nieuw@al-amal.example" || u.MailPreference != cases.MailDigest {
		t.Fatalf("created: %+v %v (a coordinator's default is the digest)", u, err)
	}
	before := env.fingerprint(false)
	form.Set("username", "n.fout")
	form.Set("email", "geen adres")
	form.Set("phone", "bel me")
	res := admin.postForm("/admin/users", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad address: %s", res)
	}
	pageHas(t, "bad address", res.body, `id="err-email"`, `id="err-phone"`)
	if env.fingerprint(false) != before {
		t.Error("a refused account was written")
	}

	worker := env.pageLogin("hoop.worker")
	page := worker.get("/account")
	pageHas(t, "account", page.body, `value="immediate" checked`, `name="email"`)
	bad := worker.postForm("/account", url.Values{"csrf_token": {worker.pageToken()}, "email": {"x@"}, "phone": {"12"},
		"mail_preference": {"sometimes"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad account: %s", bad)
	}
	pageHas(t, "bad account", bad.body, `id="err-email"`, `id="err-phone"`, "E-mailadres")
	if env.fingerprint(false) != before {
		t.Error("a refused change was written")
	}
	worker.get("/lang/en?back=/account")
	en := worker.postForm("/account", url.Values{"csrf_token": {worker.pageToken()}, "email": {"x@"},
		"mail_preference": {"off"}})
	pageHas(t, "bad account in English", en.body, "E-mail address")
	ok := worker.postForm("/account", url.Values{"csrf_token": {worker.pageToken()}, "email": {" samira@al-amal.example "},
		"phone": {"030 000 01 12"}, "mail_preference": {"off"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("account: %s", ok)
	}
	me := env.login("hoop.worker").do("GET", "/api/v1/me", nil).json()["user"].(map[string]any)
	if me["email"] != "samira@al-amal.example" || me["phone"] != "030 000 01 12" || me["mail_preference"] != "off" {
		t.Errorf("me: %v", me)
	}
	if got := env.auditActions("user", "hoop.worker"); !strings.Contains(strings.Join(got, " "), "set_contact_details") {
		t.Errorf("the change is not audited: %v", got)
	}
}

// The outbox page: administrators only; in the demo without a mail server
// it shows the mails that would be sent; without mail it says so.
func TestMailOutboxPage(t *testing.T) {
	env := newNotifyEnv(t, NotifyConfig{ShowMail: true})
	env.setMailPreference("hoop.coord", "immediate")
	dock := env.login("dock.worker")
	dock.send(handoverBody(dock.dockResident("Outbox"), "al-amal"))
	admin := env.pageLogin("admin")
	page := admin.get("/admin/mail")
	pageHas(t, "outbox", page.body, "Demo zonder mailserver", "Buurtbrug: Nieuwe overdracht van DOCK voor Al Amal",
		"hoop.coord@demo.buurtbrug.example", "wacht")
	pageLacks(t, "outbox", page.body, "Outbox", "Amina", "06-12345678")
	for _, who := range []string{"hoop.coord", "hoop.worker", "programme"} {
		if res := env.pageLogin(who).get("/admin/mail"); res.status != http.StatusForbidden {
			t.Errorf("%s opens the outbox: %d", who, res.status)
		}
	}
	plain := newTestEnv(t)
	pageHas(t, "outbox without mail", env.pageLogin("admin").get("/admin/mail").body, "Demo zonder mailserver")
	pageHas(t, "outbox without mail", plain.pageLogin("admin").get("/admin/mail").body, "Er is geen mailserver ingesteld")
}

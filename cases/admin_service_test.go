package cases_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// A monitor token's secret is shown once, is recognisable by its prefix,
// works until it is revoked, and its use is noted at most every five
// minutes.
func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, _, err := f.tokens.Create(f.ctx, f.admin, cases.ReachTokenInput{Name: "  "})
	wantFields(t, "no name", err, "name:required")

	tok, secret, err := f.tokens.Create(f.ctx, f.admin, cases.ReachTokenInput{Name: " Monitor gemeente "})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "bbr_") || len(secret) < 40 || tok.Name != "Monitor gemeente" || tok.CreatedBy != "admin" ||
		!tok.CreatedAt.Equal(fixtureStart) || tok.LastUsedAt != nil {
		t.Errorf("created: %+v, secret %q", tok, secret)
	}
	_, second, _ := f.tokens.Create(f.ctx, f.admin, cases.ReachTokenInput{Name: "Tweede"})
	if second == secret {
		t.Fatal("two tokens share a secret")
	}
	list, err := f.tokens.Tokens(f.ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Tweede" || list[1].ID != tok.ID {
		t.Errorf("tokens, newest first: %+v %v", list, err)
	}
	if data, _ := json.Marshal(list); strings.Contains(string(data), secret) || strings.Contains(string(data), secret[4:]) {
		t.Error("the list shows a secret")
	}

	for name, bad := range map[string]string{
		"no prefix":     strings.TrimPrefix(secret, "bbr_"),
		"other prefix":  "xyz_" + strings.TrimPrefix(secret, "bbr_"),
		"unknown":       "bbr_" + strings.Repeat("A", 43),
		"too long":      secret + strings.Repeat("A", 100),
		"a changed one": secret[:len(secret)-1] + "!",
	} {
		_, err := f.tokens.Authenticate(f.ctx, bad)
		wantCode(t, name, err, cases.EUNAUTHORIZED, "token_invalid")
	}

	used := func(wantAt time.Time) {
		t.Helper()
		got, err := f.tokens.Authenticate(f.ctx, secret)
		if err != nil || got.ID != tok.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(wantAt) {
			t.Fatalf("authenticate: %+v %v, want last use %v", got, err, wantAt)
		}
		list, _ := f.tokens.Tokens(f.ctx)
		if stored := list[1].LastUsedAt; stored == nil || !stored.Equal(wantAt) {
			t.Errorf("stored last use %v, want %v", stored, wantAt)
		}
	}
	used(fixtureStart)
	f.advance(4 * time.Minute)
	used(fixtureStart) // not written again within five minutes
	f.advance(2 * time.Minute)
	used(fixtureStart.Add(6 * time.Minute))

	if err := f.tokens.Revoke(f.ctx, f.admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.tokens.Authenticate(f.ctx, secret)
	wantCode(t, "a revoked token", err, cases.EUNAUTHORIZED, "token_invalid")
	if _, err := f.tokens.Authenticate(f.ctx, second); err != nil {
		t.Errorf("the other token stopped working: %v", err)
	}
	wantCode(t, "revoked twice", f.tokens.Revoke(f.ctx, f.admin, tok.ID), cases.ENOTFOUND)
	wantCode(t, "no such token", f.tokens.Revoke(f.ctx, f.admin, 9999), cases.ENOTFOUND)
	if list, _ := f.tokens.Tokens(f.ctx); list[1].RevokedAt == nil || list[0].RevokedAt != nil {
		t.Errorf("revocation in the list: %+v", list)
	}
}

// Reference data is extended by administrators and used at once; a slug
// is never taken twice (storage maps the unique index to the field).
func TestReferenceAdministration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ref, err := f.reference.Reference(f.ctx, f.hoopWorker.OrganisationID)
	if err != nil || len(ref.Programmes) != 1 || ref.Programmes[0].Slug != "hoop" || len(ref.Topics) == 0 || len(ref.Organisations) != 16 {
		t.Errorf("Al Amal's reference data: %+v %v", ref.Programmes, err)
	}
	if all, _ := f.reference.Reference(f.ctx, 0); len(all.Programmes) != 5 {
		t.Errorf("all programmes: %d", len(all.Programmes))
	}

	term := cases.TermInput{Slug: "energie", NameNL: "Energie", NameEN: "Energy"}
	wantCode(t, "an unknown list", f.reference.AddTerm(f.ctx, f.admin, "colours", term), cases.ENOTFOUND)
	wantFields(t, "a slug with spaces", f.reference.AddTerm(f.ctx, f.admin, cases.ListTopics,
		cases.TermInput{Slug: "met spatie", NameNL: "a", NameEN: "a"}), "slug:slug")
	wantFields(t, "a taken topic", f.reference.AddTerm(f.ctx, f.admin, cases.ListTopics,
		cases.TermInput{Slug: "schulden", NameNL: "Schulden", NameEN: "Debts"}), "slug:taken")
	wantFields(t, "a taken kind", f.reference.AddTerm(f.ctx, f.admin, cases.ListKinds,
		cases.TermInput{Slug: "telefoon", NameNL: "Telefoon", NameEN: "Phone"}), "slug:taken")
	if err := f.reference.AddTerm(f.ctx, f.admin, cases.ListTopics, term); err != nil {
		t.Fatal(err)
	}
	ref, _ = f.reference.Reference(f.ctx, 0)
	if last := ref.Topics[len(ref.Topics)-1]; last.Slug != "energie" || last.NameEN != "Energy" {
		t.Errorf("the new topic is not last: %+v", last)
	}
	// The new term is usable at once.
	in := contactInput(f.hoopWorker, "")
	in.Anonymous, in.Topics = true, []string{"energie"}
	f.contact(f.hoopWorker, in)

	wantCode(t, "rename an unknown term", f.reference.RenameTerm(f.ctx, f.admin, cases.ListTopics, "water",
		cases.TermInput{NameNL: "Water", NameEN: "Water"}), cases.ENOTFOUND)
	if err := f.reference.RenameTerm(f.ctx, f.admin, cases.ListTopics, "energie",
		cases.TermInput{Slug: "ignored", NameNL: "Energiekosten", NameEN: "Energy bills"}); err != nil {
		t.Fatal(err)
	}
	ref, _ = f.reference.Reference(f.ctx, 0)
	if got, ok := ref.Term(cases.ListTopics, "energie"); !ok || got.NameNL != "Energiekosten" {
		t.Errorf("renamed: %+v %v", got, ok)
	}
	if _, ok := ref.Term(cases.ListTopics, "ignored"); ok {
		t.Error("a rename changed the slug")
	}

	wantFields(t, "a taken organisation", f.reference.AddOrganisation(f.ctx, f.admin,
		cases.OrganisationInput{Slug: "dock", Name: "DOCK 2"}), "slug:taken")
	if err := f.reference.AddOrganisation(f.ctx, f.admin, cases.OrganisationInput{Slug: "stichting-noord", Name: "Stichting Noord"}); err != nil {
		t.Fatal(err)
	}
	partners, _ := f.handovers.Partners(f.ctx, f.hoopWorker)
	if !slices.ContainsFunc(partners, func(o cases.Organisation) bool { return o.Slug == "stichting-noord" }) {
		t.Error("a new organisation does not receive handovers")
	}
	wantFields(t, "a programme of an unknown organisation", f.reference.AddProgramme(f.ctx, f.admin,
		cases.ProgrammeInput{Slug: "nieuw", Name: "Nieuw", Organisation: "nergens"}), "organisation:unknown")
	wantFields(t, "a taken programme", f.reference.AddProgramme(f.ctx, f.admin,
		cases.ProgrammeInput{Slug: "hoop", Name: "HOOP 2", Organisation: "al-amal"}), "slug:taken")
	if err := f.reference.AddProgramme(f.ctx, f.admin, cases.ProgrammeInput{Slug: "hoop-jong", Name: "HOOP Jong", Organisation: "al-amal"}); err != nil {
		t.Fatal(err)
	}
	if ref, _ := f.reference.Reference(f.ctx, f.hoopWorker.OrganisationID); len(ref.Programmes) != 2 {
		t.Errorf("Al Amal's programmes: %+v", ref.Programmes)
	}
	var created []string
	for _, e := range []string{cases.ListTopics, "organisation", "programme"} {
		created = append(created, f.audit(e, "")...)
	}
	if len(created) != 4 {
		t.Errorf("audit of the changes: %q", created)
	}
}

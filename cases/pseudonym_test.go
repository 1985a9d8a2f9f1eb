package cases

import "testing"

func TestNormaliseFamilyName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"van der Berg", "berg"},
		{"Berg, van der", "berg"},
		{"VAN DER BERG", "berg"},
		{"Van Der Berg", "berg"},
		{"  van  der   Berg  ", "berg"},
		{"Berg,van der", "berg"},
		{"van den Bérg", "berg"},
		{"de Boer", "boer"},
		{"Boer, de", "boer"},
		{"'t Hart", "hart"},
		{"’t Hart", "hart"},
		{"Hart, 't", "hart"},
		{"in 't Veld", "veld"},
		{"van 't Hof", "hof"},
		{"ter Horst", "horst"},
		{"Çelik", "celik"},
		{"ÇELİK", "celik"},
		{"Yılmaz", "yilmaz"},
		{"Yilmaz", "yilmaz"},
		{"Müller", "muller"},
		{"Dvořák", "dvorak"},
		{"Ødegaard", "odegaard"},
		{"Strauß", "strauss"},
		{"Wałęsa", "walesa"},
		{"El Amrani", "elamrani"},
		{"el-amrani", "elamrani"},
		{"Elamrani", "elamrani"},
		{"Mahabier-Ramdin", "mahabierramdin"},
		{"van der Berg-de Vries", "bergdevries"},
		{"Berg-de Vries, van der", "bergdevries"},
		// A prefix glued to the name is part of it.
		{"Vanderberg", "vanderberg"},
		// A name that is only a prefix word is kept, not emptied.
		{"Van", "van"},
		{"de", "de"},
		// Nothing to match on.
		{"", ""},
		{"   ", ""},
		{"-", ""},
		{", van der", ""},
	} {
		if got := NormaliseFamilyName(tc.in); got != tc.want {
			t.Errorf("NormaliseFamilyName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPseudonym(t *testing.T) {
	t.Parallel()
	secret := []byte("test-secret-0123456789abcdef0123456789abcdef")
	a := Pseudonym(secret, "van der Berg", "1975-06-01")
	if len(a) != 64 {
		t.Fatalf("pseudonym %q: want 64 hex characters", a)
	}
	for _, spelling := range []string{"Berg, van der", "VAN DER BERG", "van der Bèrg", " van der berg "} {
		if got := Pseudonym(secret, spelling, "1975-06-01"); got != a {
			t.Errorf("Pseudonym(%q) = %s, want %s", spelling, got, a)
		}
	}
	distinct := map[string]string{
		"other birth date": Pseudonym(secret, "van der Berg", "1975-06-02"),
		"other name":       Pseudonym(secret, "van den Bergh", "1975-06-01"),
		"other secret":     Pseudonym([]byte("another-secret-0123456789abcdef0123456789"), "van der Berg", "1975-06-01"),
	}
	for name, p := range distinct {
		if p == a || p == "" {
			t.Errorf("%s: pseudonym %q, want a different non-empty one", name, p)
		}
	}
	// Name and date must not run into each other: "ab"+"c..." vs "a"+"bc...".
	if Pseudonym(secret, "Ab", "1975-06-01") == Pseudonym(secret, "A", "b1975-06-01") {
		t.Error("name and birth date are not separated")
	}
	for _, tc := range []struct{ name, birth string }{
		{"", "1975-06-01"}, {"van der", ""}, {"Berg", ""}, {"  ", "1975-06-01"}, {"-", "1975-06-01"},
	} {
		if got := Pseudonym(secret, tc.name, tc.birth); got != "" {
			t.Errorf("Pseudonym(%q, %q) = %q, want none", tc.name, tc.birth, got)
		}
	}
	// The pseudonym does not contain the name or the date in the clear.
	if p := Pseudonym(secret, "Berg", "1975-06-01"); p == "berg" || len(p) != 64 {
		t.Errorf("pseudonym %q", p)
	}
}

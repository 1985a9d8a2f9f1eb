package demo

import (
	"context"
	"fmt"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
)

// The demo's partner directory. Offers and places follow the council
// letter; every phone number, address and website is made up (numbers
// starting 030 000 do not exist, .example domains are reserved).

type demoService struct {
	org string
	in  cases.PartnerServiceInput
}

func span(day, opens, closes, place string) cases.OpeningSpan {
	return cases.OpeningSpan{Day: day, Opens: opens, Closes: closes, Place: place}
}

// weekdays is the same span on Monday to Friday.
func weekdays(opens, closes string) []cases.OpeningSpan {
	var out []cases.OpeningSpan
	for _, d := range cases.Weekdays[:5] {
		out = append(out, span(d, opens, closes, ""))
	}
	return out
}

func contact(slug string, n int) (phone, email, web string) {
	return fmt.Sprintf("030 000 %02d %02d", n, n*3%100), "intake@" + slug + ".example", "https://" + slug + ".example"
}

func service(org string, n int, programme, name, offer, audience string, langs, topics []string,
	hours, dropIns []cases.OpeningSpan) demoService {
	phone, email, web := contact(org, n)
	return demoService{org: org, in: cases.PartnerServiceInput{Programme: programme, Name: name, Offer: offer,
		Audience: audience, Languages: langs, Topics: topics, Hours: hours, DropIns: dropIns, Phone: phone,
		Email: email, Website: web}}
}

var demoServices = []demoService{
	service("al-amal", 1, "hoop", "HOOP in Overvecht", "Deur aan deur en op het spreekuur: hulp bij rondkomen, brieven, regelingen en financiële gezondheid.",
		"Bewoners van Overvecht die moeilijk rondkomen, ook als ze de weg naar hulp niet zelf vinden.",
		[]string{"nl", "ar", "tr", "zgh"}, []string{"rondkomen", "schulden", "armoederegelingen"}, weekdays("09:00", "17:00"),
		[]cases.OpeningSpan{span("tu", "10:00", "12:00", "Burezina")}),
	service("dock", 2, "weggeefbus", "Weggeefbus", "Een bus die spullen weggeeft op straat; aanspreekpunt voor vragen in de buurt.",
		"Iedereen in de buurt.", []string{"nl", "en", "ar"}, []string{"rondkomen", "eenzaamheid"}, nil,
		[]cases.OpeningSpan{span("we", "13:00", "16:00", "Zambesidreef (bij de speeltuin)"), span("sa", "10:00", "13:00", "Winkelcentrum Overvecht")}),
	service("dok030", 3, "buren-helpen-buren", "Buren Helpen Buren", "Bewoners met ervaring helpen buren met post, formulieren en de weg naar hulp.",
		"Buurtbewoners die een steuntje in de rug willen.", []string{"nl", "tr", "so"}, []string{"rondkomen", "digitale-vaardigheden", "eenzaamheid"}, nil,
		[]cases.OpeningSpan{span("mo", "14:00", "16:00", "Bibliotheek Overvecht"), span("th", "10:00", "12:00", "Buurtcentrum De Boog")}),
	service("gemeente", 4, "bewonersverbinders", "Bewonersverbinders", "Cultuursensitieve verbinders bij renovatieblokken: schuldtraject, betalingsregeling, aanvragen, inzicht in geldzaken.",
		"Bewoners van de buurtaanpakken Zambesibuurt, THEMAdreven en 3S-dreven.", []string{"nl", "ar", "tr", "ti"},
		[]string{"schulden", "armoederegelingen", "verhuizen-renovatie"}, weekdays("09:00", "17:00"), nil),
	service("buurtteam", 5, "buurtteam-overvecht", "Buurtteam Overvecht (sociaal)", "Ondersteuning bij geld, werk, gezondheid, eenzaamheid en zorg; ook huisbezoek.",
		"Volwassen inwoners van Overvecht.", []string{"nl", "en", "ar", "tr"}, []string{"schulden", "gezondheid-zorg", "eenzaamheid", "veiligheid"},
		weekdays("08:30", "17:00"), []cases.OpeningSpan{span("we", "09:30", "11:30", "Buurtcentrum De Boog")}),
	service("buurtteam-jeugd-gezin", 6, "", "Buurtteam Jeugd & Gezin", "Hulp bij opvoeden en opgroeien, voor ouders en jongeren tot 18.",
		"Gezinnen met kinderen en jongeren in Overvecht.", []string{"nl", "en", "ar"}, []string{"opvoeden", "gezondheid-zorg"}, weekdays("08:30", "17:00"), nil),
	service("werkwinkel", 7, "", "Werkwinkel", "Hulp bij werk zoeken, vrijwilligerswerk en opleiding; Jongerenpunt voor 16+.",
		"Werkzoekenden en jongeren vanaf 16 jaar.", []string{"nl", "en"}, []string{"werk"}, weekdays("09:00", "16:30"),
		[]cases.OpeningSpan{span("th", "13:00", "15:00", "Bibliotheek Overvecht")}),
	service("taalalliantie", 8, "", "Taalalliantie (Digiwijs, Bibliotheek Utrecht, Taal Doet Meer)", "Taalcafés, taalmaatjes en hulp met de computer en DigiD.",
		"Iedereen die beter Nederlands wil leren of digitaal wil meedoen.", []string{"nl", "en", "ar", "tr", "uk"},
		[]string{"taal", "digitale-vaardigheden"}, nil, []cases.OpeningSpan{span("tu", "14:00", "16:00", "Bibliotheek Overvecht"), span("fr", "10:00", "12:00", "Bibliotheek Overvecht")}),
	service("u-centraal", 9, "", "U-Centraal", "Maatschappelijk werk en schuldhulp voor wie vastloopt met geld of papieren.",
		"Inwoners van Utrecht met schulden of geldzorgen.", []string{"nl", "en"}, []string{"schulden", "rondkomen"}, weekdays("09:00", "17:00"), nil),
	service("werk-en-inkomen", 10, "", "Werk en Inkomen", "Bijstand, toeslagen en armoederegelingen van de gemeente (U-pas, Energietoeslag).",
		"Inwoners van Utrecht met een laag inkomen.", []string{"nl", "en"}, []string{"armoederegelingen", "werk", "rondkomen"}, weekdays("08:30", "17:00"), nil),
	service("uwv", 11, "", "UWV", "WW, arbeidsongeschiktheid en hulp bij het vinden van werk.", "Werkzoekenden en wie niet (volledig) kan werken.",
		[]string{"nl", "en"}, []string{"werk"}, weekdays("08:00", "17:00"), nil),
	service("voedselbank", 12, "", "Voedselbank", "Wekelijks een voedselpakket, na een intake.", "Huishoudens die onder de norm van de voedselbank leven.",
		[]string{"nl", "en", "ar"}, []string{"rondkomen"}, nil, []cases.OpeningSpan{span("fr", "13:00", "16:00", "Uitgiftepunt Overvecht")}),
	service("portaal", 13, "", "Portaal", "Huurachterstand, reparaties en verhuizen bij renovatie.", "Huurders van Portaal.",
		[]string{"nl"}, []string{"verhuizen-renovatie", "schulden"}, weekdays("08:30", "17:00"), nil),
	service("woonin", 14, "", "Woonin", "Huurachterstand, woonbegeleiding en renovatie.", "Huurders van Woonin.",
		[]string{"nl"}, []string{"verhuizen-renovatie", "schulden"}, weekdays("08:30", "17:00"), nil),
	service("mitros", 15, "", "Mitros", "Huurachterstand, buurtbeheer en renovatie.", "Huurders van Mitros.",
		[]string{"nl"}, []string{"verhuizen-renovatie", "schulden", "veiligheid"}, weekdays("08:30", "17:00"), nil),
	service("schuldhulp", 16, "", "Schuldhulpverlening", "Schuldhulptraject, budgetbeheer en betalingsregelingen met schuldeisers.",
		"Inwoners met problematische schulden.", []string{"nl", "en"}, []string{"schulden"}, weekdays("09:00", "17:00"), nil),
}

// SeedPartners fills the directory of every partner, as the operator.
func SeedPartners(ctx context.Context, store *storage.DB) error {
	dir := cases.NewDirectoryService(store)
	for _, s := range demoServices {
		if _, err := dir.SaveService(ctx, cases.System, s.org, "", s.in); err != nil {
			return fmt.Errorf("demo partner %s: %w", s.org, err)
		}
	}
	return nil
}

package cases

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The directory as Open Referral HSDS 3.0 JSON: a page of organizations
// (the HSDS API's paginated answer, all on one page), each with its
// identifier (the Buurtbrug slug), programs, services, and attributes for
// what HSDS has no field for (handover deadlines, measured times). A
// service carries its phones, languages, schedules (opening hours), its
// drop-ins as service_at_locations with their schedules, and its topics as
// attributes of a Buurtbrug taxonomy. IDs are UUIDs: a service keeps its
// own; everything else gets one derived from what it describes, so an
// export of the same directory is the same document.

// HSDS taxonomies of Buurtbrug's attributes.
const (
	HSDSTopicTaxonomy    = "buurtbrug-topics"
	HSDSHandoverTaxonomy = "buurtbrug-handover"
	hsdsScheme           = "buurtbrug"
	hsdsSlug             = "slug"
)

// Handover attributes of an organization.
const (
	hsdsAcceptDays    = "accept-days"
	hsdsContactDays   = "contact-days"
	hsdsMedianAccept  = "median-workdays-to-accept"
	hsdsMedianContact = "median-workdays-to-contact"
)

var hsdsNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://buurtbrug.nl/hsds"))

// hsdsID derives the UUID of something an export describes.
func hsdsID(parts ...string) string {
	return uuid.NewSHA1(hsdsNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// HSDSPage is a page of the HSDS API.
type HSDSPage struct {
	TotalItems int                `json:"total_items"`
	TotalPages int                `json:"total_pages"`
	PageNumber int                `json:"page_number"`
	Size       int                `json:"size"`
	FirstPage  bool               `json:"first_page"`
	LastPage   bool               `json:"last_page"`
	Empty      bool               `json:"empty"`
	Contents   []HSDSOrganization `json:"contents"`
}

// HSDSOrganization is an HSDS organization.
type HSDSOrganization struct {
	ID                      string           `json:"id"`
	Name                    string           `json:"name"`
	Description             string           `json:"description"`
	OrganizationIdentifiers []HSDSIdentifier `json:"organization_identifiers"`
	Programs                []HSDSProgram    `json:"programs"`
	Services                []HSDSService    `json:"services"`
	Attributes              []HSDSAttribute  `json:"attributes"`
}

// HSDSIdentifier is an HSDS organization_identifier.
type HSDSIdentifier struct {
	ID               string `json:"id"`
	OrganizationID   string `json:"organization_id"`
	IdentifierScheme string `json:"identifier_scheme"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

// HSDSProgram is an HSDS program; alternate_name holds its slug.
type HSDSProgram struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	Name           string `json:"name"`
	AlternateName  string `json:"alternate_name"`
	Description    string `json:"description"`
}

// HSDSService is an HSDS service.
type HSDSService struct {
	ID                     string                  `json:"id"`
	OrganizationID         string                  `json:"organization_id"`
	ProgramID              string                  `json:"program_id,omitempty"`
	Name                   string                  `json:"name"`
	Description            string                  `json:"description"`
	URL                    string                  `json:"url,omitempty"`
	Email                  string                  `json:"email,omitempty"`
	Status                 string                  `json:"status"`
	EligibilityDescription string                  `json:"eligibility_description,omitempty"`
	LastModified           string                  `json:"last_modified"`
	Phones                 []HSDSPhone             `json:"phones"`
	Languages              []HSDSLanguage          `json:"languages"`
	Schedules              []HSDSSchedule          `json:"schedules"`
	ServiceAtLocations     []HSDSServiceAtLocation `json:"service_at_locations"`
	Attributes             []HSDSAttribute         `json:"attributes"`
}

// HSDSPhone is an HSDS phone.
type HSDSPhone struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id"`
	Number      string `json:"number"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// HSDSLanguage is an HSDS language.
type HSDSLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Name      string `json:"name"`
	Code      string `json:"code"`
}

// HSDSSchedule is an HSDS schedule: weekly, on one day.
type HSDSSchedule struct {
	ID                  string `json:"id"`
	ServiceID           string `json:"service_id,omitempty"`
	ServiceAtLocationID string `json:"service_at_location_id,omitempty"`
	Freq                string `json:"freq"`
	Byday               string `json:"byday"`
	OpensAt             string `json:"opens_at"`
	ClosesAt            string `json:"closes_at"`
	Description         string `json:"description"`
}

// HSDSServiceAtLocation is an HSDS service_at_location: a drop-in place.
type HSDSServiceAtLocation struct {
	ID          string         `json:"id"`
	ServiceID   string         `json:"service_id"`
	LocationID  string         `json:"location_id"`
	Description string         `json:"description"`
	Location    HSDSLocation   `json:"location"`
	Schedules   []HSDSSchedule `json:"schedules"`
}

// HSDSLocation is an HSDS location, by its name only.
type HSDSLocation struct {
	ID           string `json:"id"`
	LocationType string `json:"location_type"`
	Name         string `json:"name"`
}

// HSDSAttribute is an HSDS attribute with its taxonomy term.
type HSDSAttribute struct {
	ID             string           `json:"id"`
	LinkID         string           `json:"link_id"`
	LinkType       string           `json:"link_type"`
	LinkEntity     string           `json:"link_entity"`
	TaxonomyTermID string           `json:"taxonomy_term_id"`
	Value          string           `json:"value,omitempty"`
	TaxonomyTerm   HSDSTaxonomyTerm `json:"taxonomy_term"`
}

// HSDSTaxonomyTerm is an HSDS taxonomy_term.
type HSDSTaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
}

// languageNames names the languages partners most often offer, in Dutch.
var languageNames = map[string]string{
	"nl": "Nederlands", "en": "Engels", "ar": "Arabisch", "tr": "Turks", "pl": "Pools", "so": "Somalisch",
	"ti": "Tigrinya", "fa": "Perzisch", "prs": "Dari", "uk": "Oekraïens", "ru": "Russisch", "fr": "Frans",
	"de": "Duits", "es": "Spaans", "pap": "Papiaments", "srn": "Sranantongo", "zgh": "Tamazight", "ku": "Koerdisch",
	"bg": "Bulgaars", "ro": "Roemeens", "pt": "Portugees", "zh": "Chinees", "hi": "Hindi", "ur": "Urdu",
}

// LanguageName names a language code in Dutch (the code when unknown).
func LanguageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

// HSDS writes the directory as an HSDS page.
func HSDS(partners []Partner, ref *Reference) *HSDSPage {
	page := &HSDSPage{TotalItems: len(partners), TotalPages: 1, PageNumber: 1, Size: len(partners),
		FirstPage: true, LastPage: true, Empty: len(partners) == 0, Contents: []HSDSOrganization{}}
	for _, p := range partners {
		page.Contents = append(page.Contents, hsdsOrganization(p, ref))
	}
	return page
}

func hsdsOrganization(p Partner, ref *Reference) HSDSOrganization {
	id := hsdsID("organization", p.Organisation)
	o := HSDSOrganization{ID: id, Name: p.Name, Programs: []HSDSProgram{}, Services: []HSDSService{},
		OrganizationIdentifiers: []HSDSIdentifier{{ID: hsdsID("identifier", p.Organisation), OrganizationID: id,
			IdentifierScheme: hsdsScheme, IdentifierType: hsdsSlug, Identifier: p.Organisation}}}
	for _, pr := range ref.ProgrammesOf(p.OrganisationID) {
		o.Programs = append(o.Programs, HSDSProgram{ID: hsdsID("program", pr.Slug), OrganizationID: id, Name: pr.Name,
			AlternateName: pr.Slug, Description: pr.Name})
	}
	for _, s := range p.Services {
		o.Services = append(o.Services, hsdsService(s, id, ref))
		if o.Description == "" {
			o.Description = s.Offer
		}
	}
	attr := func(code, name, value string) HSDSAttribute {
		return hsdsAttribute(id, "organization", HSDSHandoverTaxonomy, code, name, name, value)
	}
	o.Attributes = []HSDSAttribute{
		attr(hsdsAcceptDays, "Werkdagen om een overdracht te accepteren", strconv.Itoa(p.Deadlines.AcceptDays)),
		attr(hsdsContactDays, "Werkdagen om contact te leggen", strconv.Itoa(p.Deadlines.ContactDays)),
	}
	if m := p.Measured; m != nil && m.MedianWorkdaysToAccept != nil {
		o.Attributes = append(o.Attributes, attr(hsdsMedianAccept, "Gemeten mediaan werkdagen tot acceptatie",
			strconv.FormatFloat(*m.MedianWorkdaysToAccept, 'f', -1, 64)))
	}
	if m := p.Measured; m != nil && m.MedianWorkdaysToContact != nil {
		o.Attributes = append(o.Attributes, attr(hsdsMedianContact, "Gemeten mediaan werkdagen tot eerste contact",
			strconv.FormatFloat(*m.MedianWorkdaysToContact, 'f', -1, 64)))
	}
	return o
}

func hsdsAttribute(linkID, entity, taxonomy, code, name, description, value string) HSDSAttribute {
	term := HSDSTaxonomyTerm{ID: hsdsID("term", taxonomy, code), Code: code, Name: name, Description: description,
		Taxonomy: taxonomy}
	return HSDSAttribute{ID: hsdsID("attribute", linkID, taxonomy, code), LinkID: linkID, LinkType: taxonomy,
		LinkEntity: entity, TaxonomyTermID: term.ID, Value: value, TaxonomyTerm: term}
}

func hsdsService(s PartnerService, orgID string, ref *Reference) HSDSService {
	out := HSDSService{ID: s.ID, OrganizationID: orgID, Name: s.Name, Description: s.Offer, URL: s.Website,
		Email: s.Email, Status: "active", EligibilityDescription: s.Audience,
		LastModified: s.UpdatedAt.UTC().Format(time.RFC3339), Phones: []HSDSPhone{}, Languages: []HSDSLanguage{},
		Schedules: []HSDSSchedule{}, ServiceAtLocations: []HSDSServiceAtLocation{}, Attributes: []HSDSAttribute{}}
	if s.Programme != "" {
		out.ProgramID = hsdsID("program", s.Programme)
	}
	if s.Phone != "" {
		out.Phones = append(out.Phones, HSDSPhone{ID: hsdsID("phone", s.ID), ServiceID: s.ID, Number: s.Phone,
			Type: "voice", Description: "Intake"})
	}
	for _, code := range s.Languages {
		out.Languages = append(out.Languages, HSDSLanguage{ID: hsdsID("language", s.ID, code), ServiceID: s.ID,
			Name: LanguageName(code), Code: code})
	}
	for i, h := range s.Hours {
		out.Schedules = append(out.Schedules, hsdsSchedule(hsdsID("schedule", s.ID, strconv.Itoa(i)), h, "Geopend"))
		out.Schedules[i].ServiceID = s.ID
	}
	for i, d := range s.DropIns {
		sal := hsdsID("drop-in", s.ID, strconv.Itoa(i))
		sch := hsdsSchedule(hsdsID("schedule", sal), d, "Inloopspreekuur")
		sch.ServiceAtLocationID = sal
		loc := HSDSLocation{ID: hsdsID("location", d.Place), LocationType: "physical", Name: d.Place}
		out.ServiceAtLocations = append(out.ServiceAtLocations, HSDSServiceAtLocation{ID: sal, ServiceID: s.ID,
			LocationID: loc.ID, Description: "Inloopspreekuur", Location: loc, Schedules: []HSDSSchedule{sch}})
	}
	for _, t := range s.Topics {
		term, _ := ref.Term(ListTopics, t)
		out.Attributes = append(out.Attributes, hsdsAttribute(s.ID, "service", HSDSTopicTaxonomy, t, term.NameNL,
			term.NameEN, ""))
	}
	return out
}

func hsdsSchedule(id string, s OpeningSpan, description string) HSDSSchedule {
	return HSDSSchedule{ID: id, Freq: "WEEKLY", Byday: strings.ToUpper(s.Day), OpensAt: s.Opens, ClosesAt: s.Closes,
		Description: description}
}

// hsdsSpans reads schedules back as spans at place; a schedule on several
// days ("MO,TU") is a span on each.
func hsdsSpans(schedules []HSDSSchedule, place string) []OpeningSpan {
	var out []OpeningSpan
	for _, sch := range schedules {
		for _, day := range strings.Split(sch.Byday, ",") {
			out = append(out, OpeningSpan{Day: strings.ToLower(strings.TrimSpace(day)), Opens: hhmm(sch.OpensAt),
				Closes: hhmm(sch.ClosesAt), Place: place})
		}
	}
	return out
}

// hhmm reads an HSDS time ("09:00" or "09:00:00").
func hhmm(t string) string {
	if len(t) == 8 && t[5] == ':' {
		return t[:5]
	}
	return t
}

// hsdsInput reads an HSDS service back as an entry; programs maps the
// organization's program IDs to slugs.
func hsdsInput(s HSDSService, programs map[string]string) PartnerServiceInput {
	in := PartnerServiceInput{Programme: programs[s.ProgramID], Name: s.Name, Offer: s.Description,
		Audience: s.EligibilityDescription, Email: s.Email, Website: s.URL, Languages: []string{}, Topics: []string{}}
	if len(s.Phones) > 0 {
		in.Phone = s.Phones[0].Number
	}
	for _, l := range s.Languages {
		in.Languages = append(in.Languages, l.Code)
	}
	in.Hours = hsdsSpans(s.Schedules, "")
	for _, sal := range s.ServiceAtLocations {
		in.DropIns = append(in.DropIns, hsdsSpans(sal.Schedules, sal.Location.Name)...)
	}
	for _, a := range s.Attributes {
		if a.TaxonomyTerm.Taxonomy == HSDSTopicTaxonomy && !slices.Contains(in.Topics, a.TaxonomyTerm.Code) {
			in.Topics = append(in.Topics, a.TaxonomyTerm.Code)
		}
	}
	return in
}

// hsdsSlugOf is the Buurtbrug slug an organization names.
func hsdsSlugOf(o HSDSOrganization) string {
	for _, id := range o.OrganizationIdentifiers {
		if id.IdentifierScheme == hsdsScheme && id.IdentifierType == hsdsSlug {
			return id.Identifier
		}
	}
	return ""
}

// hsdsLimits reads the deadlines an organization's attributes carry; ok
// is false when it carries none.
func hsdsLimits(o HSDSOrganization) (l HandoverLimits, ok bool) {
	for _, a := range o.Attributes {
		if a.TaxonomyTerm.Taxonomy != HSDSHandoverTaxonomy {
			continue
		}
		n, err := strconv.Atoi(a.Value)
		switch {
		case err != nil:
		case a.TaxonomyTerm.Code == hsdsAcceptDays:
			l.AcceptDays, ok = n, true
		case a.TaxonomyTerm.Code == hsdsContactDays:
			l.ContactDays, ok = n, true
		}
	}
	return l, ok
}

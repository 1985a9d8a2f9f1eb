package cases

import (
	"strconv"
	"strings"
	"time"
)

// The text of notification mails, Dutch first with English below. A mail
// says what happened, between which organisations, by when, and links to
// the handover; it never carries anything of the resident: mailFacts has
// no field that could hold a name, phone, question or story.

// mailFacts is all a notification mail may say.
type mailFacts struct {
	Kind     string
	From, To string // the sending and receiving organisations' names
	ToSender bool   // the recipient is on the sending side
	Deadline time.Time
	Prompt   int // working days overdue, for a redirect prompt
	Link     string
}

// mailLines are the sentences of each kind, Dutch and English, for the
// receiving side and (where the kind reaches it) the sending side.
// {from}, {to}, {date} and {days} are filled in.
var mailLines = map[string][4]string{
	// receiver NL, receiver EN, sender NL, sender EN
	NoticeArrived: {"Nieuwe overdracht van {from} voor {to}", "New handover from {from} for {to}", "", ""},
	NoticeAssigned: {"Overdracht van {from} is aan jou toegewezen",
		"A handover from {from} was assigned to you", "", ""},
	NoticeAcceptDueSoon: {"Nog één werkdag: overdracht van {from} uiterlijk {date} accepteren",
		"One working day left: accept the handover from {from} by {date}", "", ""},
	NoticeContactDueSoon: {"Nog één werkdag: uiterlijk {date} contact leggen (overdracht van {from})",
		"One working day left: make contact by {date} (handover from {from})", "", ""},
	NoticeAcceptOverdue: {"Te laat: overdracht van {from} is niet op tijd geaccepteerd (uiterlijk {date})",
		"Overdue: the handover from {from} was not accepted in time (by {date})",
		"Te laat: {to} heeft je overdracht niet op tijd geaccepteerd (uiterlijk {date})",
		"Overdue: {to} did not accept your handover in time (by {date})"},
	NoticeContactOverdue: {"Te laat: nog geen contact bij overdracht van {from} (uiterlijk {date})",
		"Overdue: no contact yet on the handover from {from} (by {date})",
		"Te laat: {to} heeft nog geen contact gelegd bij je overdracht (uiterlijk {date})",
		"Overdue: {to} has not made contact on your handover yet (by {date})"},
	NoticeAccepted: {"", "", "{to} heeft je overdracht geaccepteerd", "{to} accepted your handover"},
	NoticeContacted: {"", "", "{to} heeft contact gelegd bij je overdracht",
		"{to} made contact on your handover"},
	NoticeCompleted: {"", "", "{to} heeft je overdracht afgerond", "{to} completed your handover"},
	NoticeDeclined: {"", "", "{to} heeft je overdracht afgewezen: je kunt de bewoner doorsturen",
		"{to} declined your handover: you can redirect the resident"},
	NoticeRedirectPrompt: {"", "",
		"Je overdracht aan {to} wacht al {days} werkdagen te lang: bel {to}, of trek hem in en stuur door",
		"Your handover to {to} is {days} working days overdue: call {to}, or withdraw it and redirect"},
}

// lines returns the Dutch and English sentence of f.
func (f mailFacts) lines() (nl, en string) {
	l := mailLines[f.Kind]
	nl, en = l[0], l[1]
	if f.ToSender && l[2] != "" {
		nl, en = l[2], l[3]
	}
	last := f.Deadline.Add(-time.Millisecond).In(Amsterdam)
	fill := strings.NewReplacer("{from}", f.From, "{to}", f.To, "{days}", strconv.Itoa(f.Prompt),
		"{date}", last.Format("02-01-2006"))
	return fill.Replace(nl), fill.Replace(en)
}

// mailFooter closes every mail: why it says so little, and where to change
// what arrives.
func mailFooter(base string) string {
	return "\n-- \nDeze mail bevat bewust geen gegevens van de bewoner: die staan alleen in Buurtbrug.\n" +
		"This mail deliberately holds no details of the resident: they are in Buurtbrug only.\n" +
		"Mail-instellingen / mail settings: " + base + "/account\n"
}

// noticeMail is the mail of one notice.
func noticeMail(f mailFacts, base string) (subject, body string) {
	nl, en := f.lines()
	var b strings.Builder
	b.WriteString(nl + ".\nOpen de overdracht in Buurtbrug: " + f.Link + "\n\n")
	b.WriteString(en + ".\nOpen the handover in Buurtbrug: " + f.Link + "\n")
	b.WriteString(mailFooter(base))
	return "Buurtbrug: " + nl, b.String()
}

// digestMail is the daily digest of what still waits for a user.
func digestMail(items []mailFacts, base string) (subject, body string) {
	var nl, en strings.Builder
	for _, f := range items {
		n, e := f.lines()
		nl.WriteString("- " + n + "\n  " + f.Link + "\n")
		en.WriteString("- " + e + "\n  " + f.Link + "\n")
	}
	count := strconv.Itoa(len(items))
	body = "Dit wacht op je in Buurtbrug (" + count + "):\n" + nl.String() +
		"\nWaiting for you in Buurtbrug (" + count + "):\n" + en.String() + mailFooter(base)
	word := " meldingen"
	if len(items) == 1 {
		word = " melding"
	}
	return "Buurtbrug: " + count + word + " voor jou", body
}

package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// demoHandover is one made-up handover of the demo: who sends it to whom,
// how far it got, and how many days ago it was sent.
type demoHandover struct {
	from, to, receiver string
	state              string
	daysAgo            int
	topics             []string
	question, story    string
	scope              []string
}

var demoHandovers = []demoHandover{
	{"dock.worker", "al-amal", "hoop.worker", cases.StateRequested, 0, []string{"schulden"},
		"Heeft een stapel onbetaalde rekeningen en durft de post niet meer open te maken.",
		"Kwam langs bij de Weggeefbus voor kinderkleding. Alleenstaande moeder, twee kinderen.", []string{"name", "phone", "neighbourhood", "story"}},
	{"dock.worker", "al-amal", "hoop.worker", cases.StateRequested, 9, []string{"armoederegelingen"},
		"Weet niet welke regelingen er zijn voor de energierekening.", "", []string{"name", "phone"}},
	{"dock.worker", "buurtteam", "buurtteam.worker", cases.StateReceived, 4, []string{"eenzaamheid"},
		"Zoekt contact met buurtgenoten; voelt zich alleen sinds het overlijden van haar man.",
		"Vertelde uit zichzelf over haar situatie; staat open voor een bezoek thuis.", []string{"name", "phone", "neighbourhood", "story"}},
	{"bhb.worker", "al-amal", "hoop.coord", cases.StateAccepted, 16, []string{"schulden", "rondkomen"},
		"Achterstand bij de woningcorporatie; wil een betalingsregeling.", "", []string{"name", "phone", "birth_date"}},
	{"bv.worker", "al-amal", "hoop.worker", cases.StateContacted, 7, []string{"rondkomen"},
		"Vraagt hulp bij het aanvragen van de Utrechtse Energietoeslag.", "", []string{"name", "neighbourhood"}},
	{"dock.worker", "al-amal", "hoop.worker", cases.StateCompleted, 21, []string{"schulden"},
		"Brieven van een incassobureau.", "Spreekt weinig Nederlands; dochter vertaalt.", []string{"name", "phone", "story"}},
	{"hoop.worker", "buurtteam", "buurtteam.coord", cases.StateDeclined, 12, []string{"opvoeden"},
		"Zorgen over de schoolgang van de oudste zoon.", "", []string{"name", "phone"}},
	{"hoop.worker", "dock", "dock.coord", cases.StateCompleted, 30, []string{"eenzaamheid"},
		"Wil graag meedoen aan een activiteit in de buurt.", "", []string{"name", "neighbourhood"}},
	{"buurtteam.worker", "dock", "dock.worker", cases.StateRequested, 2, []string{"digitale-vaardigheden"},
		"Kan niet inloggen met DigiD en mist daardoor post van de gemeente.", "", []string{"name"}},
}

// travelling is the demo's one transaction, whose time can be set back.
type travelling interface{ SetNow(time.Time) }

// seedHandovers sends the demo handovers through the use cases, with the
// clock set back so that deadlines, receipt and overdue show on the screens:
// the store's clock and the time of the one transaction the demo loads in.
// Seed runs before the server starts serving, so nothing else reads the
// clock meanwhile; both are restored on return.
func seedHandovers(ctx context.Context, s Services, tx cases.Tx, actors map[string]cases.Actor) error {
	realNow := s.Store.Clock
	start := realNow()
	travel := func(t time.Time) {
		s.Store.Clock = func() time.Time { return t }
		if tx, ok := tx.(travelling); ok {
			tx.SetNow(t)
		}
	}
	defer func() {
		travel(start)
		s.Store.Clock = realNow
	}()
	for i, d := range demoHandovers {
		at := start.AddDate(0, 0, -d.daysAgo)
		travel(at)
		step := func(h time.Duration) { travel(at.Add(h)) }
		sender := actors[d.from]
		list, err := s.Residents.Find(ctx, sender, cases.ResidentFilter{Limit: 30})
		if err != nil || len(list.Residents) == 0 {
			return fmt.Errorf("demo handover %d: no resident of %s (%v)", i, d.from, err)
		}
		found := list.Residents
		way := ""
		if len(d.scope) > 1 && d.scope[1] == "phone" {
			way = "phone"
		}
		var h *cases.Handover
		// A resident already handed over to this partner, with the handover
		// still open, is not sent again: the next one is.
		for try := 0; h == nil && try < len(found); try++ {
			h, err = s.Handovers.Create(ctx, sender, cases.HandoverInput{
				ResidentID: found[(i*7+try)%len(found)].ID, To: d.to, Topics: d.topics, Question: d.question, Story: d.story,
				Urgency: map[bool]string{true: "urgent", false: "normal"}[i%4 == 1], PreferredContactWay: way,
				Consent: &cases.ConsentInput{Given: true, How: "verbal", Scope: d.scope},
			})
			if err != nil && !isOpenHandover(err) {
				return fmt.Errorf("demo handover %d: %w", i, err)
			}
		}
		if h == nil {
			return fmt.Errorf("demo handover %d: every resident of %s has an open handover to %s", i, d.from, d.to)
		}
		receiver := actors[d.receiver]
		if d.state == cases.StateRequested {
			continue
		}
		step(3 * time.Hour)
		if _, err := s.Handovers.ByID(ctx, receiver, h.ID); err != nil {
			return err
		}
		switch d.state {
		case cases.StateDeclined:
			step(26 * time.Hour)
			_, err = s.Handovers.Decline(ctx, receiver, h.ID, cases.DeclineInput{Reason: "no_capacity", Note: "Wachtlijst tot na de zomer."})
		case cases.StateAccepted, cases.StateContacted, cases.StateCompleted:
			step(26 * time.Hour)
			if _, err = s.Handovers.Accept(ctx, receiver, h.ID, cases.AcceptInput{}); err != nil || d.state == cases.StateAccepted {
				break
			}
			step(72 * time.Hour)
			if _, err = s.Handovers.RecordFirstContact(ctx, receiver, h.ID, cases.ContactedInput{How: "joint-visit",
				Neighbourhood: "zambesibuurt", Note: "Samen met de verwijzer langs geweest."}); err != nil || d.state == cases.StateContacted {
				break
			}
			step(240 * time.Hour)
			_, err = s.Handovers.Complete(ctx, receiver, h.ID, cases.CompleteInput{Outcome: "betalingsregeling",
				Note: "Betalingsregeling getroffen; bewoner weet ons te vinden."})
		}
		if err != nil {
			return fmt.Errorf("demo handover %d (%s): %w", i, d.state, err)
		}
	}
	return nil
}

// isOpenHandover reports whether err refuses a second open handover.
func isOpenHandover(err error) bool {
	var e *cases.Error
	return errors.As(err, &e) && len(e.Fields) == 1 && e.Fields[0].Tag == "handover_open"
}

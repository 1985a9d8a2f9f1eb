// Package demo loads the made-up demo data: logins of every role, residents,
// contacts across the last years and handovers in every state, all through
// the use cases. Never for a real database.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
)

// Services are the use cases the demo is loaded through. Store's clock is
// set back while the handovers are sent, so their deadlines show.
type Services struct {
	Store     *storage.DB
	Users     *cases.UserService
	Residents *cases.ResidentService
	Handovers *cases.HandoverService
}

// Password is the password of every demo account.
const Password = "overvecht-demo"

// User is one demo login.
type User struct {
	Username, Name, Organisation, Programme, Role string
}

// Users are the demo logins; other clients and tests rely on them.
var Users = []User{
	{"hoop.worker", "Samira (HOOP)", "al-amal", "hoop", cases.RoleWorker},
	{"hoop.coord", "Yusuf (HOOP coördinator)", "al-amal", "hoop", cases.RoleCoordinator},
	{"dock.worker", "Anouk (Weggeefbus)", "dock", "weggeefbus", cases.RoleWorker},
	{"dock.coord", "Ruud (DOCK coördinator)", "dock", "weggeefbus", cases.RoleCoordinator},
	{"bhb.worker", "Fatma (Buren Helpen Buren)", "dok030", "buren-helpen-buren", cases.RoleWorker},
	{"bv.worker", "Kwame (bewonersverbinder)", "gemeente", "bewonersverbinders", cases.RoleWorker},
	{"buurtteam.worker", "Iris (Buurtteam)", "buurtteam", "buurtteam-overvecht", cases.RoleWorker},
	{"buurtteam.coord", "Bram (Buurtteam coördinator)", "buurtteam", "buurtteam-overvecht", cases.RoleCoordinator},
	{"programme", "Programmateam Samen voor Overvecht", "gemeente", "", cases.RoleProgramme},
	{"admin", "Functioneel beheer", "gemeente", "", cases.RoleAdmin},
	{"hoop.privacy", "Privacyfunctionaris Al Amal", "al-amal", "", cases.RolePrivacy},
	{"dock.privacy", "Privacyfunctionaris DOCK", "dock", "", cases.RolePrivacy},
}

// Made-up names; any likeness to a real person is chance.
var (
	demoGiven  = []string{"Amina", "Bas", "Chaima", "Dewi", "Emre", "Fleur", "Gert", "Hafsa", "Ilse", "Jamal", "Karin", "Latifa", "Milan", "Nora", "Omar", "Petra", "Rachid", "Sanne", "Tarik", "Vera", "Wim", "Yara", "Zeynep", "Mohamed", "Anja"}
	demoFamily = []string{"de Boer", "El Idrissi", "Yilmaz", "van der Linden", "Bakker", "Ouali", "Kaya", "Jansen", "Mahabier", "van Dijk", "Amrani", "Demir", "Visser", "Ramdin", "de Wit", "Benali", "Çelik", "Smits", "Tahiri", "Mulder"}
)

// settingDemo marks a database whose data the demo loaded.
const settingDemo = "demo_data"

// ErrNotDemo refuses the demo on a database that holds anything else: the
// demo adds logins with a public password, an administrator's among them.
var ErrNotDemo = errors.New("--demo weigert deze database: er staan al accounts of gegevens in die niet van de demo zijn " +
	"(de demo zou er accounts met een openbaar wachtwoord aan toevoegen, ook een beheerder); " +
	"start zonder --demo, of geef een nieuwe database met --db")

// Seed loads the demo logins, residents, contacts and handovers into a new
// database, in one transaction: all of it or nothing. A database the demo
// loaded before is left alone; any other database is refused (ErrNotDemo).
// It returns whether it seeded.
func Seed(ctx context.Context, s Services) (bool, error) {
	loaded, err := isDemo(ctx, s.Store)
	if err != nil || loaded {
		return false, err
	}
	err = s.Store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		actors, err := CreateUsers(ctx, s)
		if err != nil {
			return err
		}
		if err := SeedPartners(ctx, s.Store); err != nil {
			return err
		}
		if err := seedContacts(ctx, s, actors); err != nil {
			return err
		}
		if err := seedHandovers(ctx, s, tx, actors); err != nil {
			return err
		}
		// More contacts than one write folds in at once: count them all now.
		if err := tx.Reach().RefreshReach(ctx); err != nil {
			return err
		}
		return tx.Settings().SetSetting(ctx, settingDemo, cases.FormatTime(s.Store.Now()))
	})
	return err == nil, err
}

// isDemo reports whether the demo loaded the database already, and refuses
// one that holds accounts the demo did not make, marked or not (a demo
// database someone added a real account to is no demo database any more).
func isDemo(ctx context.Context, store *storage.DB) (bool, error) {
	v := store.View(ctx)
	_, marked, err := v.Settings().Setting(ctx, settingDemo)
	if err != nil {
		return false, err
	}
	users, err := v.Users().Users(ctx, 0)
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if !slices.ContainsFunc(Users, func(du User) bool { return du.Username == u.Username }) {
			return false, ErrNotDemo
		}
	}
	return marked || len(users) > 0, nil
}

// CreateUsers makes the demo logins and returns them as actors. Their
// password is public and known to every user of the demo, so they are not
// asked to change it.
func CreateUsers(ctx context.Context, s Services) (map[string]cases.Actor, error) {
	actors := map[string]cases.Actor{}
	err := s.Store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		for _, du := range Users {
			u, err := CreateUser(ctx, s, du)
			if err != nil {
				return err
			}
			actors[du.Username] = u.Actor()
		}
		return nil
	})
	return actors, err
}

// CreateUser makes one demo login, whose public password needs no change.
func CreateUser(ctx context.Context, s Services, du User) (*cases.User, error) {
	var u *cases.User
	err := s.Store.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		var err error
		if u, err = s.Users.Create(ctx, cases.System, UserInput(du)); err != nil {
			return fmt.Errorf("demo user %s: %w", du.Username, err)
		}
		return tx.Users().SetMustChange(ctx, u.ID, false)
	})
	return u, err
}

// UserInput is the account of a demo login, with a made-up work address
// (.example is reserved: no mail can reach it).
func UserInput(du User) cases.UserInput {
	return cases.UserInput{Username: du.Username, DisplayName: du.Name, Organisation: du.Organisation,
		Programme: du.Programme, Roles: []string{du.Role}, Password: Password, Email: Email(du.Username)}
}

// Email is a demo login's made-up work address.
func Email(username string) string { return username + "@demo.buurtbrug.example" }

// seedContacts writes made-up residents and contacts across 2024 up to
// now, with some people known to more than one organisation.
func seedContacts(ctx context.Context, s Services, actors map[string]cases.Actor) error {
	rng := rand.New(rand.NewPCG(2024, 11))
	ref, err := s.Store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	// History reaches back before the usual window, so the seeder may write old contacts.
	history := cases.NewContactService(s.Store)
	history.Window = 4 * 365 * 24 * time.Hour
	now := s.Store.Now()
	start := time.Date(2024, 1, 8, 9, 0, 0, 0, cases.Amsterdam)
	span := now.Sub(start)
	workers := []User{Users[0], Users[2], Users[4], Users[5], Users[6]}
	pick := func(terms []cases.Term) string { return terms[rng.IntN(len(terms))].Slug }
	const people = 220
	for i := range people {
		given, family := demoGiven[rng.IntN(len(demoGiven))], demoFamily[i%len(demoFamily)]
		birth := time.Date(1940+rng.IntN(66), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		hood := pick(ref.Neighbourhoods[:4])
		// Most people are known to one programme; one in six to two.
		orgs := []User{workers[rng.IntN(len(workers))]}
		if i%6 == 0 {
			orgs = append(orgs, workers[(rng.IntN(len(workers)-1)+1+indexOf(workers, orgs[0]))%len(workers)])
		}
		for _, w := range orgs {
			in := cases.ResidentInput{GivenName: given, FamilyName: family, Neighbourhood: hood}
			if rng.IntN(5) > 0 { // not everyone gives a date of birth
				in.BirthDate = birth.Format(time.DateOnly)
			}
			if rng.IntN(3) == 0 {
				in.Phone = fmt.Sprintf("06-%08d", rng.IntN(100000000))
			}
			actor := actors[w.Username]
			r, err := s.Residents.Create(ctx, actor, in)
			if err != nil {
				return fmt.Errorf("demo resident: %w", err)
			}
			for range 1 + rng.IntN(3) {
				at := start.Add(time.Duration(rng.Int64N(int64(span))))
				if err := seedContact(ctx, history, actor, w.Programme, r.ID, hood, at, ref, rng); err != nil {
					return err
				}
			}
		}
	}
	// Anonymous contacts: people who gave no details still count as moments.
	for range 60 {
		w := workers[rng.IntN(len(workers))]
		at := start.Add(time.Duration(rng.Int64N(int64(span))))
		if err := seedContact(ctx, history, actors[w.Username], w.Programme, "", pick(ref.Neighbourhoods[:4]), at, ref, rng); err != nil {
			return err
		}
	}
	return nil
}

func seedContact(ctx context.Context, svc *cases.ContactService, actor cases.Actor, programme, residentID, hood string,
	at time.Time, ref *cases.Reference, rng *rand.Rand) error {
	in := cases.ContactInput{
		ID: uuid.NewString(), Programme: programme, OccurredAt: at.Format(time.RFC3339), Neighbourhood: hood,
		Kind: ref.Kinds[rng.IntN(len(ref.Kinds))].Slug, ResidentID: residentID, Anonymous: residentID == "",
		Topics: []string{ref.Topics[rng.IntN(len(ref.Topics))].Slug},
	}
	if rng.IntN(2) == 0 {
		in.Outcomes = []string{ref.Outcomes[rng.IntN(len(ref.Outcomes))].Slug}
	}
	if _, _, err := svc.Create(ctx, actor, in); err != nil {
		return fmt.Errorf("demo contact: %w", err)
	}
	return nil
}

func indexOf(list []User, u User) int {
	for i, x := range list {
		if x == u {
			return i
		}
	}
	return 0
}

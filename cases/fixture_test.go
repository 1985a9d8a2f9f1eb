package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestMain runs the tests on SQLite and, with BUURTBRUG_TEST_POSTGRES, those
// on a store on PostgreSQL too.
func TestMain(m *testing.M) {
	storagetest.Main(m, func(ctx context.Context, dsn string) error {
		db, err := storage.Open(ctx, dsn)
		if err != nil {
			return err
		}
		return db.Close()
	})
}

// The use-case tests run the services of package cases on a real store: a
// fresh database per test (storagetest: a SQLite file, or a PostgreSQL
// database on the second run) with the seeded reference data, a clock the
// test sets, and accounts of organisations that hand residents over to each
// other, plus others that must never see their records. Every test of this
// package that needs a store uses this one fixture.

// fixtureStart is a Wednesday, so working-day deadlines are easy to follow.
var fixtureStart = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

// fixtureSecret keys the pseudonyms (made up, like all test data).
const fixtureSecret = "cases-test-secret-0123456789abcdef0123"

type fixture struct {
	t   *testing.T
	ctx context.Context
	db  *storage.DB

	mu  sync.Mutex
	now time.Time
	// hashed counts the passwords UserService hashed (testPasswords).
	hashed int

	residents *cases.ResidentService
	contacts  *cases.ContactService
	handovers *cases.HandoverService
	timeline  *cases.TimelineService
	users     *cases.UserService
	tokens    *cases.TokenService
	reference *cases.ReferenceService

	// actors are the accounts below (and any a test adds), by username.
	actors map[string]cases.Actor
	// Al Amal runs HOOP; DOCK runs the Weggeefbus. Both send and receive.
	hoopWorker, hoopCoord cases.Actor
	dockWorker, dockCoord cases.Actor
	// bhbWorker (DOK030) and buurtteamWorker are of two more organisations.
	bhbWorker, buurtteamWorker cases.Actor
	// admin is the Gemeente's administrator.
	admin cases.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), now: fixtureStart, actors: map[string]cases.Actor{}}
	db, err := storage.Open(f.ctx, storagetest.DSN(t, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Clock = f.clock
	f.db = db
	f.residents = cases.NewResidentService(db, []byte(fixtureSecret))
	f.contacts = cases.NewContactService(db)
	f.handovers = cases.NewHandoverService(db, f.residents, f.contacts, cases.NewNotifyService(db))
	f.timeline = cases.NewTimelineService(f.residents, f.contacts, f.handovers)
	f.users = cases.NewUserService(db, testPasswords{f})
	f.tokens = cases.NewTokenService(db)
	f.reference = cases.NewReferenceService(db)

	f.hoopWorker = f.account("hoop.worker", "al-amal", "hoop", cases.RoleWorker)
	f.hoopCoord = f.account("hoop.coord", "al-amal", "hoop", cases.RoleCoordinator)
	f.dockWorker = f.account("dock.worker", "dock", "weggeefbus", cases.RoleWorker)
	f.dockCoord = f.account("dock.coord", "dock", "weggeefbus", cases.RoleCoordinator)
	f.bhbWorker = f.account("bhb.worker", "dok030", "buren-helpen-buren", cases.RoleWorker)
	f.buurtteamWorker = f.account("buurtteam.worker", "buurtteam", "buurtteam-overvecht", cases.RoleWorker)
	f.admin = f.account("admin", "gemeente", "", cases.RoleAdmin)
	return f
}

// fixtureAccounts is how many accounts newFixture makes.
const fixtureAccounts = 7

// testPasswords stands in for argon2id: "test-hash:" and the password,
// counted, so a test sees what was hashed.
type testPasswords struct{ f *fixture }

func (p testPasswords) Hash(password string) (string, error) {
	p.f.mu.Lock()
	p.f.hashed++
	p.f.mu.Unlock()
	return "test-hash:" + password, nil
}

func (testPasswords) Check(hash, password string) (bool, error) {
	return hash == "test-hash:"+password, nil
}

// hashes is how many passwords were hashed so far.
func (f *fixture) hashes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hashed
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// set puts the clock at t.
func (f *fixture) set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *fixture) advance(d time.Duration) { f.set(f.clock().Add(d)) }

// account creates an active account as the operator and returns its actor.
func (f *fixture) account(username, org, programme string, roles ...string) cases.Actor {
	f.t.Helper()
	u, err := f.users.Create(f.ctx, cases.System, cases.UserInput{Username: username, DisplayName: "Test " + username,
		Organisation: org, Programme: programme, Roles: roles, Password: "a long test password"})
	if err != nil {
		f.t.Fatalf("account %s: %v", username, err)
	}
	f.actors[username] = u.Actor()
	return u.Actor()
}

// person is a record's input: names, a birth date ("" for none) and a
// neighbourhood.
func person(given, family, birth string) cases.ResidentInput {
	return cases.ResidentInput{GivenName: given, FamilyName: family, BirthDate: birth, Neighbourhood: "zambesibuurt"}
}

// resident registers a record, failing the test on an error.
func (f *fixture) resident(actor cases.Actor, in cases.ResidentInput) *cases.Resident {
	f.t.Helper()
	r, err := f.residents.Create(f.ctx, actor, in)
	if err != nil {
		f.t.Fatalf("resident %+v: %v", in, err)
	}
	return r
}

// fullResident is a record with every field a handover can share.
func (f *fixture) fullResident(actor cases.Actor) *cases.Resident {
	f.t.Helper()
	return f.resident(actor, cases.ResidentInput{GivenName: "Fatima", FamilyName: "El Amrani", BirthDate: "1980-05-01",
		Phone: "06-1234 5678", Neighbourhood: "zambesibuurt", Gender: "vrouw", Note: "Alleen de afzender leest dit."})
}

// contactInput is a valid contact of actor's programme about residentID,
// or an anonymous one when residentID is "".
func contactInput(actor cases.Actor, residentID string) cases.ContactInput {
	return cases.ContactInput{ID: uuid.NewString(), Programme: actor.Programme, Neighbourhood: "zambesibuurt",
		Kind: "huisbezoek", ResidentID: residentID, Anonymous: residentID == "", Topics: []string{"schulden"}}
}

// contactAt is contactInput that happened at at.
func contactAt(actor cases.Actor, residentID string, at time.Time) cases.ContactInput {
	in := contactInput(actor, residentID)
	in.OccurredAt = at.Format(time.RFC3339)
	return in
}

// contact logs a contact, failing the test on an error.
func (f *fixture) contact(actor cases.Actor, in cases.ContactInput) *cases.Contact {
	f.t.Helper()
	c, created, err := f.contacts.Create(f.ctx, actor, in)
	if err != nil || !created {
		f.t.Fatalf("contact: created=%v, %v", created, err)
	}
	return c
}

// handoverInput hands residentID over to organisation to with consent for
// scope (the story is only sent when the scope covers it).
func handoverInput(residentID, to string, scope ...string) cases.HandoverInput {
	in := cases.HandoverInput{ResidentID: residentID, To: to, Topics: []string{"schulden"},
		Question: "Kan iemand helpen met een betalingsregeling?",
		Consent:  &cases.ConsentInput{Given: true, How: "verbal", Scope: scope}}
	if slices.Contains(scope, cases.ScopeStory) {
		in.Story = "Achterstand bij de energieleverancier."
	}
	return in
}

// handover sends a handover, failing the test on an error.
func (f *fixture) handover(sender cases.Actor, in cases.HandoverInput) *cases.Handover {
	f.t.Helper()
	h, err := f.handovers.Create(f.ctx, sender, in)
	if err != nil {
		f.t.Fatalf("handover: %v", err)
	}
	return h
}

// move checks that a move succeeded and returns the handover after it.
func (f *fixture) move(what string) func(h *cases.Handover, err error) *cases.Handover {
	return func(h *cases.Handover, err error) *cases.Handover {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("%s: %v", what, err)
		}
		return h
	}
}

// auditEntries reads the audit lines of one record (entity "" or id "": all
// of them), newest first.
func (f *fixture) auditEntries(entity, id string) []cases.AuditEntry {
	f.t.Helper()
	entries, err := f.db.View(f.ctx).Audit().AuditEntries(f.ctx, entity, id, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return entries
}

// audit reads the audit lines of one record, newest first, as "action
// detail".
func (f *fixture) audit(entity, id string) []string {
	f.t.Helper()
	var out []string
	for _, e := range f.auditEntries(entity, id) {
		out = append(out, e.Action+" "+e.Detail)
	}
	return out
}

// wantCode fails unless err is a domain error with code (and, when given,
// message key).
func wantCode(t *testing.T, what string, err error, code string, message ...string) {
	t.Helper()
	var e *cases.Error
	switch {
	case !errors.As(err, &e):
		t.Errorf("%s: got %v, want a %s error", what, err, code)
	case e.Code != code:
		t.Errorf("%s: got %v, want code %s", what, err, code)
	case len(message) > 0 && e.Message != message[0]:
		t.Errorf("%s: got message %q, want %q", what, e.Message, message[0])
	}
}

// wantFields fails unless err is EINVALID naming exactly these
// "field:tag" problems, in this order.
func wantFields(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if got := fieldsOf(err); got == nil || !slices.Equal(got, want) {
		t.Errorf("%s: got %v (fields %v), want EINVALID %v", what, err, got, want)
	}
}

// fieldsOf lists the "field:tag" problems of an EINVALID error, nil for
// any other.
func fieldsOf(err error) []string {
	var e *cases.Error
	if !errors.As(err, &e) || e.Code != cases.EINVALID {
		return nil
	}
	got := []string{}
	for _, fe := range e.Fields {
		got = append(got, fe.Field+":"+fe.Tag)
	}
	return got
}

// jsonKeys lists the keys of v as JSON, sorted.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func ptr[T any](v T) *T { return &v }

// second is the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }

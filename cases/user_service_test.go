package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

func TestMayManage(t *testing.T) {
	t.Parallel()
	const own, other = 1, 2
	admin := cases.Actor{OrganisationID: other, Roles: []string{cases.RoleAdmin}}
	coord := cases.Actor{OrganisationID: own, Roles: []string{cases.RoleCoordinator}}
	worker := cases.Actor{OrganisationID: own, Roles: []string{cases.RoleWorker}}
	for _, tc := range []struct {
		name  string
		actor cases.Actor
		org   int64
		roles []string
		ok    bool
	}{
		{"admin, anyone anywhere", admin, own, []string{cases.RoleCoordinator, cases.RoleAdmin}, true},
		{"coordinator, own worker", coord, own, []string{cases.RoleWorker}, true},
		{"coordinator, own coordinator", coord, own, []string{cases.RoleCoordinator}, false},
		{"coordinator, own worker who is also a coordinator", coord, own, []string{cases.RoleWorker, cases.RoleCoordinator}, false},
		{"coordinator, own programme user", coord, own, []string{cases.RoleProgramme}, false},
		{"coordinator, another organisation's worker", coord, other, []string{cases.RoleWorker}, false},
		{"worker, own worker", worker, own, []string{cases.RoleWorker}, false},
	} {
		err := cases.MayManage(tc.actor, tc.org, tc.roles)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if !tc.ok {
			wantCode(t, tc.name, err, cases.EFORBIDDEN, "may_not_manage_user")
		}
	}
}

// Accounts are made within MayManage; the rules that need no hash come
// first, so a refused request costs no hashing; a taken username is a
// field error (storage's mapping of the unique index).
func TestUserCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	input := func(username, org, programme string, roles ...string) cases.UserInput {
		return cases.UserInput{Username: username, DisplayName: "Nieuw", Organisation: org, Programme: programme,
			Roles: roles, Password: "een lang wachtwoord"}
	}
	hashed := f.hashed
	for _, tc := range []struct {
		name  string
		actor cases.Actor
		in    cases.UserInput
		code  string
		field string // "field:tag" of an EINVALID
	}{
		{"short password", f.admin, cases.UserInput{Username: "a.b", DisplayName: "A", Organisation: "dock", Roles: []string{"worker"}, Password: "kort"}, cases.EINVALID, "password:min"},
		{"capitals", f.admin, input("New.Worker", "dock", "", cases.RoleWorker), cases.EINVALID, "username:username"},
		{"unknown role", f.admin, input("a.b", "dock", "", "boss"), cases.EINVALID, "roles[0]:oneof"},
		{"unknown organisation", f.admin, input("a.b", "nergens", "", cases.RoleWorker), cases.EINVALID, "organisation:unknown"},
		{"another organisation's programme", f.admin, input("a.b", "dock", "hoop", cases.RoleWorker), cases.EINVALID, "programme:unknown"},
		{"a coordinator makes a coordinator", f.hoopCoord, input("a.b", "al-amal", "", cases.RoleCoordinator), cases.EFORBIDDEN, ""},
		{"a coordinator, another organisation", f.hoopCoord, input("a.b", "dock", "", cases.RoleWorker), cases.EFORBIDDEN, ""},
		{"a worker", f.hoopWorker, input("a.b", "al-amal", "", cases.RoleWorker), cases.EFORBIDDEN, ""},
	} {
		_, err := f.users.Create(f.ctx, tc.actor, tc.in)
		if tc.field != "" {
			wantFields(t, tc.name, err, tc.field)
		} else {
			wantCode(t, tc.name, err, tc.code)
		}
	}
	if f.hashed != hashed {
		t.Errorf("refused requests hashed %d passwords", f.hashed-hashed)
	}

	u, err := f.users.Create(f.ctx, f.hoopCoord, input(" new.worker ", "al-amal", "hoop", cases.RoleWorker))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Username != "new.worker" || !u.Active || u.OrganisationSlug != "al-amal" || u.Programme != "hoop" ||
		!u.CreatedAt.Equal(fixtureStart) || u.PasswordHash != "" {
		t.Errorf("created: %+v", u)
	}
	stored, err := f.users.ByUsername(f.ctx, "new.worker")
	if err != nil || stored.PasswordHash != "test-hash:een lang wachtwoord" || len(stored.Roles) != 1 || stored.Roles[0] != cases.RoleWorker {
		t.Errorf("stored: %+v %v", stored, err)
	}
	_, err = f.users.Create(f.ctx, f.admin, input("new.worker", "dock", "", cases.RoleWorker))
	wantFields(t, "a taken username", err, "username:taken")
	if got := f.audit("user", "new.worker"); len(got) != 1 || got[0] != "create roles=worker" {
		t.Errorf("audit: %q", got)
	}
}

// An administrator sees and reads every account; anyone else only their
// organisation's.
func TestUserFindAndAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	all, err := f.users.Find(f.ctx, f.admin)
	if err != nil || len(all) != 6 {
		t.Errorf("the admin sees %d accounts (%v), want 6", len(all), err)
	}
	own, err := f.users.Find(f.ctx, f.hoopCoord)
	if err != nil || len(own) != 2 || own[0].Username != "hoop.coord" || own[1].Username != "hoop.worker" {
		t.Errorf("a coordinator sees %v (%v)", own, err)
	}
	_, err = f.users.Account(f.ctx, f.hoopCoord, f.dockWorker.UserID)
	wantCode(t, "another organisation's account", err, cases.ENOTFOUND)
	_, err = f.users.Account(f.ctx, f.admin, 99999)
	wantCode(t, "no such account", err, cases.ENOTFOUND)
	for _, actor := range []cases.Actor{f.admin, f.hoopCoord, f.hoopWorker} {
		if u, err := f.users.Account(f.ctx, actor, f.hoopWorker.UserID); err != nil || u.Username != "hoop.worker" {
			t.Errorf("%s reads hoop.worker: %v %v", actor.Username, u, err)
		}
	}
}

// session gives the user a live session and returns its token hash.
func (f *fixture) session(userID int64, hash string) string {
	f.t.Helper()
	err := f.db.Update(f.ctx, func(ctx context.Context, tx cases.Tx) error {
		return tx.Sessions().InsertSession(ctx, cases.StoredSession{TokenHash: hash, UserID: userID, CSRFToken: "csrf",
			CreatedAt: tx.Now(), LastSeenAt: tx.Now(), ExpiresAt: tx.Now().Add(time.Hour)})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return hash
}

func (f *fixture) hasSession(hash string) bool {
	f.t.Helper()
	_, err := f.db.View(f.ctx).Sessions().Session(f.ctx, hash)
	if err != nil && cases.ErrorCode(err) != cases.ENOTFOUND {
		f.t.Fatal(err)
	}
	return err == nil
}

// Switching an account off ends its sessions; nobody switches themselves
// off; the accounts one may change follow MayManage.
func TestUserSetActive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	worker := f.session(f.hoopWorker.UserID, "worker-session")
	coord := f.session(f.hoopCoord.UserID, "coord-session")

	wantCode(t, "the admin switches themselves off", f.users.SetActive(f.ctx, f.admin, f.admin.UserID, false),
		cases.ECONFLICT, "cannot_deactivate_self")
	wantCode(t, "a coordinator switches off a coordinator", f.users.SetActive(f.ctx, f.hoopCoord, f.hoopCoord.UserID, false),
		cases.EFORBIDDEN)
	wantCode(t, "another organisation's worker", f.users.SetActive(f.ctx, f.hoopCoord, f.dockWorker.UserID, false), cases.ENOTFOUND)
	wantCode(t, "a worker", f.users.SetActive(f.ctx, f.hoopWorker, f.hoopWorker.UserID, false), cases.EFORBIDDEN)

	if err := f.users.SetActive(f.ctx, f.hoopCoord, f.hoopWorker.UserID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.users.ByUsername(f.ctx, "hoop.worker"); u.Active {
		t.Error("still active")
	}
	if f.hasSession(worker) || !f.hasSession(coord) {
		t.Errorf("sessions after switching hoop.worker off: worker %v, coordinator %v", f.hasSession(worker), f.hasSession(coord))
	}
	if err := f.users.SetActive(f.ctx, f.hoopCoord, f.hoopWorker.UserID, true); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.users.ByUsername(f.ctx, "hoop.worker"); !u.Active {
		t.Error("not active again")
	}
	if got := f.audit("user", "hoop.worker"); len(got) < 2 || got[0] != "activate " || got[1] != "deactivate " {
		t.Errorf("audit: %q", got)
	}
}

// A new password is checked before it is hashed, only for an account one
// may manage, and ends the account's sessions.
func TestUserSetPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	worker := f.session(f.hoopWorker.UserID, "worker-session")
	hashed := f.hashed
	wantFields(t, "too short", f.users.SetPassword(f.ctx, f.hoopCoord, f.hoopWorker.UserID, cases.PasswordInput{Password: "kort"}),
		"password:min")
	wantCode(t, "another organisation's account",
		f.users.SetPassword(f.ctx, f.hoopCoord, f.dockWorker.UserID, cases.PasswordInput{Password: "een nieuw wachtwoord"}), cases.ENOTFOUND)
	wantCode(t, "a coordinator's password, by a coordinator",
		f.users.SetPassword(f.ctx, f.dockCoord, f.dockCoord.UserID, cases.PasswordInput{Password: "een nieuw wachtwoord"}), cases.EFORBIDDEN)
	if f.hashed != hashed {
		t.Errorf("refused requests hashed %d passwords", f.hashed-hashed)
	}
	if err := f.users.SetPassword(f.ctx, f.hoopCoord, f.hoopWorker.UserID, cases.PasswordInput{Password: "een nieuw wachtwoord"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.users.ByUsername(f.ctx, "hoop.worker"); u.PasswordHash != "test-hash:een nieuw wachtwoord" {
		t.Errorf("hash %q", u.PasswordHash)
	}
	if f.hasSession(worker) {
		t.Error("the session outlived the new password")
	}
	if got := f.audit("user", "hoop.worker"); len(got) == 0 || got[0] != "reset_password " {
		t.Errorf("audit: %q", got)
	}
}

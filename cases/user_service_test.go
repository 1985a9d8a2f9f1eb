package cases_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The separation of duties: case accounts (workers, coordinators) are
// managed by a coordinator of their own organisation, office accounts
// (administrators, programme staff, privacy officers) by administrators,
// both by the operator; switching an account off or on reads nothing, so
// administrators may do that to any account.
func TestMayManage(t *testing.T) {
	t.Parallel()
	const own, other = 1, 2
	operator := cases.System
	admin := cases.Actor{OrganisationID: other, Roles: []string{cases.RoleAdmin}}
	coord := cases.Actor{OrganisationID: own, Roles: []string{cases.RoleCoordinator}}
	worker := cases.Actor{OrganisationID: own, Roles: []string{cases.RoleWorker}}
	privacy := cases.Actor{OrganisationID: own, Roles: []string{cases.RolePrivacy}}
	const (
		ok      = ""
		noCase  = "admin_no_case_accounts"
		mayNot  = "may_not_manage_user"
		anyRole = "any"
	)
	for _, tc := range []struct {
		name       string
		actor      cases.Actor
		org        int64
		roles      []string
		manage     string // "" or the message of the refusal
		deactivate bool
	}{
		{"operator, a case account", operator, own, []string{cases.RoleCoordinator}, ok, true},
		{"operator, an office account", operator, own, []string{cases.RoleAdmin}, ok, true},
		{"admin, another organisation's administrator", admin, own, []string{cases.RoleAdmin}, ok, true},
		{"admin, programme staff", admin, own, []string{cases.RoleProgramme}, ok, true},
		{"admin, a privacy officer", admin, own, []string{cases.RolePrivacy}, ok, true},
		{"admin, a worker", admin, own, []string{cases.RoleWorker}, noCase, true},
		{"admin, a worker of the own organisation", admin, other, []string{cases.RoleWorker}, noCase, true},
		{"admin, a coordinator", admin, own, []string{cases.RoleCoordinator}, noCase, true},
		{"coordinator, own worker", coord, own, []string{cases.RoleWorker}, ok, true},
		{"coordinator, own coordinator", coord, own, []string{cases.RoleCoordinator}, ok, true},
		{"coordinator, own worker who is also a coordinator", coord, own, []string{cases.RoleWorker, cases.RoleCoordinator}, ok, true},
		{"coordinator, own programme user", coord, own, []string{cases.RoleProgramme}, mayNot, false},
		{"coordinator, own privacy officer", coord, own, []string{cases.RolePrivacy}, mayNot, false},
		{"coordinator, another organisation's worker", coord, other, []string{cases.RoleWorker}, mayNot, false},
		{"worker, own worker", worker, own, []string{cases.RoleWorker}, mayNot, false},
		{"privacy officer, own worker", privacy, own, []string{cases.RoleWorker}, mayNot, false},
		{"privacy officer, own privacy officer", privacy, own, []string{cases.RolePrivacy}, mayNot, false},
	} {
		err := cases.MayManage(tc.actor, tc.org, tc.roles)
		if tc.manage == ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if tc.manage != ok {
			wantCode(t, tc.name, err, cases.EFORBIDDEN, tc.manage)
		}
		if err := cases.MayDeactivate(tc.actor, tc.org, tc.roles); (err == nil) != tc.deactivate {
			t.Errorf("%s: may deactivate: %v, want %v", tc.name, err, tc.deactivate)
		}
	}
	// The screens offer exactly the roles MayManage allows.
	for _, tc := range []struct {
		actor cases.Actor
		want  []string
	}{
		{operator, cases.AllRoles},
		{admin, []string{cases.RoleProgramme, cases.RoleAdmin, cases.RolePrivacy}},
		{coord, []string{cases.RoleWorker, cases.RoleCoordinator}},
		{worker, nil},
	} {
		if got := cases.AssignableRoles(tc.actor); !slices.Equal(got, tc.want) {
			t.Errorf("%v may give %v, want %v", tc.actor.Roles, got, tc.want)
		}
	}
}

// Accounts are made within MayManage; the rules that need no hash come
// first, so a refused request costs no hashing; a taken username is a
// field error (storage's mapping of the unique index). Someone else chose
// the password of a new account, so its user must change it.
func TestUserCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	input := func(username, org, programme string, roles ...string) cases.UserInput {
		return cases.UserInput{Username: username, DisplayName: "Nieuw", Organisation: org, Programme: programme,
			Roles: roles, Password: "een lang wachtwoord"}
	}
	withPassword := func(in cases.UserInput, password string) cases.UserInput {
		in.Password = password
		return in
	}
	hashed := f.hashes()
	for _, tc := range []struct {
		name  string
		actor cases.Actor
		in    cases.UserInput
		code  string // the code of another error, with its message
		field string // "field:tag" of an EINVALID
	}{
		{"short password", f.hoopCoord, withPassword(input("a.b", "al-amal", "", cases.RoleWorker), "kort"), "", "password:password_short"},
		{"a common password", f.hoopCoord, withPassword(input("a.b", "al-amal", "", cases.RoleWorker), "1qaz2wsx3edc"), "", "password:password_common"},
		{"the username in the password", f.hoopCoord, withPassword(input("an.nieuw", "al-amal", "", cases.RoleWorker), "ik ben An.Nieuw hoor"), "", "password:password_username"},
		{"a bad username", f.hoopCoord, input("a b", "al-amal", "", cases.RoleWorker), "", "username:username"},
		{"unknown role", f.admin, input("a.b", "dock", "", "boss"), "", "roles[0]:oneof"},
		{"a case and an office role", f.admin, input("a.b", "dock", "", cases.RoleCoordinator, cases.RoleAdmin), "", "roles:roles_separate"},
		{"unknown organisation", f.hoopCoord, input("a.b", "nergens", "", cases.RoleWorker), "", "organisation:unknown"},
		{"another organisation's programme", f.hoopCoord, input("a.b", "al-amal", "weggeefbus", cases.RoleWorker), "", "programme:unknown"},
		{"an administrator makes a worker", f.admin, input("a.b", "dock", "", cases.RoleWorker), cases.EFORBIDDEN + " admin_no_case_accounts", ""},
		{"a coordinator makes programme staff", f.hoopCoord, input("a.b", "al-amal", "", cases.RoleProgramme), cases.EFORBIDDEN + " may_not_manage_user", ""},
		{"a coordinator, another organisation", f.hoopCoord, input("a.b", "dock", "", cases.RoleWorker), cases.EFORBIDDEN + " may_not_manage_user", ""},
		{"a worker", f.hoopWorker, input("a.b", "al-amal", "", cases.RoleWorker), cases.EFORBIDDEN + " may_not_manage_user", ""},
	} {
		_, err := f.users.Create(f.ctx, tc.actor, tc.in)
		if tc.field != "" {
			wantFields(t, tc.name, err, tc.field)
		} else {
			code, message, _ := strings.Cut(tc.code, " ")
			wantCode(t, tc.name, err, code, message)
		}
	}
	if f.hashes() != hashed {
		t.Errorf("refused requests hashed %d passwords", f.hashes()-hashed)
	}

	// The username is trimmed and lower-cased.
	u, err := f.users.Create(f.ctx, f.hoopCoord, input(" New.Worker ", "al-amal", "hoop", cases.RoleWorker))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Username != "new.worker" || !u.Active || u.OrganisationSlug != "al-amal" || u.Programme != "hoop" ||
		!u.CreatedAt.Equal(fixtureStart) || u.PasswordHash != "" || !u.MustChangePassword {
		t.Errorf("created: %+v", u)
	}
	stored, err := f.users.ByUsername(f.ctx, "new.worker")
	if err != nil || stored.PasswordHash != "test-hash:een lang wachtwoord" || len(stored.Roles) != 1 || stored.Roles[0] != cases.RoleWorker ||
		!stored.MustChangePassword {
		t.Errorf("stored: %+v %v", stored, err)
	}
	// A coordinator makes the organisation's coordinators too; an
	// administrator the office accounts.
	if _, err := f.users.Create(f.ctx, f.hoopCoord, input("second.coord", "al-amal", "", cases.RoleCoordinator)); err != nil {
		t.Errorf("a coordinator makes a coordinator: %v", err)
	}
	if _, err := f.users.Create(f.ctx, f.admin, input("dock.privacy", "dock", "", cases.RolePrivacy)); err != nil {
		t.Errorf("an administrator makes a privacy officer: %v", err)
	}
	_, err = f.users.Create(f.ctx, f.admin, input("new.worker", "dock", "", cases.RoleProgramme))
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
	if err != nil || len(all) != fixtureAccounts {
		t.Errorf("the admin sees %d accounts (%v), want %d", len(all), err, fixtureAccounts)
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
// off; a coordinator switches the organisation's case accounts, an
// administrator any account (MayDeactivate).
func TestUserSetActive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hoopPrivacy := f.account("hoop.privacy", "al-amal", "", cases.RolePrivacy)
	worker := f.session(f.hoopWorker.UserID, "worker-session")
	coord := f.session(f.hoopCoord.UserID, "coord-session")

	wantCode(t, "the admin switches themselves off", f.users.SetActive(f.ctx, f.admin, f.admin.UserID, false),
		cases.ECONFLICT, "cannot_deactivate_self")
	wantCode(t, "a coordinator switches themselves off", f.users.SetActive(f.ctx, f.hoopCoord, f.hoopCoord.UserID, false),
		cases.ECONFLICT, "cannot_deactivate_self")
	wantCode(t, "a coordinator switches off the privacy officer", f.users.SetActive(f.ctx, f.hoopCoord, hoopPrivacy.UserID, false),
		cases.EFORBIDDEN, "may_not_manage_user")
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
	// The administrator may switch a case account back on: that reads nothing.
	if err := f.users.SetActive(f.ctx, f.admin, f.hoopWorker.UserID, true); err != nil {
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
// may manage; it ends the account's sessions, and its user must change it
// at the next login.
func TestUserSetPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hoopPrivacy := f.account("hoop.privacy", "al-amal", "", cases.RolePrivacy)
	worker := f.session(f.hoopWorker.UserID, "worker-session")
	hashed := f.hashes()
	fresh := cases.PasswordInput{Password: "een nieuw wachtwoord"}
	wantFields(t, "too short", f.users.SetPassword(f.ctx, f.hoopCoord, f.hoopWorker.UserID, cases.PasswordInput{Password: "kort"}),
		"password:password_short")
	wantFields(t, "the username in it", f.users.SetPassword(f.ctx, f.hoopCoord, f.hoopWorker.UserID,
		cases.PasswordInput{Password: "hoop.worker-2025"}), "password:password_username")
	wantCode(t, "another organisation's account", f.users.SetPassword(f.ctx, f.hoopCoord, f.dockWorker.UserID, fresh), cases.ENOTFOUND)
	wantCode(t, "the privacy officer's password, by a coordinator",
		f.users.SetPassword(f.ctx, f.hoopCoord, hoopPrivacy.UserID, fresh), cases.EFORBIDDEN, "may_not_manage_user")
	wantCode(t, "a worker's password, by an administrator",
		f.users.SetPassword(f.ctx, f.admin, f.hoopWorker.UserID, fresh), cases.EFORBIDDEN, "admin_no_case_accounts")
	if f.hashes() != hashed {
		t.Errorf("refused requests hashed %d passwords", f.hashes()-hashed)
	}
	if err := f.users.ChangeOwnPassword(f.ctx, f.hoopWorker, "", cases.OwnPasswordInput{Current: "a long test password",
		New: "mijn eigen wachtwoord"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.users.ByUsername(f.ctx, "hoop.worker"); u.MustChangePassword {
		t.Error("must change the password after choosing it")
	}
	if err := f.users.SetPassword(f.ctx, f.hoopCoord, f.hoopWorker.UserID, fresh); err != nil {
		t.Fatal(err)
	}
	if u, _ := f.users.ByUsername(f.ctx, "hoop.worker"); u.PasswordHash != "test-hash:een nieuw wachtwoord" || !u.MustChangePassword {
		t.Errorf("hash %q, must change %v", u.PasswordHash, u.MustChangePassword)
	}
	if f.hasSession(worker) {
		t.Error("the session outlived the new password")
	}
	if got := f.audit("user", "hoop.worker"); len(got) < 2 || got[0] != "reset_password " || got[1] != "change_password " {
		t.Errorf("audit: %q", got)
	}
	// An administrator sets the passwords of office accounts.
	if err := f.users.SetPassword(f.ctx, f.admin, hoopPrivacy.UserID, fresh); err != nil {
		t.Errorf("an administrator resets the privacy officer's password: %v", err)
	}
}

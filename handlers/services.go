package handlers

import (
	"context"
	"time"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

// The use cases the handlers call, as the handlers need them: package
// cases implements them, tests may fake them.

type authService interface {
	Login(ctx context.Context, username, password, address string) (*auth.Session, error)
	Authenticate(ctx context.Context, token string) (*auth.Session, error)
	Logout(ctx context.Context, sess *auth.Session) error
	Now() time.Time
	// TokenHash is the stored form of a session's token.
	TokenHash(sess *auth.Session) string
}

type policy interface {
	Allowed(ctx context.Context, gen int64, user, organisation, obj, act string) bool
}

type referenceCases interface {
	Reference(ctx context.Context, orgID int64) (*cases.Reference, error)
	AddTerm(ctx context.Context, actor cases.Actor, list string, in cases.TermInput) error
	RenameTerm(ctx context.Context, actor cases.Actor, list, slug string, in cases.TermInput) error
	AddOrganisation(ctx context.Context, actor cases.Actor, in cases.OrganisationInput) error
	AddProgramme(ctx context.Context, actor cases.Actor, in cases.ProgrammeInput) error
}

type residentCases interface {
	CreateOnce(ctx context.Context, actor cases.Actor, in cases.ResidentInput) (*cases.Resident, bool, error)
	Find(ctx context.Context, actor cases.Actor, f cases.ResidentFilter) (*cases.ResidentList, error)
	ByID(ctx context.Context, actor cases.Actor, id string) (*cases.Resident, error)
	Names(ctx context.Context, actor cases.Actor, ids []string) (map[string]string, error)
	Update(ctx context.Context, actor cases.Actor, id string, patch cases.ResidentPatch) (*cases.Resident, error)
	Matches(ctx context.Context, actor cases.Actor, m cases.MatchQuery) ([]*cases.Resident, error)
	Merge(ctx context.Context, actor cases.Actor, id string, in cases.MergeInput) (*cases.MergeResult, error)
	MergedInto(ctx context.Context, actor cases.Actor, id string) ([]*cases.Resident, error)
}

type timelineCases interface {
	Of(ctx context.Context, actor cases.Actor, id, cursor string) (*cases.Timeline, error)
}

type contactCases interface {
	Create(ctx context.Context, actor cases.Actor, in cases.ContactInput) (*cases.Contact, bool, error)
	Find(ctx context.Context, actor cases.Actor, f cases.ContactFilter) (*cases.ContactList, error)
	ByID(ctx context.Context, actor cases.Actor, id string) (*cases.Contact, error)
	Correct(ctx context.Context, actor cases.Actor, id string, patch cases.ContactPatch) (*cases.Contact, error)
	Void(ctx context.Context, actor cases.Actor, id string, in cases.VoidInput) (*cases.Contact, error)
}

type handoverCases interface {
	Create(ctx context.Context, actor cases.Actor, in cases.HandoverInput) (*cases.Handover, error)
	Find(ctx context.Context, actor cases.Actor, f cases.HandoverFilter) (*cases.HandoverList, error)
	ByID(ctx context.Context, actor cases.Actor, id string) (*cases.Handover, error)
	Accept(ctx context.Context, actor cases.Actor, id string, in cases.AcceptInput) (*cases.Handover, error)
	RecordFirstContact(ctx context.Context, actor cases.Actor, id string, in cases.ContactedInput) (*cases.Handover, error)
	Complete(ctx context.Context, actor cases.Actor, id string, in cases.CompleteInput) (*cases.Handover, error)
	Decline(ctx context.Context, actor cases.Actor, id string, in cases.DeclineInput) (*cases.Handover, error)
	Withdraw(ctx context.Context, actor cases.Actor, id string, in cases.WithdrawInput) (*cases.Handover, error)
	WithdrawConsent(ctx context.Context, actor cases.Actor, id string, in cases.ConsentWithdrawInput) (*cases.Handover, error)
	RenewConsent(ctx context.Context, actor cases.Actor, id string, in cases.ConsentRenewInput) (*cases.Handover, error)
	Redirect(ctx context.Context, actor cases.Actor, id string, in cases.RedirectInput) (*cases.Handover, error)
	Reassign(ctx context.Context, actor cases.Actor, id string, in cases.AcceptInput) (*cases.Handover, error)
	Partners(ctx context.Context, actor cases.Actor) ([]cases.Organisation, error)
	Assignees(ctx context.Context, actor cases.Actor) ([]cases.Assignee, error)
	AllLimits(ctx context.Context) (map[string]cases.HandoverLimits, error)
	SetLimits(ctx context.Context, actor cases.Actor, organisation string, l cases.HandoverLimits) error
}

type userCases interface {
	Create(ctx context.Context, actor cases.Actor, in cases.UserInput) (*cases.User, error)
	Find(ctx context.Context, actor cases.Actor) ([]*cases.User, error)
	List(ctx context.Context, actor cases.Actor, f cases.UserFilter) (*cases.UserList, error)
	Account(ctx context.Context, actor cases.Actor, id int64) (*cases.User, error)
	SetActive(ctx context.Context, actor cases.Actor, id int64, active bool) error
	SetPassword(ctx context.Context, actor cases.Actor, id int64, in cases.PasswordInput) error
	ChangeOwnPassword(ctx context.Context, actor cases.Actor, keep string, in cases.OwnPasswordInput) error
	Unlock(ctx context.Context, actor cases.Actor, id int64) error
	SetContactDetails(ctx context.Context, actor cases.Actor, id int64, in cases.ContactDetails) (*cases.User, error)
}

type reachCases interface {
	Table(ctx context.Context, viewer cases.ReachViewer, q cases.ReachQuery) (*cases.ReachTable, error)
	Publish(ctx context.Context, actor cases.Actor, period cases.Period) (*cases.ReachPublication, error)
	Published(ctx context.Context) ([]cases.ReachPublication, error)
	// Releases of issue 11: drafts under review, the versions of a period.
	Draft(ctx context.Context, actor cases.Actor, period cases.Period) (*cases.ReachRelease, error)
	Discard(ctx context.Context, actor cases.Actor, period cases.Period, version int) (*cases.ReachRelease, error)
	Releases(ctx context.Context, viewer cases.ReachViewer, period cases.Period) ([]cases.ReachRelease, error)
}

type tokenCases interface {
	Create(ctx context.Context, actor cases.Actor, in cases.ReachTokenInput) (*cases.ReachToken, string, error)
	Tokens(ctx context.Context) ([]cases.ReachToken, error)
	Revoke(ctx context.Context, actor cases.Actor, id int64) error
	Authenticate(ctx context.Context, secret string) (*cases.ReachToken, error)
}

type privacyCases interface {
	Export(ctx context.Context, actor cases.Actor, id string) (*cases.ResidentExport, error)
	Erase(ctx context.Context, actor cases.Actor, id string, in cases.ReasonInput) (*cases.Erasure, error)
	SetOwnGround(ctx context.Context, actor cases.Actor, id string, in cases.OwnGroundInput) (*cases.Resident, error)
	Settings(ctx context.Context) (map[string]cases.PrivacySettings, error)
	SetSettings(ctx context.Context, actor cases.Actor, organisation string, in cases.PrivacySettings) error
}

type auditCases interface {
	Find(ctx context.Context, actor cases.Actor, f cases.AuditFilter) (*cases.AuditPage, error)
	Refused(ctx context.Context, actor cases.Actor, what string) error
}

type notifyCases interface {
	Unread(ctx context.Context, actor cases.Actor) (cases.Unread, error)
	Notices(ctx context.Context, actor cases.Actor, f cases.NoticeFilter) (*cases.NoticeList, error)
	MarkAllRead(ctx context.Context, actor cases.Actor) error
	SendsMail() bool
}

type directoryCases interface {
	Partners(ctx context.Context, f cases.PartnerFilter) ([]cases.Partner, error)
	Find(ctx context.Context, f cases.PartnerFilter, cursor string, limit int) (*cases.PartnerList, error)
	Editable(ctx context.Context, actor cases.Actor, organisation string) (*cases.Partner, error)
	SaveService(ctx context.Context, actor cases.Actor, organisation, id string, in cases.PartnerServiceInput) (*cases.PartnerService, error)
	DeleteService(ctx context.Context, actor cases.Actor, organisation, id string) error
	ExportHSDS(ctx context.Context, f cases.PartnerFilter) (*cases.HSDSPage, error)
}

type mailCases interface {
	Mails(ctx context.Context, actor cases.Actor, f cases.MailFilter) (*cases.MailList, error)
}

// Services are the use cases a Server speaks HTTP for.
type Services struct {
	Auth      authService
	Policy    policy
	Reference referenceCases
	Residents residentCases
	Contacts  contactCases
	Handovers handoverCases
	Timeline  timelineCases
	Users     userCases
	Reach     reachCases
	Tokens    tokenCases
	Privacy   privacyCases
	Audit     auditCases
	Notify    notifyCases
	Directory directoryCases
	Mail      mailCases
}

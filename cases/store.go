package cases

import (
	"context"
	"time"
)

// This file holds every store interface, so that what a use case may ask
// of a database is read in one place (hence its length).

// Store is what the use cases need of a database. The use cases decide;
// a Store only stores, and answers ENOTFOUND for absent rows.
//
// Every write happens inside Update, in one transaction with one fixed Now
// and an audit writer, so a use case commits everything it changed, its
// audit line included, or nothing. The ctx that Update passes to fn carries
// the transaction: a use case that calls another inside fn passes that ctx
// on, and the inner Update joins the open transaction instead of waiting
// for a second one (which, with a single writer, would never come).
type Store interface {
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// View reads outside any write transaction, or inside the one ctx
	// carries (so a use case sees its own writes).
	View(ctx context.Context) View
	// Now is the store's clock; tests set it.
	Now() time.Time
}

// View is the read side of the repositories.
type View interface {
	Reference(ctx context.Context) (*Reference, error)
	Residents() ResidentReader
	Contacts() ContactReader
	Handovers() HandoverReader
	Users() UserReader
	Sessions() SessionReader
	Reach() ReachReader
	Tokens() TokenReader
	Audit() AuditReader
	Settings() SettingReader
	Notices() NoticeReader
	Outbox() OutboxReader
	Partners() PartnerReader
	Privacy() PrivacyReader
}

// PrivacyReader reads the organisations' privacy settings.
type PrivacyReader interface {
	// PrivacySettings returns the settings organisations set, by ID.
	PrivacySettings(ctx context.Context) (map[int64]PrivacySettings, error)
}

// PrivacyRepo writes them.
type PrivacyRepo interface {
	PrivacyReader
	SetPrivacySettings(ctx context.Context, orgID int64, s PrivacySettings) error
}

// Tx is one write transaction: the repositories with their writes, the
// transaction's fixed time and its audit writer.
type Tx interface {
	Now() time.Time
	Audit(e AuditRecord) error
	References() ReferenceRepo
	Residents() ResidentRepo
	Contacts() ContactRepo
	Handovers() HandoverRepo
	Users() UserRepo
	Sessions() SessionRepo
	Reach() ReachRepo
	Tokens() TokenRepo
	Settings() SettingRepo
	Notices() NoticeRepo
	Outbox() OutboxRepo
	Partners() PartnerRepo
	Privacy() PrivacyRepo
}

// SettingReader reads the deployment's settings.
type SettingReader interface {
	// Setting returns the value of key, and false when it is not set.
	Setting(ctx context.Context, key string) (string, bool, error)
}

// SettingRepo writes the deployment's settings.
type SettingRepo interface {
	SettingReader
	SetSetting(ctx context.Context, key, value string) error
}

// AuditRecord is one line for the audit log, written in the transaction of
// the change (or read) it records: who (and from which address), what, on
// which record, and every record a read returned.
type AuditRecord struct {
	Actor    Actor
	Action   string
	Entity   string
	EntityID string
	Detail   string
	// IDs are the records the action read or changed, beside EntityID.
	IDs []AuditID
	// Query is a search as typed. It is kept only as a keyed hash: a name
	// searched for must not outlive the erasure of the record it found,
	// yet "who searched for this name?" can still be answered.
	Query string
}

// AuditID names one record in an audit line.
type AuditID struct {
	Kind string // resident, contact, handover
	ID   string
}

// AuditReader reads the audit log.
type AuditReader interface {
	// AuditEntries returns the newest lines, optionally of one entity.
	AuditEntries(ctx context.Context, entity, entityID string, limit int) ([]AuditEntry, error)
	// FindAudit returns the lines of one organisation that match q, newest
	// first, from before q.Before (0: the newest).
	FindAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// QueryHash is the stored form of a search query (AuditRecord.Query).
	QueryHash(query string) string
}

// AuditQuery selects audit lines.
type AuditQuery struct {
	OrganisationID int64
	Username       string
	ResidentID     string // lines that name this record
	Action         string
	From, To       *time.Time
	QueryHash      string // searches for this query
	Before         int64  // line id: older lines only (paging)
	Limit          int
}

// ReferenceRepo changes reference data. Reads go through View.Reference.
type ReferenceRepo interface {
	// AddTerm appends a term to list; ECONFLICT-free: a taken slug is an
	// EINVALID error on "slug".
	AddTerm(ctx context.Context, list string, in TermInput) error
	// RenameTerm renames a term; false when list has no such slug.
	RenameTerm(ctx context.Context, list, slug string, in TermInput) (bool, error)
	AddOrganisation(ctx context.Context, in OrganisationInput) error
	AddProgramme(ctx context.Context, in ProgrammeInput, organisationID int64) error
}

// ResidentReader reads residents' records. orgID scopes every read: another
// organisation's record is ENOTFOUND, like an absent one.
type ResidentReader interface {
	Resident(ctx context.Context, orgID int64, id string) (*Resident, error)
	// ResidentOwner returns the organisation holding record id, ENOTFOUND
	// when no organisation does.
	ResidentOwner(ctx context.Context, id string) (int64, error)
	// FindResidents returns a page of the records that were not merged
	// into another, most recently changed first, and how many match.
	FindResidents(ctx context.Context, q ResidentQuery) (*ResidentResult, error)
	ResidentNames(ctx context.Context, orgID int64, ids []string) (map[string]string, error)
	// HasPseudonyms reports whether any person was linked by pseudonym.
	HasPseudonyms(ctx context.Context) (bool, error)
	ResidentHistory
	// PersonByPseudonym finds the person a pseudonym names (the one it was
	// merged into, if it was), 0 when none does; it makes none.
	PersonByPseudonym(ctx context.Context, pseudonym string) (int64, error)
	// ResidentsOfPerson lists the organisation's records of a person.
	ResidentsOfPerson(ctx context.Context, orgID, personID int64) ([]*Resident, error)
	// ResidentsBornIn lists the organisation's records with that birth year.
	ResidentsBornIn(ctx context.Context, orgID int64, year int) ([]*Resident, error)
	// MergedInto lists the records merged into record id.
	MergedInto(ctx context.Context, orgID int64, id string) ([]*Resident, error)
}

// ResidentRepo writes residents' records and the persons they link to.
type ResidentRepo interface {
	ResidentReader
	// PersonFor returns the person with this pseudonym (the one it was
	// merged into, if it was), making it when new; an empty pseudonym
	// always makes a new person.
	PersonFor(ctx context.Context, pseudonym string) (int64, error)
	InsertResident(ctx context.Context, r *Resident, search string) error
	// UpdateResident stores r; previous is kept as an earlier version.
	UpdateResident(ctx context.Context, r *Resident, search string, previous ResidentVersion) error
	// EraseResident blanks the record and everything of it: its versions,
	// its contacts' notes and versions, the texts and shared copies of the
	// handovers it sent or received. Its id and person link stay, so the
	// person still counts; erased records are absent to every reader.
	EraseResident(ctx context.Context, id string, at time.Time) error
	SetOwnGround(ctx context.Context, id, ground string, at time.Time, by int64) error
	// MergeResident moves everything that refers to record from (its
	// contacts, the handovers sent and received for it) to record into,
	// and marks from as merged into it; from's fields stay as they were.
	MergeResident(ctx context.Context, from, into *Resident, at Merge) (MergeCounts, error)
	// MergePerson makes every record of person from a record of person
	// into, and from's pseudonym name into from now on.
	MergePerson(ctx context.Context, from, into int64) error
}

// ResidentHistory reads what an access request needs beside the record.
type ResidentHistory interface {
	ResidentVersions(ctx context.Context, id string) ([]ResidentVersion, error)
	// RetentionDue lists the records of orgID with no contact, handover or
	// change since before.
	RetentionDue(ctx context.Context, orgID int64, before time.Time) ([]string, error)
}

// ContactInsert says what InsertContact did.
type ContactInsert struct {
	Inserted bool
	// Owner is the organisation of the contact that already holds the ID,
	// 0 when none does (then the resident was not the organisation's).
	Owner int64
	// ResidentID is the record the contact was stored under: the one a
	// merged record was merged into.
	ResidentID string
}

// ContactReader reads contacts, scoped by organisation.
type ContactReader interface {
	Contact(ctx context.Context, orgID int64, id string) (*Contact, error)
	ContactHistory(ctx context.Context, id string) ([]ContactVersion, error)
	FindContacts(ctx context.Context, q ContactQuery) (*ContactResult, error)
}

// ContactRepo writes contacts. A contact's reach facts follow its writes in
// the same transaction.
type ContactRepo interface {
	ContactReader
	// InsertContact writes c unless its ID is taken or its resident is not
	// a record of c's organisation. A contact about a record since merged
	// into another is stored with the record it was merged into.
	InsertContact(ctx context.Context, c *Contact) (ContactInsert, error)
	// CorrectContact keeps previous as an earlier version and stores c.
	CorrectContact(ctx context.Context, c *Contact, previous ContactVersion) error
	VoidContact(ctx context.Context, c *Contact) error
}

// HandoverReader reads handovers. orgID scopes: only the sending and the
// receiving organisation find a handover.
type HandoverReader interface {
	Handover(ctx context.Context, orgID int64, id string) (*HandoverRecord, error)
	FindHandovers(ctx context.Context, q HandoverQuery) (*HandoverPage, error)
	HandoverLimits(ctx context.Context, orgID int64) (HandoverLimits, error)
	// AllHandoverLimits returns the limits organisations set, by ID.
	AllHandoverLimits(ctx context.Context) (map[int64]HandoverLimits, error)
	// OpenHandoversTo lists the open handovers an organisation receives.
	OpenHandoversTo(ctx context.Context, orgID int64) ([]*HandoverRecord, error)
	// HandoversOfResident lists the handovers orgID sent from the record
	// or received into it.
	HandoversOfResident(ctx context.Context, orgID int64, residentID string) ([]*HandoverRecord, error)
	// ConsentEnded lists the handovers whose consent was withdrawn or ran
	// out by now and whose end has not reached the receiver yet.
	ConsentEnded(ctx context.Context, now time.Time) ([]*HandoverRecord, error)
	// OpenHandoverOf returns the ID of an open handover that organisation
	// fromOrgID sent for its record residentID to organisation toOrgID, ""
	// when there is none.
	OpenHandoverOf(ctx context.Context, fromOrgID int64, residentID string, toOrgID int64) (string, error)
}

// HandoverRepo writes handovers.
type HandoverRepo interface {
	HandoverReader
	InsertHandover(ctx context.Context, h *HandoverRecord) error
	// SaveHandover stores every changeable field of h and its consent.
	SaveHandover(ctx context.Context, h *HandoverRecord) error
	SetHandoverLimits(ctx context.Context, orgID int64, l HandoverLimits) error
}

// PrivacySettings are one organisation's retention and consent periods.
type PrivacySettings struct {
	RetentionMonths int `json:"retention_months" validate:"min=1,max=120"`
	ConsentMonths   int `json:"consent_months" validate:"min=1,max=60"`
}

// UserReader reads accounts. Roles come with each user.
type UserReader interface {
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	// Users lists the accounts of one organisation (0: all), by username.
	Users(ctx context.Context, orgID int64) ([]*User, error)
	// FindUsers reads a page of accounts in the order of Users (by
	// organisation slug, then username), after q.After, with their total.
	FindUsers(ctx context.Context, q UserQuery) (*UserResult, error)
	RoleAssignments(ctx context.Context) ([]RoleAssignment, error)
}

// RoleAssignment is one role of one user in their organisation.
type RoleAssignment struct {
	Username, Organisation, Role string
}

// UserRepo writes accounts; roles are written in the same transaction.
type UserRepo interface {
	UserReader
	// InsertUser stores u with its roles and password hash and sets u.ID;
	// a taken username is EINVALID on "username".
	InsertUser(ctx context.Context, u *User, passwordHash string) error
	SetActive(ctx context.Context, id int64, active bool) error
	// SetPassword stores a new hash; mustChange asks the user for a new
	// password at the next login.
	SetPassword(ctx context.Context, id int64, passwordHash string, mustChange bool) error
	SetMustChange(ctx context.Context, id int64, mustChange bool) error
	SetContactDetails(ctx context.Context, id int64, d ContactDetails) error
}

// StoredSession is one server-side session: only a hash of its token.
type StoredSession struct {
	TokenHash  string
	UserID     int64
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionReader reads sessions and failed logins.
type SessionReader interface {
	Session(ctx context.Context, tokenHash string) (*StoredSession, error)
	// CountFailures counts failed logins: of the pair since pairSince (with
	// the time of its last), and of the username and of the address alone
	// since since.
	CountFailures(ctx context.Context, username, address string, pairSince, since time.Time) (FailureCounts, error)
	// AuthGeneration changes whenever a session ends or an account's
	// activity, password or roles change, in any process on the database:
	// caches of sessions and policies compare it.
	AuthGeneration(ctx context.Context) (int64, error)
	CountSessions(ctx context.Context) (int, error)
}

// SessionRepo writes sessions and failed logins.
type SessionRepo interface {
	SessionReader
	InsertSession(ctx context.Context, s StoredSession) error
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions ends a user's sessions but keep (a token hash, or "").
	DeleteUserSessions(ctx context.Context, userID int64, keep string) error
	// DeleteExpired removes sessions past expiresBefore or idle since before
	// idleSince, and failed logins before failuresBefore.
	DeleteExpired(ctx context.Context, expiresBefore, idleSince, failuresBefore time.Time) error
	// RecordFailure counts a login attempt as failed until ForgetFailure.
	RecordFailure(ctx context.Context, username, address string, at time.Time) (int64, error)
	ForgetFailure(ctx context.Context, id int64) error
	// ClearFailures forgets the failures of username from address ("": from
	// anywhere).
	ClearFailures(ctx context.Context, username, address string) error
}

// FailureCounts are the failed logins that throttling weighs.
type FailureCounts struct {
	Pair     int // this username from this address
	PairLast time.Time
	User     int // this username from anywhere
	Address  int // any username from this address
}

// ReachProgramme is a programme as a row of the reach tables.
type ReachProgramme struct {
	ProgrammeLabel
	Active bool
}

// HandoverFlowRecord is one handover as table T5 counts it.
type HandoverFlowRecord struct {
	From, FromName, To, ToName string
	RequestedAt                time.Time
	AcceptedAt, ContactedAt    *time.Time
	FirstContactAt             *time.Time
	CompletedAt, DeclinedAt    *time.Time
}

// ReachReader reads the reach counters and releases.
type ReachReader interface {
	// ReachCounts returns the exact counts of periods from the counters,
	// with every programme that has counts (see ReachProgrammes).
	ReachCounts(ctx context.Context, periods []Period) (map[Period]ReachCounts, error)
	// ReachProgrammes lists every programme, active or not, by name.
	ReachProgrammes(ctx context.Context) ([]ReachProgramme, error)
	// HandoverFlows lists the handovers sent in [from, to).
	HandoverFlows(ctx context.Context, from, to time.Time) ([]HandoverFlowRecord, error)
	// ReachPending reports whether changes wait to be folded into the counters.
	ReachPending(ctx context.Context) (bool, error)
	// Releases lists every release of a year, oldest first, without their
	// tables and records.
	Releases(ctx context.Context, year int) ([]StoredRelease, error)
	// Publications lists every published release, newest first.
	Publications(ctx context.Context) ([]ReachPublication, error)
	// ReleaseTables reads the tables of one release as served.
	ReleaseTables(ctx context.Context, id int64) (map[string]*ReachTable, error)
	// ReleaseRecords reads the records of every release of a year that has
	// its own (not the columns of a published half-year or year), oldest
	// first.
	ReleaseRecords(ctx context.Context, year int) ([]ReleaseRecord, error)
}

// ReachRepo keeps the reach counters and stores releases.
type ReachRepo interface {
	ReachReader
	// RefreshReach folds every pending change into the counters.
	RefreshReach(ctx context.Context) error
	// RebuildReach recomputes the counters from the contacts.
	RebuildReach(ctx context.Context) error
	// NextVersion is the version number a new release of p gets.
	NextVersion(ctx context.Context, p Period) (int, error)
	// InsertRelease stores a new release with its tables and record (nil
	// for OriginColumns) and returns its ID.
	InsertRelease(ctx context.Context, r *StoredRelease, tables map[string]*ReachTable, record *ReleaseRecord) (int64, error)
	// SetReleaseStatus publishes or discards a draft (status, at, by).
	SetReleaseStatus(ctx context.Context, id int64, status string, at time.Time, by int64) error
}

// StoredToken is a monitor token with the hash of its secret.
type StoredToken struct {
	ReachToken
	Hash string
}

// TokenReader reads monitor tokens.
type TokenReader interface {
	Tokens(ctx context.Context) ([]ReachToken, error)
	// LiveToken finds the token that is not revoked with this hash.
	LiveToken(ctx context.Context, hash string) (*ReachToken, error)
}

// TokenRepo writes monitor tokens.
type TokenRepo interface {
	TokenReader
	InsertToken(ctx context.Context, t *StoredToken, by int64) error
	// RevokeToken ends a live token; false when there is none with id.
	RevokeToken(ctx context.Context, id int64, at time.Time) (bool, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

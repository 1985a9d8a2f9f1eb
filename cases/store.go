package cases

import (
	"context"
	"time"
)

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
	Notices() NoticeReader
	Outbox() OutboxReader
	Partners() PartnerReader
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
	Notices() NoticeRepo
	Outbox() OutboxRepo
	Partners() PartnerRepo
}

// AuditRecord is one line for the audit log, written in the transaction of
// the change (or read) it records.
type AuditRecord struct {
	Actor    Actor
	Action   string
	Entity   string
	EntityID string
	Detail   string
}

// AuditReader reads the audit log.
type AuditReader interface {
	// AuditEntries returns the newest lines, optionally of one entity.
	AuditEntries(ctx context.Context, entity, entityID string, limit int) ([]AuditEntry, error)
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
	// SearchResidents returns records whose search text holds every word,
	// most recently changed first.
	SearchResidents(ctx context.Context, orgID int64, words []string, limit int) ([]*Resident, error)
	ResidentNames(ctx context.Context, orgID int64, ids []string) (map[string]string, error)
}

// ResidentRepo writes residents' records and the persons they link to.
type ResidentRepo interface {
	ResidentReader
	// PersonFor returns the person with this pseudonym, making it when new;
	// an empty pseudonym always makes a new person.
	PersonFor(ctx context.Context, pseudonym string) (int64, error)
	InsertResident(ctx context.Context, r *Resident, search string) error
	UpdateResident(ctx context.Context, r *Resident, search string) error
}

// ContactInsert says what InsertContact did.
type ContactInsert struct {
	Inserted bool
	// Owner is the organisation of the contact that already holds the ID,
	// 0 when none does (then the resident was not the organisation's).
	Owner int64
}

// ContactReader reads contacts, scoped by organisation.
type ContactReader interface {
	Contact(ctx context.Context, orgID int64, id string) (*Contact, error)
	ContactHistory(ctx context.Context, id string) ([]ContactVersion, error)
	FindContacts(ctx context.Context, orgID int64, f ContactFilter) ([]*Contact, error)
}

// ContactRepo writes contacts. A contact's reach facts follow its writes in
// the same transaction.
type ContactRepo interface {
	ContactReader
	// InsertContact writes c unless its ID is taken or its resident is not
	// a record of c's organisation.
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
}

// HandoverRepo writes handovers.
type HandoverRepo interface {
	HandoverReader
	InsertHandover(ctx context.Context, h *HandoverRecord) error
	// SaveHandover stores every changeable field of h and its consent.
	SaveHandover(ctx context.Context, h *HandoverRecord) error
	SetHandoverLimits(ctx context.Context, orgID int64, l HandoverLimits) error
}

// UserReader reads accounts. Roles come with each user.
type UserReader interface {
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	// Users lists the accounts of one organisation (0: all), by username.
	Users(ctx context.Context, orgID int64) ([]*User, error)
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
	SetPassword(ctx context.Context, id int64, passwordHash string) error
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
	// CountFailures counts failed logins since the given time, by username
	// and by address.
	CountFailures(ctx context.Context, username, address string, since time.Time) (byUser, byAddress int, err error)
	// AuthGeneration changes whenever a session ends or an account's
	// activity, password or roles change, in any process on the database:
	// caches of sessions and policies compare it.
	AuthGeneration(ctx context.Context) (int64, error)
}

// SessionRepo writes sessions and failed logins.
type SessionRepo interface {
	SessionReader
	InsertSession(ctx context.Context, s StoredSession) error
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	// DeleteExpired removes sessions past expiresBefore or idle since before
	// idleSince, and failed logins before failuresBefore.
	DeleteExpired(ctx context.Context, expiresBefore, idleSince, failuresBefore time.Time) error
	RecordFailure(ctx context.Context, username, address string, at time.Time) error
	ClearFailures(ctx context.Context, username string) error
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

// StoredPublication is a published version as kept: its tables as served
// and the figures later publications are protected against.
type StoredPublication struct {
	ReachPublication
	Tables  map[string]*ReachTable
	Figures *PeriodFigures
}

// ReachReader reads the reach counters and publications.
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
	Publications(ctx context.Context) ([]ReachPublication, error)
	// Publication reads one version (0: the newest); ENOTFOUND when none.
	Publication(ctx context.Context, p Period, version int) (*StoredPublication, error)
	// NewestPublications reads the newest version of each of periods that
	// has one.
	NewestPublications(ctx context.Context, periods []Period) (map[Period]*StoredPublication, error)
}

// ReachRepo keeps the reach counters and stores publications.
type ReachRepo interface {
	ReachReader
	// RefreshReach folds every pending change into the counters.
	RefreshReach(ctx context.Context) error
	// RebuildReach recomputes the counters from the contacts.
	RebuildReach(ctx context.Context) error
	// NextVersion is the version number a new publication of p gets.
	NextVersion(ctx context.Context, p Period) (int, error)
	// InsertPublication stores pub; by is the publishing user.
	InsertPublication(ctx context.Context, pub *StoredPublication, by int64) error
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

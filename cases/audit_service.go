package cases

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Every read of personal data is audited with the records it returned;
// so is every refused access. The privacy officer of an organisation reads
// the organisation's lines (AuditService).

// audit writes one line in its own transaction, or in the one ctx carries.
func audit(ctx context.Context, store Store, rec AuditRecord) error {
	return store.Update(ctx, func(_ context.Context, tx Tx) error { return tx.Audit(rec) })
}

// refused records that actor asked for a record it may not see (absent,
// or another organisation's: both answer ENOTFOUND), and returns err.
func refused(ctx context.Context, store Store, actor Actor, entity, id string, err error) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	if aerr := audit(ctx, store, AuditRecord{Actor: actor, Action: "read_refused", Entity: entity,
		EntityID: truncate(id, 64)}); aerr != nil {
		return aerr
	}
	return err
}

// residentIDs names residents' records for an audit line.
func residentIDs(ids ...string) []AuditID {
	out := make([]AuditID, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, AuditID{Kind: "resident", ID: id})
		}
	}
	return out
}

// recordIDs names the records of a list for an audit line.
func recordIDs(list []*Resident) []AuditID {
	out := make([]AuditID, len(list))
	for i, r := range list {
		out[i] = AuditID{Kind: "resident", ID: r.ID}
	}
	return out
}

// AuditService lets an organisation's privacy officer read its audit.
type AuditService struct{ store Store }

// NewAuditService returns the service.
func NewAuditService(store Store) *AuditService { return &AuditService{store: store} }

// AuditFilter selects audit lines for the privacy officer.
type AuditFilter struct {
	User       string // username
	ResidentID string // lines about this record: "who saw this resident?"
	Action     string
	Query      string // searches for this text (compared by its keyed hash)
	From, To   *time.Time
	Cursor     string
	Limit      int
}

// AuditPage is one page of lines, newest first.
type AuditPage struct {
	Entries    []AuditEntry `json:"entries"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// MaxAuditPage is the most lines one page holds.
const MaxAuditPage = 500

// Find reads the lines of the actor's organisation that match f. Reading
// the audit is audited too.
func (s *AuditService) Find(ctx context.Context, actor Actor, f AuditFilter) (*AuditPage, error) {
	q := AuditQuery{OrganisationID: actor.OrganisationID, Username: strings.ToLower(f.User), ResidentID: strings.ToLower(f.ResidentID),
		Action: f.Action, From: f.From, To: f.To, Limit: f.Limit}
	var problems []FieldError
	if q.Limit == 0 {
		q.Limit = 100
	} else if q.Limit < 1 || q.Limit > MaxAuditPage {
		problems = append(problems, FieldError{Field: "limit", Tag: "range", Param: "1-" + itoa(MaxAuditPage)})
	}
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n < 1 {
			problems = append(problems, FieldError{Field: "cursor", Tag: "cursor"})
		}
		q.Before = n
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		problems = append(problems, FieldError{Field: "to", Tag: "after_from"})
	}
	if err := InvalidOrNil(problems); err != nil {
		return nil, err
	}
	v := s.store.View(ctx)
	if f.Query != "" {
		q.QueryHash = v.Audit().QueryHash(f.Query)
	}
	q.Limit++ // one more tells whether there is a next page
	entries, err := v.Audit().FindAudit(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &AuditPage{Entries: entries}
	if len(entries) == q.Limit {
		page.Entries = entries[:q.Limit-1]
		page.NextCursor = strconv.FormatInt(page.Entries[len(page.Entries)-1].ID, 10)
	}
	for i := range page.Entries {
		page.Entries[i].Detail = shownDetail(page.Entries[i])
	}
	return page, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "read", Entity: "audit",
		Detail: "results=" + strconv.Itoa(len(page.Entries)), IDs: residentIDs(q.ResidentID)})
}

// shownDetail is a line's detail as the audit API shows it: with the
// address it came from and the records it named.
func shownDetail(e AuditEntry) string {
	parts := []string{}
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	if e.Address != "" {
		parts = append(parts, "address="+e.Address)
	}
	if len(e.IDs) > 0 {
		ids := make([]string, len(e.IDs))
		for i, id := range e.IDs {
			ids[i] = id.Kind + ":" + id.ID
		}
		parts = append(parts, "ids="+strings.Join(ids, ","))
	}
	return strings.Join(parts, " ")
}

// Refused records a request the policy refused (403), so a privacy officer
// sees who tried what.
func (s *AuditService) Refused(ctx context.Context, actor Actor, what string) error {
	return audit(ctx, s.store, AuditRecord{Actor: actor, Action: "refused", Entity: "route", EntityID: truncate(what, 100)})
}

// AuditOrganisation is the kind of audit id that shows a line to an
// organisation other than the actor's (see accountAudit).
const AuditOrganisation = "organisation"

// AuditHead is the newest line of the audit chain. The chain proves edits
// inside the log but not that its newest lines were cut off; a head kept
// outside the database does.
type AuditHead struct {
	Line int64
	Hash string
}

// auditMarkChars of a line's hash are enough to recognise it.
const auditMarkChars = 16

// Mark is how a head is kept outside the server: "LINE:HASH", the hash
// cut short.
func (h AuditHead) Mark() string {
	return strconv.FormatInt(h.Line, 10) + ":" + h.Hash[:min(len(h.Hash), auditMarkChars)]
}

// ParseAuditMark reads a Mark.
func ParseAuditMark(s string) (AuditHead, bool) {
	line, hash, ok := strings.Cut(s, ":")
	id, err := strconv.ParseInt(line, 10, 64)
	if !ok || err != nil || id <= 0 || len(hash) < 8 || strings.Trim(hash, "0123456789abcdef") != "" {
		return AuditHead{}, false
	}
	return AuditHead{Line: id, Hash: hash}, true
}

// Holds reports whether hash, the stored hash of the mark's line, is the
// one the mark saw.
func (h AuditHead) Holds(hash string) bool { return hash != "" && strings.HasPrefix(hash, h.Hash) }

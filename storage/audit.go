package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The audit log is append-only (triggers) and chained: each line's hash is
// an HMAC over the previous line's hash and the line itself, with its ids.
// The key is derived from the deployment secret, which is not in the
// database file, so whoever has the file can neither edit a line nor
// rewrite the chain after it without the check noticing.

// SetAuditKey sets the key of the audit chain and of stored queries. Call
// it once, before the first write.
func (db *DB) SetAuditKey(key []byte) { db.auditKey = key }

const (
	auditInsert = `INSERT INTO audit_log (at, user_id, username, organisation_id, action, entity, entity_id, detail,
		address, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	auditLastHash = `SELECT COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '')`
	auditIDInsert = `INSERT INTO audit_ids (audit_id, kind, id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
)

func init() { hotStatements = append(hotStatements, auditInsert, auditLastHash, auditIDInsert) }

// auditLine is what the chain's hash covers.
type auditLine struct {
	at, username, action, entity, entityID, detail, address string
	userID, orgID                                           int64
	ids                                                     []cases.AuditID
}

func (l auditLine) hash(key []byte, prev string) string {
	mac := hmac.New(sha256.New, key)
	fields := []string{prev, l.at, strconv.FormatInt(l.userID, 10), l.username, strconv.FormatInt(l.orgID, 10),
		l.action, l.entity, l.entityID, l.detail, l.address}
	for _, id := range l.ids {
		fields = append(fields, id.Kind+":"+id.ID)
	}
	for _, f := range fields {
		mac.Write([]byte(f))
		mac.Write([]byte{0})
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// sortedIDs puts ids in the order the chain hashes them.
func sortedAuditIDs(ids []cases.AuditID) []cases.AuditID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b cases.AuditID) int {
		return strings.Compare(a.Kind+":"+a.ID, b.Kind+":"+b.ID)
	})
	return slices.Compact(out)
}

// QueryHash is the stored form of a search query: keyed, so it cannot be
// reversed, and normalised, so the same search matches however typed.
func (db *DB) queryHash(query string) string {
	q := strings.Join(strings.Fields(strings.ToLower(query)), " ")
	if q == "" {
		return ""
	}
	mac := hmac.New(sha256.New, db.auditKey)
	mac.Write([]byte("buurtbrug/audit-query/v1\x00" + q))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// Audit appends one line to the audit log inside tx, chained to the last.
func (tx *Tx) Audit(e cases.AuditRecord) error {
	detail := e.Detail
	if h := tx.db.queryHash(e.Query); h != "" {
		detail = strings.TrimSpace(detail + " query=" + h)
	}
	line := auditLine{at: cases.FormatTime(tx.now), userID: e.Actor.UserID, username: e.Actor.Username,
		orgID: e.Actor.OrganisationID, action: e.Action, entity: e.Entity, entityID: e.EntityID, detail: detail,
		address: e.Actor.Address, ids: sortedAuditIDs(e.IDs)}
	if !tx.head.known {
		if err := tx.queryRowPrepared(auditLastHash).Scan(&tx.head.hash); err != nil {
			return err
		}
		tx.head.known = true
	}
	hash := line.hash(tx.db.auditKey, tx.head.hash)
	var id int64
	if err := tx.queryRowPrepared(auditInsert, line.at, nullInt(line.userID), line.username, nullInt(line.orgID),
		line.action, line.entity, line.entityID, line.detail, line.address, hash).Scan(&id); err != nil {
		tx.head.known = false
		return err
	}
	tx.head.hash = hash
	for _, x := range line.ids {
		if _, err := tx.execPrepared(auditIDInsert, id, x.Kind, x.ID); err != nil {
			return err
		}
	}
	return nil
}

// VerifyAudit checks the chain from its first hashed line: it returns the
// id of the first line that does not follow from the one before (0: the
// chain holds) and how many lines it checked. Lines without a hash before
// the first hashed one are from before the chain; a log with lines but no
// hashed one has had its chain taken away (its first line is named).
func (db *DB) VerifyAudit(ctx context.Context) (broken int64, checked int, err error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT a.id, a.at, COALESCE(a.user_id, 0), a.username,
		COALESCE(a.organisation_id, 0), a.action, a.entity, a.entity_id, a.detail, a.address, COALESCE(a.hash, ''),
		`+auditIDList+` FROM audit_log a ORDER BY a.id`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	prev, started, first := "", false, int64(0)
	for rows.Next() {
		var id int64
		var l auditLine
		var hash, ids string
		if err := rows.Scan(&id, &l.at, &l.userID, &l.username, &l.orgID, &l.action, &l.entity, &l.entityID,
			&l.detail, &l.address, &hash, &ids); err != nil {
			return 0, checked, err
		}
		if first == 0 {
			first = id
		}
		if hash == "" && !started {
			continue // from before the chain
		}
		started = true
		l.ids = parseAuditIDs(ids)
		checked++
		if want := l.hash(db.auditKey, prev); !hmac.Equal([]byte(hash), []byte(want)) {
			return id, checked, nil
		}
		prev = hash
	}
	if err := rows.Err(); err != nil || started {
		return 0, checked, err
	}
	return first, 0, nil
}

// AuditHead is the newest hashed line of the chain (Line 0 before the
// first).
func (db *DB) AuditHead(ctx context.Context) (cases.AuditHead, error) {
	var h cases.AuditHead
	err := db.Read.QueryRowContext(ctx, `SELECT id, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1`).
		Scan(&h.Line, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return cases.AuditHead{}, nil
	}
	return h, err
}

// AuditLineHash is the stored hash of line id, "" when there is no such line.
func (db *DB) AuditLineHash(ctx context.Context, id int64) (string, error) {
	var hash string
	err := db.Read.QueryRowContext(ctx, `SELECT COALESCE(hash, '') FROM audit_log WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

// auditLog reads the audit log.
type auditLog struct{ conn }

func (a auditLog) QueryHash(query string) string { return a.db.queryHash(query) }

const auditColumns = `a.id, a.at, COALESCE(a.user_id, 0), a.username, COALESCE(a.organisation_id, 0), a.action,
	a.entity, a.entity_id, a.detail, a.address,
	` + auditIDList + ` FROM audit_log a `

// auditIDList selects the records a line names, one "kind:id" a line.
const auditIDList = `COALESCE((SELECT string_agg(kind || ':' || id, '` + "\n" + `') FROM audit_ids WHERE audit_id = a.id), '')`

// parseAuditIDs reads auditIDList in the order the chain hashes them.
func parseAuditIDs(list string) []cases.AuditID {
	var out []cases.AuditID
	for _, x := range strings.Split(list, "\n") {
		if kind, v, ok := strings.Cut(x, ":"); ok {
			out = append(out, cases.AuditID{Kind: kind, ID: v})
		}
	}
	return sortedAuditIDs(out)
}

func (a auditLog) scanEntries(rows *sql.Rows) ([]cases.AuditEntry, error) {
	defer rows.Close()
	orgs := a.db.ref.index().orgSlug
	out := []cases.AuditEntry{}
	for rows.Next() {
		var e cases.AuditEntry
		var at, ids string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.OrganisationID, &e.Action, &e.Entity, &e.EntityID,
			&e.Detail, &e.Address, &ids); err != nil {
			return nil, err
		}
		e.At, _ = cases.ParseTime(at)
		e.Organisation = orgs[e.OrganisationID]
		e.IDs = parseAuditIDs(ids)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (a auditLog) AuditEntries(ctx context.Context, entity, entityID string, limit int) ([]cases.AuditEntry, error) {
	rows, err := a.q.QueryContext(ctx, `SELECT `+auditColumns+`WHERE (? = '' OR a.entity = ?) AND (? = '' OR a.entity_id = ?)
		ORDER BY a.id DESC LIMIT ?`, entity, entity, entityID, entityID, limit)
	if err != nil {
		return nil, err
	}
	return a.scanEntries(rows)
}

func (a auditLog) FindAudit(ctx context.Context, q cases.AuditQuery) ([]cases.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, arg ...any) {
		where = append(where, cond)
		args = append(args, arg...)
	}
	if q.Username != "" {
		add("a.username = ?", q.Username)
	}
	if q.Action != "" {
		add("a.action = ?", q.Action)
	}
	if q.ResidentID != "" {
		add("(a.entity_id = ? OR a.id IN (SELECT audit_id FROM audit_ids WHERE id = ?))", q.ResidentID, q.ResidentID)
	}
	if q.QueryHash != "" {
		add("a.detail LIKE ?", "%query="+q.QueryHash+"%")
	}
	if q.From != nil {
		add("a.at >= ?", cases.FormatTime(*q.From))
	}
	if q.To != nil {
		add("a.at < ?", cases.FormatTime(*q.To))
	}
	if q.Before > 0 {
		add("a.id < ?", q.Before)
	}
	filters := ""
	for _, w := range where {
		filters += " AND " + w
	}
	// The organisation's own lines, and those about it by others
	// (accountAudit): each a page by its own index, newest first, then the
	// newest of both (one OR would sort every line of the organisation).
	rows, err := a.q.QueryContext(ctx, `SELECT `+auditColumns+`WHERE a.id IN (
		SELECT id FROM (SELECT a.id FROM audit_log a WHERE a.organisation_id = ?`+filters+` ORDER BY a.id DESC LIMIT ?) own
		UNION
		SELECT id FROM (SELECT a.id FROM audit_log a WHERE a.id IN (SELECT audit_id FROM audit_ids WHERE id = ? AND kind = ?)`+
		filters+` ORDER BY a.id DESC LIMIT ?) about)
		ORDER BY a.id DESC LIMIT ?`,
		slices.Concat([]any{q.OrganisationID}, args, []any{q.Limit, strconv.FormatInt(q.OrganisationID, 10),
			cases.AuditOrganisation}, args, []any{q.Limit, q.Limit})...)
	if err != nil {
		return nil, err
	}
	return a.scanEntries(rows)
}

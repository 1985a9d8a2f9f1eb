package cases

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// Lists page with cursors: a page ends with the key of its last row, and
// the next page starts after it, so a row is never shown twice or skipped
// while others are added in front of it (an offset would shift). The
// cursor is opaque to clients: base64url JSON that only this package
// reads.

// Cursor is a position in a list.
type Cursor struct {
	// Key is the sort key of the last row shown, as the list defines it.
	Key []string `json:"k"`
	// N is how many rows came before the page the cursor starts, so a page
	// can say "51–100 of 250".
	N int `json:"n"`
	// At fixes the clock of lists whose order depends on it (overdue
	// handovers first): every page of one walk sorts as the first did.
	At time.Time `json:"t,omitzero"`
}

// maxCursor bounds an encoded cursor; ours are far shorter.
const maxCursor = 400

// Encode is the cursor as a client passes it back.
func (c Cursor) Encode() string {
	data, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(data)
}

// ParseCursor reads a cursor of a list whose keys have keyLen parts; ""
// is the first page. Anything else is EINVALID on "cursor".
func ParseCursor(s string, keyLen int) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := FieldInvalid("cursor", "cursor", "")
	if len(s) > maxCursor {
		return nil, bad
	}
	data, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c Cursor
	if err := json.Unmarshal(data, &c); err != nil || len(c.Key) != keyLen || c.N < 0 {
		return nil, bad
	}
	return &c, nil
}

// keyInt reads part i of a cursor's key as a number (a row's sequence).
func (c *Cursor) keyInt(i int) (int64, error) {
	n, err := strconv.ParseInt(c.Key[i], 10, 64)
	if err != nil {
		return 0, FieldInvalid("cursor", "cursor", "")
	}
	return n, nil
}

// keyTime reads part i of a cursor's key as a stored time.
func (c *Cursor) keyTime(i int) (time.Time, error) {
	t, err := ParseTime(c.Key[i])
	if err != nil {
		return time.Time{}, FieldInvalid("cursor", "cursor", "")
	}
	return t, nil
}

// PageSize is a list's page size: the default and the most one page may hold.
type PageSize struct{ Default, Max int }

// The page sizes of the lists.
var (
	ContactPageSize  = PageSize{Default: 50, Max: 500}
	ResidentPageSize = PageSize{Default: 25, Max: 100}
	HandoverPageSize = PageSize{Default: 50, Max: 500}
	UserPageSize     = PageSize{Default: 100, Max: 500}
	PartnerPageSize  = PageSize{Default: 50, Max: 200}
	NoticePageSize   = PageSize{Default: 50, Max: 200} // "Voor jou"
	MailPageSize     = PageSize{Default: 50, Max: 200} // the outbox page
)

// Of is the page size asked for: 0 is the default; more than the maximum
// (or less than one) is EINVALID on "limit", never silently another size.
func (p PageSize) Of(limit int) (int, error) {
	switch {
	case limit == 0:
		return p.Default, nil
	case limit < 0 || limit > p.Max:
		return 0, FieldInvalid("limit", "page_size", "1-"+itoa(p.Max))
	}
	return limit, nil
}

// offsetOf is how many rows came before the page that cursor starts.
// pageOf cuts items, read with one more than limit, to the page and
// returns the cursor of the next page (empty on the last); key is the
// cursor key of the page's last item, offset the page's first position.
func pageOf[T any](items []T, limit, offset int, key func(T) []string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	return items[:limit], Cursor{Key: key(items[limit-1]), N: offset + limit}.Encode()
}

func offsetOf(c *Cursor) int {
	if c == nil {
		return 0
	}
	return c.N
}

package cases_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestUserPages: paging the accounts with cursors reaches each one the
// actor may see exactly once, in the order of the whole list (an
// administrator: all, by organisation and username; a coordinator: the own
// organisation's); a page size over the maximum or a foreign cursor is
// EINVALID naming it.
func TestUserPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, name := range []string{"a.extra", "m.extra", "z.extra"} {
		f.account(name, "al-amal", "hoop", cases.RoleWorker)
	}
	for _, a := range []cases.Actor{f.admin, f.hoopCoord} {
		whole, err := f.users.Find(f.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, u := range whole {
			want = append(want, u.Username)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatalf("%s: no last page", a.Username)
			}
			list, err := f.users.List(f.ctx, a, cases.UserFilter{Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if list.Total != len(want) || list.Offset != len(got) {
				t.Errorf("%s page %d: total %d offset %d, want %d and %d", a.Username, pages, list.Total, list.Offset, len(want), len(got))
			}
			for _, u := range list.Users {
				got = append(got, u.Username)
			}
			if cursor = list.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: paged %v\nwant %v", a.Username, got, want)
		}
		if a.UserID == f.hoopCoord.UserID && slices.ContainsFunc(got, func(u string) bool { return strings.HasPrefix(u, "dock.") }) {
			t.Errorf("a coordinator pages another organisation's accounts: %v", got)
		}
	}
	for _, tc := range []struct {
		f     cases.UserFilter
		field string
	}{
		{cases.UserFilter{Limit: cases.UserPageSize.Max + 1}, "limit"},
		{cases.UserFilter{Cursor: "nope"}, "cursor"},
		{cases.UserFilter{Cursor: (cases.Cursor{Key: []string{"x"}}).Encode()}, "cursor"},
	} {
		if _, err := f.users.List(f.ctx, f.admin, tc.f); !slices.ContainsFunc(fieldsOf(err), func(s string) bool {
			return strings.HasPrefix(s, tc.field+":")
		}) {
			t.Errorf("%+v: %v, want EINVALID on %s", tc.f, err, tc.field)
		}
	}
}

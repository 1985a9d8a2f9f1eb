package cases_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestPartnerPages: paging the directory with cursors gives the whole
// directory once, in its order; over the maximum or a foreign cursor is
// EINVALID naming it.
func TestPartnerPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := cases.NewDirectoryService(f.db)
	filter := cases.PartnerFilter{Unmeasured: true}
	whole, err := d.Partners(f.ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) < 3 {
		t.Fatalf("directory of %d partners: too few to page", len(whole))
	}
	var want, got []string
	for _, p := range whole {
		want = append(want, p.Organisation)
	}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("no last page")
		}
		list, err := d.Find(f.ctx, filter, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if list.Total != len(want) || list.Offset != len(got) || len(list.Partners) > 2 {
			t.Errorf("page %d: total %d, offset %d, %d partners", pages, list.Total, list.Offset, len(list.Partners))
		}
		for _, p := range list.Partners {
			got = append(got, p.Organisation)
		}
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged %v\nwant %v", got, want)
	}
	for _, tc := range []struct {
		cursor string
		limit  int
		field  string
	}{
		{"", cases.PartnerPageSize.Max + 1, "limit"},
		{"nope", 0, "cursor"},
		{(cases.Cursor{Key: []string{"x", "y", "z"}}).Encode(), 0, "cursor"},
	} {
		if _, err := d.Find(f.ctx, filter, tc.cursor, tc.limit); !slices.ContainsFunc(fieldsOf(err), func(s string) bool {
			return strings.HasPrefix(s, tc.field+":")
		}) {
			t.Errorf("cursor %q limit %d: %v, want EINVALID on %s", tc.cursor, tc.limit, err, tc.field)
		}
	}
}

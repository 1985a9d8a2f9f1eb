package storage

import (
	"context"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestReferenceOfAnotherServer: two servers on one database; a
// neighbourhood added through one shows in the other's lists within a few
// seconds (reference_generation), without a restart, and a rename too.
func TestReferenceOfAnotherServer(t *testing.T) {
	t.Parallel()
	a, dsn := openTestDBFile(t)
	ctx := context.Background()
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	has := func(db *DB, name string) bool {
		ref, err := db.View(ctx).Reference(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ref.Neighbourhoods {
			if n.Slug == "nieuwe-buurt" && n.NameNL == name {
				return true
			}
		}
		return false
	}
	waitFor := func(name string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !has(b, name); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the other server does not see %q", name)
			}
		}
	}
	mustUpdate(t, a, func(ctx context.Context, tx cases.Tx) error {
		return tx.References().AddTerm(ctx, cases.ListNeighbourhoods, cases.TermInput{Slug: "nieuwe-buurt", NameNL: "Nieuwe buurt", NameEN: "New area"})
	})
	if !has(a, "Nieuwe buurt") {
		t.Fatal("the server that added it does not see it")
	}
	waitFor("Nieuwe buurt")
	mustUpdate(t, a, func(ctx context.Context, tx cases.Tx) error {
		_, err := tx.References().RenameTerm(ctx, cases.ListNeighbourhoods, "nieuwe-buurt", cases.TermInput{Slug: "nieuwe-buurt", NameNL: "Andere naam", NameEN: "Other name"})
		return err
	})
	waitFor("Andere naam")
}

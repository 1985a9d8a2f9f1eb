package app

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestDemoHandovers: --demo also sends made-up handovers in every state, so
// the inbox and the review are not empty.
func TestDemoHandovers(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the whole demo")
	}
	t.Parallel()
	now := time.Date(2025, 6, 12, 10, 0, 0, 0, time.UTC)
	a, err := Open(context.Background(), Config{DBPath: storagetest.DSN(t, "demo"), Secret: testSecret,
		Now: func() time.Time { return now }, Passwords: testPasswords{auth.NewPasswords(runtime.GOMAXPROCS(0), 5*time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if seeded, err := demo.Seed(context.Background(), demoServices(a)); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	u, err := a.Users.ByUsername(context.Background(), "hoop.coord")
	if err != nil {
		t.Fatal(err)
	}
	list, err := a.Handovers.Find(context.Background(), u.Actor(), cases.HandoverFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total < 7 || list.Overdue == 0 || list.Counts[cases.StateCompleted] == 0 || list.Counts[cases.StateRequested] == 0 {
		t.Errorf("demo review of HOOP: total %d, overdue %d, counts %v", list.Total, list.Overdue, list.Counts)
	}
	if a.DB.Now() != now {
		t.Error("the demo left the clock set back")
	}
}

package auth

import (
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Throttle limits password guessing without locking out an office whose
// tablets share one address, and without letting anyone who knows a
// username lock that worker out from anywhere:
//   - one username from one address (the pair) may fail PairFailures times;
//     then it waits PairLock, twice as long after each further failure
//     (up to PairMemory, after which failures are forgotten). A success
//     forgets the pair's failures;
//   - one address may fail AddressFailures times per Window, whatever the
//     usernames, before it waits;
//   - one username failing UserFailures times per Window from anywhere is
//     answered after UserDelay: slower guessing, no lock-out.
type Throttle struct {
	PairFailures    int
	PairLock        time.Duration
	PairMemory      time.Duration
	AddressFailures int
	UserFailures    int
	Window          time.Duration
	UserDelay       time.Duration
}

// DefaultThrottle is the throttle of a login page used by tablets in an
// office behind one address.
var DefaultThrottle = Throttle{PairFailures: 5, PairLock: 15 * time.Minute, PairMemory: 24 * time.Hour,
	AddressFailures: 50, UserFailures: 20, Window: 15 * time.Minute, UserDelay: 2 * time.Second}

// wait is how long an attempt with these failures behind it must wait at
// now (0: it may try).
func (t Throttle) wait(f cases.FailureCounts, now time.Time) time.Duration {
	var wait time.Duration
	if f.Pair >= t.PairFailures {
		lock := t.PairLock
		for i := t.PairFailures; i < f.Pair && lock < t.PairMemory; i++ {
			lock *= 2
		}
		wait = f.PairLast.Add(min(lock, t.PairMemory)).Sub(now)
	}
	if f.Address >= t.AddressFailures {
		wait = max(wait, t.Window)
	}
	return max(wait, 0)
}

// slow reports whether an attempt is answered only after UserDelay.
func (t Throttle) slow(f cases.FailureCounts) bool { return f.User >= t.UserFailures }

// Package disclosure protects published counts of persons so that no
// published figure singles out a person. It is the statistical core only:
// no HTTP, SQL or other I/O, and it knows nothing of reach tables (package
// cases writes their relations).
//
// # What a reader knows
//
// A Model is everything a reader knows: one integer variable per true count,
// within the range its publication implies (Rules.Range: a rounded value v
// is v-2..v+2 with base 5, "<10" is 1..9, "x" is at least 10 because a
// complementary cell is never zero or small, an unpublished count is any
// count), and the relations that hold between true counts whatever the data
// (Row: Lo ≤ Σ coef·count ≤ Hi, equalities included). Published values are
// ranges, not exact: rounding hides where it hides, and is not trusted where
// the relations undo it.
//
// # The audit
//
// Auditor.Audit derives, for every suppressed non-zero count (Var.Audit),
// the range a reader can derive by linear reasoning, and reports a count
// that keeps fewer than two values (three for a count from 1 to
// threshold-1) as a Finding. A published count is a finding when bound
// propagation alone fixes it. The audit proceeds in steps, each sound:
//
//   - Bound propagation (interval constraint propagation over integers)
//     gives every count an outer range: no value outside it is possible.
//   - Reduction drops what the box already implies, fixes what it fixes and
//     projects out counts left in one relation (exact Fourier–Motzkin for a
//     single row); what is left falls apart into independent components.
//   - Witness search proves values possible: integer counts that fit every
//     range and relation with the audited count one or two steps from the
//     truth, found by moving it and repairing each relation it breaks (a
//     depth-first search over short chains of ±1 moves), and where that
//     finds none by a min-conflicts local search with a tabu list, which
//     finds the long chains across periods, versions and flows.
//   - Where no witness is found, linear programs over a growing
//     neighbourhood of the count in its component (the others held at their
//     true values, so every optimum is a possible point) prove more values
//     possible; a neighbourhood that covers the whole component makes the
//     range exact. They are solved with gonum's simplex
//     (optimize/convex/lp), started from the slack basis of the
//     deviation-from-truth form so that no Phase I is needed.
//
// A count the witnesses and programs leave short while its outer range is
// wide enough is neither shown safe nor shown unsafe: it is reported in
// Report.Unverified, not as a finding; Report.Safe is false, and protection
// repairs it as it repairs a finding.
//
// # Protection
//
// Auditor.Suppress adds complementary suppressions until the audit shows
// every audited count safe. Each round repairs every finding (and every
// count left unverified) with a published count near it in the
// relations: candidates of the finding's own kind of period first (a running
// period's problem is repaired in running periods), then the fewest
// relations away, then the fewest persons hidden; a candidate shared by
// several findings is taken once. Headline counts (Var.LastResort) are
// taken only when nothing else reaches a finding. When nothing can repair a
// finding, Suppress returns a CannotProtectError naming it, so the caller
// can withhold a breakdown and go on.
//
// Zeros are never suppressed: a published 0 singles out nobody, and keeping
// them shown keeps "x ≥ threshold" true.
package disclosure

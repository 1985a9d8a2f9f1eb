// Package disclosure protects published reach tables (distinct persons
// reached per programme × neighbourhood, topic, age band) so that no
// published figure singles out a person. It is the statistical core only:
// no HTTP, SQL or other I/O.
//
// # Tables and relations
//
// A Table is a list of cells, each holding a true count, plus the relations
// a reader knows: lines whose total is the sum of their parts. Additive2D
// and Additive3D build grid tables in which every line in every direction
// adds up to its margin; margins are cells too and can be suppressed. Reach
// tables often do not add up: "all programmes" is a union of persons, and a
// topic breakdown counts one person under several topics. Such totals are
// cells without a relation (see Grid2D and NewTable). Nothing can be derived
// from them, so they need no complementary cells.
//
// # Protection
//
// Protect suppresses every count from 1 to Threshold-1 (primary, shown
// "<10"), then adds complementary suppressions (secondary, shown "x") until
// Audit finds nothing. Audit works on true counts. After checking that
// every status and value follows the rules, it checks three things:
//
// Determined. Once the published cells are known, each relation is a linear
// equation in the suppressed cells. A suppressed cell is determined iff some
// combination of relations leaves it as the only suppressed cell, that is
// iff its unit vector lies in the row space of the relation matrix
// restricted to the suppressed columns. This is decided exactly by Gaussian
// elimination over math/big.Rat. The reduced form is updated as cells are
// suppressed, so it is never rebuilt. The pivot row that isolates a cell
// names the published cells its proof uses; suppressing any of them breaks
// that proof.
//
// Line sums. A line with a published total reveals the sum of its
// suppressed parts. That sum must be 0 or at least Threshold; otherwise
// readers learn that the hidden cells together hold a small group.
//
// Bounds. The statuses are information too. A reader knows that "<10"
// means 1 to 9. Complementary cells are never zero or small, so "x" means at
// least 10. So a line 1 + 10 + 0 = 11 published as "<10", "x", "0", "11"
// gives both hidden cells away, although the equations alone determine
// neither. The audit propagates these ranges through the relations
// (interval constraint propagation on integers) and flags a suppressed cell
// whose range shrinks to a single value. The derived ranges always contain
// the true count, so every flag is a real disclosure.
//
// Each problem found lists its remedies: the published non-zero cells whose
// suppression addresses it. For a determined cell these are the cells its
// proof uses; for a small line sum, the line's published parts; for a pinned
// cell, the nearest published cells along its lines. Protect suppresses the
// remedy shared by the most problems, then the one with the smallest count,
// then the first by position, and checks again. Preferring shared remedies
// closes the classic rectangle in one step; among equals, the smallest count
// hides the fewest persons. On random test tables this order suppressed
// roughly 30% fewer cells, and fewer persons, than smallest-count-first, and
// hid far fewer persons than largest-first. The greedy result is safe but
// not minimal.
//
// Zeros are never suppressed. A published 0 singles out nobody, and a
// suppressed 0 protects only in one direction (it cannot go below 0). It
// also keeps "x ≥ Threshold" true, which the audit assumes openly rather
// than hoping readers do not work it out.
//
// Rounding to RoundingBase is applied to published cells after suppression.
// The audit ignores it: it reasons as if readers knew every published count
// exactly.
//
// # Linked tables
//
// A table and a table nested in it (a half-year and one of its quarters, all
// programmes and one programme) can be subtracted cell by cell.
// DifferenceRisks reports published cell pairs whose difference is from 1
// to Threshold-1. ProtectNested suppresses those cells in the inner table
// and protects it again until no such pair is left.
//
// # Limitations
//
// Bound propagation is weaker than linear or integer programming, so it can
// miss a disclosure that only an exact optimisation over all relations
// would find. It also only requires a range to keep at least two values;
// there is no minimum protection width. Relations are sums with
// coefficient 1. The differencing check is cell by cell for one pair of
// tables; inferences that combine relations from both tables are not
// analysed.
package disclosure

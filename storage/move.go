package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/jackc/pgx/v5"
)

// MoveReport is what MoveToPostgres copied and then found identical.
type MoveReport struct {
	Version int64 // the schema version of both databases
	Tables  []MovedTable
}

// MovedTable is one table copied: its rows, counted on both sides.
type MovedTable struct {
	Name string
	Rows int64
}

// MoveToPostgres copies the SQLite database in the file from into the new,
// empty PostgreSQL database at the URL to, and checks the copy:
//
//   - the target must have no tables at all; it is migrated to the schema
//     version of the source, which must be the newest (a server of this
//     version started on the file once has seen to that);
//   - the source is read in one read transaction, so the copy is one
//     consistent snapshot while a server may still write the file (what it
//     writes later stays behind: stop it before the move for the switch);
//   - every table is copied in the order of its foreign keys, as it is:
//     ids, sequences of rows, the audit chain, the reach facts and their
//     marks, with the target's triggers off meanwhile (they would mark and
//     count again what is copied), in one transaction; the sequences are
//     then set past the highest ids;
//   - then each table is read again on both sides in key order and
//     compared row by row, field by field (SQLite's 0 and 1 as PostgreSQL's
//     booleans): the counts and every record must be identical.
func MoveToPostgres(ctx context.Context, from, to string, progress func(string)) (*MoveReport, error) {
	if _, ok := FilePath(from); !ok {
		return nil, errors.New("--from is het SQLite-bestand van de installatie, geen URL")
	}
	if !isServerURL(to) {
		return nil, errors.New("--to is een postgres://-URL van een nieuwe, lege database")
	}
	if _, err := os.Stat(from); err != nil {
		return nil, fmt.Errorf("de database %s bestaat niet: %w", from, err)
	}
	if err := emptyTarget(ctx, to); err != nil {
		return nil, err
	}
	src, err := sql.Open("sqlite", "file:"+from+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	snapshot, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer snapshot.Rollback()
	dst, err := Open(ctx, to)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	report := &MoveReport{}
	if report.Version, err = sameVersion(ctx, snapshot, dst.Read); err != nil {
		return nil, err
	}
	tables, err := moveTables(ctx, dst.Read)
	if err != nil {
		return nil, err
	}
	if err := copyTables(ctx, snapshot, dst, tables, progress); err != nil {
		return nil, fmt.Errorf("kopiëren (niets is geschreven; de doeldatabase heeft nu het lege schema: "+
			"maak haar opnieuw aan voor een volgende poging): %w", err)
	}
	for _, t := range tables {
		n, err := compareTable(ctx, snapshot, dst.Read, t)
		if err != nil {
			return nil, err
		}
		report.Tables = append(report.Tables, MovedTable{Name: t.name, Rows: n})
		progress(fmt.Sprintf("%-24s %9d rijen, gelijk", t.name, n))
	}
	return report, nil
}

// emptyTarget refuses a database that has any table: a move never mixes
// with what is there.
func emptyTarget(ctx context.Context, to string) error {
	conn, err := pgx.Connect(ctx, to)
	if err != nil {
		return fmt.Errorf("de doeldatabase %s is niet bereikbaar: %w", Describe(to), err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).
		Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("de doeldatabase %s is niet leeg (%d tabellen); geef een nieuwe, lege database (createdb)",
			Describe(to), n)
	}
	return nil
}

// sameVersion is the schema version both databases are at, or why not.
func sameVersion(ctx context.Context, src, dst queryer) (int64, error) {
	var have, want int64
	if err := src.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+gooseTable).Scan(&have); err != nil {
		return 0, fmt.Errorf("het bestand is geen Buurtbrug-database: %w", err)
	}
	if err := dst.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+gooseTable).Scan(&want); err != nil {
		return 0, err
	}
	switch {
	case have < want:
		return 0, fmt.Errorf("het bestand heeft schemaversie %d, deze versie van buurtbrug %d: start deze versie "+
			"één keer op het bestand (dat past het schema aan) en verhuis dan", have, want)
	case have > want:
		return 0, fmt.Errorf("het bestand heeft schemaversie %d, nieuwer dan deze versie van buurtbrug (%d): "+
			"verhuis met de versie die het schreef", have, want)
	}
	return have, nil
}

// copyTables copies every table in one transaction on the target's writer
// connection, which holds the writer lock meanwhile.
func copyTables(ctx context.Context, src *sql.Tx, dst *DB, tables []moveTable, progress func(string)) error {
	conn, err := dst.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// BEGIN as a statement: the copies use pgx's own COPY on this
	// connection (Raw), inside the same transaction.
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`) // after COMMIT: a warning, nothing more
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(writerLock)); err != nil {
		return err
	}
	var steps []string
	for _, t := range tables {
		steps = append(steps, `ALTER TABLE `+t.name+` DISABLE TRIGGER USER`)
	}
	// The migrations' reference data makes way for the source's own.
	for _, t := range slices.Backward(tables) {
		steps = append(steps, `DELETE FROM `+t.name)
	}
	for _, stmt := range steps {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := sameColumns(ctx, src, t); err != nil {
			return err
		}
		n, err := copyTable(ctx, src, conn, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		progress(fmt.Sprintf("%-24s %9d rijen gekopieerd", t.name, n))
	}
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, `ALTER TABLE `+t.name+` ENABLE TRIGGER USER`); err != nil {
			return err
		}
	}
	if err := resetSequences(ctx, conn); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `COMMIT`)
	return err
}

// copyTable streams one table from SQLite into PostgreSQL's COPY.
func copyTable(ctx context.Context, src *sql.Tx, conn *sql.Conn, t moveTable) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+t.list()+` FROM `+t.name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	source := newCopySource(rows, t.columns)
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	var n int64
	err = conn.Raw(func(driverConn any) error {
		var err error
		n, err = driverConn.(bindConn).Conn.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, names, source)
		return err
	})
	return n, err
}

// copySource hands pgx's COPY the rows of a SQLite query, booleans as
// booleans.
type copySource struct {
	rows    *sql.Rows
	columns []moveColumn
	values  []any
	scan    []any
	err     error
}

func newCopySource(rows *sql.Rows, columns []moveColumn) *copySource {
	s := &copySource{rows: rows, columns: columns, values: make([]any, len(columns)), scan: make([]any, len(columns))}
	for i := range s.values {
		s.scan[i] = &s.values[i]
	}
	return s
}

func (s *copySource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	s.err = s.rows.Scan(s.scan...)
	return s.err == nil
}

func (s *copySource) Values() ([]any, error) {
	out := make([]any, len(s.values))
	for i, v := range s.values {
		switch v := v.(type) {
		case int64:
			if s.columns[i].boolean {
				out[i] = v != 0
				continue
			}
			out[i] = v
		case []byte:
			out[i] = string(v)
		default:
			out[i] = v
		}
	}
	return out, nil
}

func (s *copySource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

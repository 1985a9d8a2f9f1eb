package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The tables a move to PostgreSQL copies, as the PostgreSQL schema has
// them: every table of the schema but goose's, in the order their foreign
// keys need, with their columns and key.

// moveTable is one table to copy.
type moveTable struct {
	name    string
	columns []moveColumn
	key     []string // the primary key, or rowid where the table has none
}

type moveColumn struct {
	name    string
	boolean bool // SQLite keeps 0 and 1
	text    bool // ordered byte by byte on both engines (COLLATE "C")
}

// gooseTable holds the migration versions; each engine's migrations write it.
const gooseTable = "goose_db_version"

// moveTables reads the tables of the PostgreSQL schema q is on.
func moveTables(ctx context.Context, q queryer) ([]moveTable, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> ? ORDER BY table_name, ordinal_position`, gooseTable)
	if err != nil {
		return nil, err
	}
	byName := map[string]*moveTable{}
	var names []string
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		if byName[table] == nil {
			byName[table] = &moveTable{name: table}
			names = append(names, table)
		}
		byName[table].columns = append(byName[table].columns,
			moveColumn{name: column, boolean: typ == "boolean", text: typ == "text"})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := moveKeys(ctx, q, byName); err != nil {
		return nil, err
	}
	order, err := moveOrder(ctx, q, names)
	if err != nil {
		return nil, err
	}
	out := make([]moveTable, 0, len(order))
	for _, name := range order {
		out = append(out, *byName[name])
	}
	return out, nil
}

// moveKeys reads each table's primary key; one without takes rowid.
func moveKeys(ctx context.Context, q queryer, tables map[string]*moveTable) error {
	rows, err := q.QueryContext(ctx, `SELECT c.relname, a.attname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON TRUE
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE i.indisprimary AND n.nspname = current_schema() ORDER BY c.relname, k.pos`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return err
		}
		if t := tables[table]; t != nil {
			t.key = append(t.key, column)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if len(t.key) == 0 {
			t.key = []string{"rowid"}
		}
	}
	return nil
}

// moveOrder sorts the tables so that each comes after those its foreign
// keys name (a table naming itself, as residents do, copies in one
// statement, which PostgreSQL checks at its end).
func moveOrder(ctx context.Context, q queryer, names []string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.relname, f.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	needs := map[string][]string{}
	for rows.Next() {
		var table, ref string
		if err := rows.Scan(&table, &ref); err != nil {
			rows.Close()
			return nil, err
		}
		if table != ref {
			needs[table] = append(needs[table], ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(names)
	var order []string
	placed := map[string]bool{}
	for len(order) < len(names) {
		progressed := false
		for _, name := range names {
			if placed[name] || slices.ContainsFunc(needs[name], func(r string) bool { return !placed[r] }) {
				continue
			}
			order, placed[name], progressed = append(order, name), true, true
		}
		if !progressed {
			return nil, fmt.Errorf("storage: the foreign keys of the tables form a cycle")
		}
	}
	return order, nil
}

// list is the table's columns as a select list (names from the
// catalogue, never from input).
func (t moveTable) list() string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// orderBy is the table's key as an ORDER BY that sorts alike on both
// engines; collate is ` COLLATE "C"` on PostgreSQL, "" on SQLite (whose
// text compares byte by byte already).
func (t moveTable) orderBy(collate string) string {
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		parts[i] = k
		if c := slices.IndexFunc(t.columns, func(c moveColumn) bool { return c.name == k }); c >= 0 && t.columns[c].text {
			parts[i] += collate
		}
	}
	return strings.Join(parts, ", ")
}

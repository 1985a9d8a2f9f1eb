package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// sameColumns refuses a table whose columns differ between the engines
// (beyond the rowid that SQLite keeps implicitly): the two migration sets
// must make the same schema.
func sameColumns(ctx context.Context, src *sql.Tx, t moveTable) error {
	rows, err := src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, t.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		have = append(have, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var want []string
	for _, c := range t.columns {
		if c.name != "rowid" {
			want = append(want, c.name)
		}
	}
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		return fmt.Errorf("storage: %s has columns %v on SQLite and %v on PostgreSQL", t.name, have, want)
	}
	return nil
}

// compareTable reads t on both sides in key order and compares every
// row, field by field; it returns the rows, or the first that differs.
func compareTable(ctx context.Context, src *sql.Tx, dst queryer, t moveTable) (int64, error) {
	query := `SELECT ` + t.list() + ` FROM ` + t.name + ` ORDER BY `
	a, err := src.QueryContext(ctx, query+t.orderBy(""))
	if err != nil {
		return 0, err
	}
	defer a.Close()
	b, err := dst.QueryContext(ctx, query+t.orderBy(` COLLATE "C"`))
	if err != nil {
		return 0, err
	}
	defer b.Close()
	left, right := newCopySource(a, t.columns), newCopySource(b, t.columns)
	var n int64
	for {
		more, also := left.Next(), right.Next()
		if more != also {
			return n, fmt.Errorf("controle: %s heeft %s rijen op PostgreSQL dan in het bestand", t.name,
				map[bool]string{true: "minder", false: "meer"}[more])
		}
		if !more {
			break
		}
		n++
		for i, c := range t.columns {
			if x, y := fieldText(left.values[i]), fieldText(right.values[i]); x != y {
				return n, fmt.Errorf("controle: %s, rij %d in sleutelvolgorde (%s): %s is %q in het bestand en %q op PostgreSQL",
					t.name, n, strings.Join(t.key, ", "), c.name, x, y)
			}
		}
	}
	if err := left.Err(); err != nil {
		return n, err
	}
	return n, right.Err()
}

// fieldText is a field as compared: NULL apart from every text, booleans
// as SQLite's 0 and 1.
func fieldText(v any) string {
	switch v := v.(type) {
	case nil:
		return "\x00NULL"
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(v, 10)
	case []byte:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

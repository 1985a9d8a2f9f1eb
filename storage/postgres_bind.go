package storage

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/stdlib"
)

// The repositories write one SQL for both engines, with SQLite's
// placeholders (? and ?N). On PostgreSQL every connection of the pools
// passes its statements through rebind first, so that they, the tests'
// own queries and the bulk tools read alike; a statement is rewritten once
// and remembered.

// bindConnector makes connections that rebind placeholders.
type bindConnector struct{ driver.Connector }

func (c bindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return bindConn{conn.(*stdlib.Conn)}, nil
}

// bindConn is pgx's connection with the statement text rebound; every other
// method (transactions, pings, session resets) is pgx's own.
type bindConn struct{ *stdlib.Conn }

func (c bindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebound(query))
}

func (c bindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebound(query))
}

func (c bindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebound(query), args)
}

func (c bindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebound(query), args)
}

// maxRebound bounds the statements remembered: the repositories write a
// few hundred, but lists with IN (...) make one per length.
const maxRebound = 4096

var (
	reboundCache sync.Map // statement → rebound statement
	reboundCount atomic.Int64
)

func rebound(query string) string {
	if v, ok := reboundCache.Load(query); ok {
		return v.(string)
	}
	out := rebind(query)
	if reboundCount.Add(1) <= maxRebound {
		reboundCache.Store(query, out)
	}
	return out
}

// rebind turns ? and ?N into $N the way SQLite numbers them (a bare ? is
// one more than the highest number so far), leaving quoted text, quoted
// names and comments alone. Statements for both engines never use
// PostgreSQL's dollar quoting.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	highest := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

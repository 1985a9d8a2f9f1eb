package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// postgresEngine is a PostgreSQL database named by a postgres:// URL,
// reached through pgx's database/sql driver (stdlib, not pgxpool: the
// repositories, the writer and its savepoints are written against
// database/sql, and database/sql's pool serves both engines; pgx still
// prepares and caches each statement per connection).
//
// Several processes may write one database (servers behind a load
// balancer, the command line). Each write transaction first takes one
// advisory lock, held until it ends: the one writer that SQLite has by its
// file lock, for all of them. Nearly every use case appends to the one
// audit chain, whose appends must be serial anyway; taking that lock
// first, in every transaction, means no two write transactions interleave,
// so none deadlocks or works on rows another changes meanwhile (the
// reach facts, the dirty queues, the publications, the outbox), in READ
// COMMITTED, where each statement reads what the last writer committed.
// Reads do not take it and run in parallel on the readers' pool.
type postgresEngine struct{ cfg *pgx.ConnConfig }

// writerLock is the advisory lock of the writer ("buurtbrg"); advisory
// locks are per database, so databases on one server do not share it.
const writerLock = 0x6275757274627267

func newPostgres(dsn string) (engine, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", Describe(dsn), err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "buurtbrug"
	}
	return postgresEngine{cfg}, nil
}

func (e postgresEngine) open(ctx context.Context) (write, read *sql.DB, err error) {
	if err := e.migrate(ctx); err != nil {
		return nil, nil, err
	}
	write = sql.OpenDB(bindConnector{stdlib.GetConnector(*e.cfg)})
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The readers cannot write by mistake, like SQLite's query_only.
	readCfg := e.cfg.Copy()
	readCfg.RuntimeParams["default_transaction_read_only"] = "on"
	read = sql.OpenDB(bindConnector{stdlib.GetConnector(*readCfg)})
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(4)
	read.SetConnMaxIdleTime(5 * time.Minute)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, nil, err
	}
	return write, read, nil
}

// migrate runs the migrations on a connection of its own, holding goose's
// session lock, so that servers starting together migrate one at a time.
func (e postgresEngine) migrate(ctx context.Context) error {
	db := stdlib.OpenDB(*e.cfg)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	return migrate(ctx, db, goose.DialectPostgres, "migrations/postgres", goose.WithSessionLocker(locker))
}

func (postgresEngine) lockWrites(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(writerLock))
	return err
}

// indexedBy: PostgreSQL's planner takes no hints.
func (postgresEngine) indexedBy(string) string { return "" }

func (postgresEngine) walFile() bool { return false }

// bulk: the writer's one connection commits without waiting for the disk
// meanwhile; afterwards the sequences start above the ids written.
func (postgresEngine) bulk(ctx context.Context, write *sql.DB) (func(context.Context) error, error) {
	if _, err := write.ExecContext(ctx, `SET synchronous_commit = off`); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if _, err := write.ExecContext(ctx, `RESET synchronous_commit`); err != nil {
			return err
		}
		return resetSequences(ctx, write)
	}, nil
}

// resetSequences moves every identity column's sequence past the highest
// id in its table, after rows were written with their ids.
func resetSequences(ctx context.Context, q queryer) error {
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return err
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		table, col := pgx.Identifier{c[0]}.Sanitize(), pgx.Identifier{c[1]}.Sanitize()
		// Names from the catalogue, never from input.
		if _, err := q.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX(`+col+`), 0) + 1, false)
			FROM `+table, table, c[1]); err != nil {
			return fmt.Errorf("storage: sequence of %s.%s: %w", c[0], c[1], err)
		}
	}
	return nil
}

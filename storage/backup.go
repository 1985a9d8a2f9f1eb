package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
)

// Backup writes a consistent copy of the database at path to a new file
// while a server may be writing it: VACUUM INTO reads one snapshot (WAL
// lets the writer go on) and writes a compact single file, with no WAL to
// carry along. The copy gets mode 0600 and is checked before Backup returns.
//
// A database on PostgreSQL is refused: its server makes the backups
// (pg_dump, or pg_basebackup with WAL archiving for a point in time).
func Backup(ctx context.Context, path, to string) error {
	if isServerURL(path) {
		return errServerBackup
	}
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("%s bestaat al; een back-up overschrijft niets", to)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("de database %s bestaat niet: %w", path, err)
	}
	src, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		_ = os.Remove(to)
		return fmt.Errorf("de back-up kan niet worden geschreven: %w", err)
	}
	if err := os.Chmod(to, 0o600); err != nil {
		return err
	}
	if err := integrity(ctx, to); err != nil {
		_ = os.Remove(to)
		return err
	}
	return nil
}

// errServerBackup refuses backup and restore of a PostgreSQL database.
var errServerBackup = errors.New("buurtbrug backup en restore werken op een SQLite-bestand; " +
	"maak van een PostgreSQL-database een back-up met pg_dump (of pg_basebackup met WAL-archivering) " +
	"en zet die terug met pg_restore")

// Restore copies a backup to path, which must not exist yet (a restore
// never overwrites a database), with mode 0600.
func Restore(ctx context.Context, backup, path string) error {
	if isServerURL(path) || isServerURL(backup) {
		return errServerBackup
	}
	if err := integrity(ctx, backup); err != nil {
		return err
	}
	in, err := os.Open(backup)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s bestaat al; zet een back-up terug naar een nieuw bestand (en start de server daarop)", path)
	} else if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		_ = os.Remove(path)
		return err
	}
	if err := out.Close(); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// integrity checks a database file with SQLite's integrity check.
func integrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("%s is geen leesbare database: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s is beschadigd: %s", path, result)
	}
	return nil
}

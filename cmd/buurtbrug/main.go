// Command buurtbrug serves Buurtbrug on its embedded SQLite database (or a
// PostgreSQL one, given --db postgres://...) and gives the operator the
// tasks of running it: accounts, backups, the move to PostgreSQL, made-up
// data. `buurtbrug help` lists them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(args []string, env *cli) error
}

// commands are the subcommands; without one, buurtbrug serves.
var commands = []command{
	{"user", "user add|password --username U [...]", "maak een account of stel een wachtwoord in", runUser},
	{"backup", "backup --db FILE --to BACKUP", "maak een consistente kopie terwijl de server draait", runBackup},
	{"restore", "restore --from BACKUP --db FILE", "zet een back-up terug", runRestore},
	{"retention", "retention --db FILE [--dry-run]", "wis de registraties over hun bewaartermijn", runRetention},
	{"audit", "audit verify --db FILE [--since R:H]", "controleer de keten van het logboek", runAudit},
	{"reach", "reach audit --db FILE --year JJJJ", "controleer alle bereikpublicaties van een jaar samen", runReach},
	{"partners", "partners import|export --db FILE [PARTNERS.json]", "de partnergids als HSDS 3.0 JSON", runPartners},
	{"gen", "gen --db city.db [--contacts N --persons N]", "schrijf een verzonnen stad (voor metingen)", runGen},
	{"migrate-to-postgres", "migrate-to-postgres --from FILE --to URL", "verhuis naar een lege PostgreSQL-database",
		runMigrateToPostgres},
	{"help", "help", "deze lijst", nil},
}

// cli is what a command reads and writes.
type cli struct {
	stdout, stderr io.Writer
	stdin          *os.File
	log            *slog.Logger
}

// usageError is a wrong command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	env := &cli{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	os.Exit(run(os.Args[1:], env))
}

// run runs one command line and returns the exit status: 0, 1 when the
// work failed, 2 when the command line was wrong.
func run(args []string, env *cli) int {
	err := dispatch(args, env)
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintln(env.stderr, "buurtbrug:", err)
		fmt.Fprintln(env.stderr, "Zie 'buurtbrug help'.")
		return 2
	}
	fmt.Fprintln(env.stderr, "buurtbrug:", sentence(err))
	return 1
}

func dispatch(args []string, env *cli) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printHelp(env.stdout)
			// And the server's options, on standard output too.
			fmt.Fprintln(env.stdout)
			_, err := parseServe([]string{"--help"}, &cli{stdout: env.stdout, stderr: env.stdout, stdin: env.stdin, log: env.log})
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		return runServe(args, env)
	}
	if args[0] == "help" {
		if len(args) > 1 {
			return usageError{"help verwacht geen argumenten"}
		}
		printHelp(env.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] && c.run != nil {
			return c.run(args[1:], env)
		}
	}
	return usageError{fmt.Sprintf("onbekend commando %q", args[0])}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, `Buurtbrug: contactmomenten, warme overdrachten en bereikcijfers.

Gebruik:
  buurtbrug [--addr A] [--db FILE|URL] [--demo] [...] start de server (opties: zie onder, bij buurtbrug --help)`)
	for _, c := range commands {
		fmt.Fprintf(w, "  buurtbrug %-40s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w, `
Elk commando toont zijn opties met --help. Wachtwoorden komen uit BUURTBRUG_PASSWORD
of worden gevraagd (zonder ze te tonen), nooit uit een optie.`)
}

// flagSet is a flag set whose errors are usage errors and whose help is
// printed on the command's standard error.
func flagSet(name string, env *cli) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return fs
}

// parse parses args; a wrong flag or a stray argument is a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("onverwacht argument %q", fs.Arg(0))}
	}
	return nil
}

// dbUsage is the help of --db.
const dbUsage = "SQLite-databasebestand of postgres://-URL (BUURTBRUG_DB)"

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("BUURTBRUG_DB", "buurtbrug.db"), dbUsage)
}

func secretFileFlag(fs *flag.FlagSet) *string {
	return fs.String("secret-file", envOr("BUURTBRUG_SECRET_FILE", ""),
		"bestand met het geheim van de pseudoniemen (BUURTBRUG_SECRET_FILE; standaard <db>.secret; of BUURTBRUG_SECRET)")
}

// envInt reads an integer from the environment; a value that is not one is
// passed on as 0, which the flag's check refuses.
func envInt(key string, fallback int) int {
	v := os.Getenv(key)
	if v == "" {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/buurtbrug/buurtbrug/storage"
)

// runMigrateToPostgres moves a deployment from its SQLite file to a new,
// empty PostgreSQL database and checks the copy (storage.MoveToPostgres):
//
//	buurtbrug migrate-to-postgres --from FILE --to postgres://...
//
// The pseudonym secret does not move with the data: the server on the new
// database starts with the same secret (BUURTBRUG_SECRET or --secret-file).
func runMigrateToPostgres(args []string, env *cli) error {
	fs := flagSet("buurtbrug migrate-to-postgres", env)
	from := fs.String("from", "", "het SQLite-bestand van de installatie")
	to := fs.String("to", "", "postgres://-URL van een nieuwe, lege database")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageError{"--from en --to zijn nodig"}
	}
	started := time.Now()
	report, err := storage.MoveToPostgres(context.Background(), *from, *to, func(line string) {
		fmt.Fprintln(env.stderr, line)
	})
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range report.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(env.stdout, "%s verhuisd naar %s: %d tabellen, %d rijen, schemaversie %d, in %v; "+
		"aantallen en elke rij gecontroleerd: gelijk\n", *from, storage.Describe(*to), len(report.Tables), rows,
		report.Version, time.Since(started).Round(time.Second))
	fmt.Fprintf(env.stdout, "start de server met --db %s en hetzelfde geheim (BUURTBRUG_SECRET of --secret-file %s.secret)\n",
		storage.Describe(*to), *from)
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage"
)

// runGen writes a made-up city-scale dataset for the reach figures:
//
//	buurtbrug gen --db city.db [--contacts 1000000] [--persons 200000] [--seed 1]
//
// into a new database file (it refuses an existing one), with the demo
// logins (their workers log the contacts), then prints the ground truth of
// the persons reached per programme.
func runGen(args []string, env *cli) error {
	spec := storage.CityScale()
	fs := flagSet("buurtbrug gen", env)
	dbPath := fs.String("db", "buurtbrug-city.db", "nieuw SQLite-bestand om te schrijven")
	fs.IntVar(&spec.Contacts, "contacts", spec.Contacts, "aantal contacten")
	fs.IntVar(&spec.Persons, "persons", spec.Persons, "aantal personen")
	fs.IntVar(&spec.Neighbourhoods, "neighbourhoods", spec.Neighbourhoods, "aantal buurten (verzonnen buurten erbij)")
	fs.IntVar(&spec.Years, "years", spec.Years, "jaren met contacten, vanaf 2024")
	fs.Uint64Var(&spec.Seed, "seed", spec.Seed, "startwaarde van het toeval")
	if err := parse(fs, args); err != nil {
		return err
	}
	if spec.Persons < 1 || spec.Contacts < spec.Persons || spec.Years < 1 {
		return usageError{"gen: nodig zijn persons ≥ 1, contacts ≥ persons en years ≥ 1"}
	}
	if _, err := os.Stat(*dbPath); err == nil {
		return fmt.Errorf("gen: %s bestaat al; geef een nieuw bestand", *dbPath)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), Log: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Users.ByUsername(ctx, demo.Users[0].Username); err != nil {
		if _, err := demo.CreateUsers(ctx, demo.Services{Store: a.DB, Users: a.Users, Residents: a.Residents, Handovers: a.Handovers}); err != nil {
			return err
		}
	}
	started := time.Now()
	truth, err := storage.Generate(ctx, a.DB, spec, func(s string) {
		fmt.Fprintf(os.Stderr, "%8.1fs  %s\n", time.Since(started).Seconds(), s)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %d contacts of %d persons to %s in %v\n", spec.Contacts, spec.Persons, *dbPath,
		time.Since(started).Round(time.Second))
	for y := range spec.Years {
		p := cases.Period{Year: spec.Start.Year() + y, Kind: cases.Year}.String()
		var slugs []string
		for slug := range truth.Reached[p] {
			slugs = append(slugs, slug)
		}
		slices.Sort(slugs)
		fmt.Fprintf(env.stdout, "%s: persons reached (ground truth; the union is not the sum %d):\n", p, truth.Sum[p])
		for _, slug := range slugs {
			fmt.Fprintf(env.stdout, "  %-22s %7d reached %7d helped %8d moments\n", slug, truth.Reached[p][slug],
				truth.Helped[p][slug], truth.Moments[p][slug])
		}
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/buurtbrug/buurtbrug/cases"
)

// runReach audits every release of a year together, as one reader who saw
// them all, and shows how much the protection hid (a privacy officer's or
// auditor's check; the server audits each release as it makes it):
//
//	buurtbrug reach audit --db FILE --year JJJJ
func runReach(args []string, env *cli) error {
	if len(args) == 0 || args[0] != "audit" {
		return usageError{"gebruik: buurtbrug reach audit --db FILE --year JJJJ"}
	}
	fs := flagSet("buurtbrug reach audit", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	yearText := fs.String("year", "", "het jaar waarvan alle publicaties samen gecontroleerd worden")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	year, err := strconv.Atoi(*yearText)
	if err != nil || year < 2000 || year > 2999 {
		return usageError{"--year moet een jaartal zijn, zoals 2026"}
	}
	ctx := context.Background()
	a, err := openApp(ctx, env, *dbPath, *secretFile)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Reach.AuditYear(ctx, year)
	switch {
	case errors.Is(err, cases.ErrDisclosure):
		return fmt.Errorf("de publicaties van %d maken %d verborgen cellen te nauw bepaalbaar, de eerste: %v",
			year, len(res.Summary.Findings), res.Summary.Findings[0])
	case errors.Is(err, cases.ErrUnverified):
		return fmt.Errorf("van %d verborgen cellen van %d is niet aangetoond dat ze veilig zijn, de eerste: %v",
			len(res.Summary.Unverified), year, res.Summary.Unverified[0])
	case err != nil:
		return err
	case res.Releases == 0:
		fmt.Fprintf(env.stdout, "er zijn geen publicaties of concepten van %d\n", year)
		return nil
	}
	fmt.Fprintf(env.stdout, "%d publicaties en concepten van %d samen gecontroleerd: alle %d verborgen cellen houden genoeg mogelijke waarden\n",
		res.Releases, year, len(res.Summary.Ranges))
	fmt.Fprintf(env.stdout, "aandeel verborgen (x) van de cellen met 10 of meer: %v\n", res.Loss)
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/storage"
)

// openApp opens the database with its secret for an operator's task.
func openApp(ctx context.Context, env *cli, dbPath, secretFile string) (*app.App, error) {
	if path, ok := storage.FilePath(dbPath); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("de database %s bestaat niet", path)
		}
	}
	return createApp(ctx, env, dbPath, secretFile)
}

// createApp opens the database with its secret, creating both when new.
func createApp(ctx context.Context, env *cli, dbPath, secretFile string) (*app.App, error) {
	privateFiles()
	return app.Open(ctx, app.Config{DBPath: dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), SecretFile: secretFile, Log: env.log})
}

// runRetention lists the records whose retention period is over and, without
// --dry-run, erases them (the server does so every hour by itself):
//
//	buurtbrug retention --db FILE [--dry-run]
func runRetention(args []string, env *cli) error {
	fs := flagSet("buurtbrug retention", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	dry := fs.Bool("dry-run", false, "alleen tonen wat gewist zou worden")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := openApp(ctx, env, *dbPath, *secretFile)
	if err != nil {
		return err
	}
	defer a.Close()
	if *dry {
		due, err := a.Privacy.RetentionDue(ctx)
		if err != nil {
			return err
		}
		for _, d := range due {
			fmt.Fprintf(env.stdout, "%s\t%s\n", d.Organisation, d.ID)
		}
		fmt.Fprintf(env.stdout, "%d registraties over hun bewaartermijn (niets gewist: --dry-run)\n", len(due))
		return nil
	}
	erased, err := a.Privacy.ApplyRetention(ctx)
	for _, d := range erased {
		fmt.Fprintf(env.stdout, "%s\t%s\n", d.Organisation, d.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d registraties over hun bewaartermijn gewist\n", len(erased))
	return nil
}

// runAudit checks the audit log's chain and names the first broken line:
//
//	buurtbrug audit verify --db FILE
func runAudit(args []string, env *cli) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"gebruik: buurtbrug audit verify --db FILE"}
	}
	fs := flagSet("buurtbrug audit verify", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := openApp(ctx, env, *dbPath, *secretFile)
	if err != nil {
		return err
	}
	defer a.Close()
	broken, checked, err := a.DB.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if broken != 0 {
		return fmt.Errorf("het logboek is aangepast: regel %d klopt niet met de keten (%d regels gecontroleerd)", broken, checked)
	}
	fmt.Fprintf(env.stdout, "het logboek is onaangetast: %d regels gecontroleerd\n", checked)
	return nil
}

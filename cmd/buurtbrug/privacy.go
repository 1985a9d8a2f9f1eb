package main

import (
	"context"
	"fmt"
	"os"

	"github.com/buurtbrug/buurtbrug/cases"
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

// runAudit checks the audit log's chain and names the first broken line;
// with the head an earlier check printed, it also notices lines cut off
// the end since then:
//
//	buurtbrug audit verify --db FILE [--since LINE:HASH]
func runAudit(args []string, env *cli) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"gebruik: buurtbrug audit verify --db FILE [--since REGEL:HASH]"}
	}
	fs := flagSet("buurtbrug audit verify", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	since := fs.String("since", "", "de ketenkop van een eerdere controle (REGEL:HASH, zoals die hem toonde)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	mark, ok := cases.ParseAuditMark(*since)
	if *since != "" && !ok {
		return usageError{"--since moet REGEL:HASH zijn, zoals audit verify hem toonde"}
	}
	ctx := context.Background()
	a, err := openApp(ctx, env, *dbPath, *secretFile)
	if err != nil {
		return err
	}
	defer a.Close()
	// The head first: every line up to it is in what VerifyAudit reads.
	head, err := a.DB.AuditHead(ctx)
	if err != nil {
		return err
	}
	broken, checked, err := a.DB.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if broken != 0 {
		return fmt.Errorf("het logboek is aangepast: regel %d klopt niet met de keten (%d regels gecontroleerd)", broken, checked)
	}
	if ok {
		hash, err := a.DB.AuditLineHash(ctx, mark.Line)
		if err != nil {
			return err
		}
		if !mark.Holds(hash) {
			return fmt.Errorf("het logboek is ingekort of vervangen: regel %d van de eerdere controle staat er niet meer zo in", mark.Line)
		}
	}
	fmt.Fprintf(env.stdout, "het logboek is onaangetast: %d regels gecontroleerd\n", checked)
	if head.Line != 0 {
		fmt.Fprintf(env.stdout, "ketenkop: bewaar hem buiten de server en geef hem de volgende keer mee: --since %s\n", head.Mark())
	}
	return nil
}

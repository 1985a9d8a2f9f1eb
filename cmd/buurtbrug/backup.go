package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/storage"
)

// runBackup writes a consistent copy of the database while the server
// runs, and beside it a copy of the pseudonym secret, which the operator
// keeps apart from the backup:
//
//	buurtbrug backup --db FILE --to BACKUP [--secret-file S]
func runBackup(args []string, env *cli) error {
	fs := flagSet("buurtbrug backup", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	to := fs.String("to", "", "nieuw bestand voor de back-up")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageError{"--to ontbreekt"}
	}
	privateFiles()
	if err := storage.Backup(context.Background(), *dbPath, *to); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "back-up van %s geschreven naar %s\n", *dbPath, *to)
	return copySecret(env, secretPath(*dbPath, *secretFile), *to+".secret")
}

// runRestore puts a backup back as a new database file, with its secret,
// and checks that the server can start on it:
//
//	buurtbrug restore --from BACKUP --db FILE [--secret-file S]
func runRestore(args []string, env *cli) error {
	fs := flagSet("buurtbrug restore", env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	from := fs.String("from", "", "de back-up")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"--from ontbreekt"}
	}
	privateFiles()
	ctx := context.Background()
	if err := storage.Restore(ctx, *from, *dbPath); err != nil {
		return err
	}
	secret := secretPath(*dbPath, *secretFile)
	copied := false
	if _, err := os.Stat(secret); errors.Is(err, os.ErrNotExist) && os.Getenv("BUURTBRUG_SECRET") == "" {
		if err := copyFile(*from+".secret", secret); err == nil {
			copied = true
		}
	}
	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), SecretFile: *secretFile, Log: env.log})
	if err != nil {
		_ = os.Remove(*dbPath)
		if copied {
			_ = os.Remove(secret)
		}
		return fmt.Errorf("de back-up is niet teruggezet: %w", err)
	}
	defer a.Close()
	users, _ := a.Users.Find(ctx, cases.System)
	fmt.Fprintf(env.stdout, "back-up %s teruggezet als %s (%d accounts); start de server met --db %s\n",
		*from, *dbPath, len(users), *dbPath)
	return nil
}

func secretPath(dbPath, secretFile string) string {
	if secretFile != "" {
		return secretFile
	}
	return dbPath + ".secret"
}

// copySecret copies the secret file beside the backup, or says where the
// secret is when it lives in the environment.
func copySecret(env *cli, from, to string) error {
	if os.Getenv("BUURTBRUG_SECRET") != "" {
		fmt.Fprintln(env.stderr, "let op: het geheim staat in BUURTBRUG_SECRET, niet in een bestand; bewaar het zelf, apart van de back-up")
		return nil
	}
	if err := copyFile(from, to); err != nil {
		return fmt.Errorf("het geheim (%s) kan niet worden gekopieerd: %w", from, err)
	}
	fmt.Fprintf(env.stderr, "let op: het geheim van de pseudoniemen staat in %s. Bewaar het APART van de back-up "+
		"(wie beide heeft, kan namen aan personen koppelen); zonder het geheim start de server niet op de back-up.\n", to)
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

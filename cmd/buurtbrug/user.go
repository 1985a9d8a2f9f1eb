package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
)

// runUser makes an account or sets a password, as the operator:
//
//	buurtbrug user add --username U --org O --roles worker [--programme P] [--name N]
//	buurtbrug user password --username U
//
// The operator is how the first coordinator of a new organisation (and the
// first administrator) is made. Passwords come from BUURTBRUG_PASSWORD or are
// asked for without echo, never from a flag (flags show in process lists);
// the user changes it at the first login.
func runUser(args []string, env *cli) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "password") {
		return usageError{"gebruik: buurtbrug user add|password --username U [...]"}
	}
	sub := args[0]
	fs := flagSet("buurtbrug user "+sub, env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	username := fs.String("username", "", "gebruikersnaam")
	org := fs.String("org", "", "organisatie (slug; add)")
	roles := fs.String("roles", cases.RoleWorker, "rollen met komma's: worker, coordinator, programme, admin, privacy (add)")
	programme := fs.String("programme", "", "eigen programma (slug; add)")
	name := fs.String("name", "", "naam zoals getoond (add; standaard de gebruikersnaam)")
	email := fs.String("email", "", "werk-e-mailadres, voor meldingen (add; niet verplicht)")
	phone := fs.String("phone", "", "werktelefoon (add; niet verplicht)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"--username ontbreekt"}
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), SecretFile: *secretFile, Log: env.log})
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "password" {
		if err := a.ResetPassword(ctx, *username, password); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "het wachtwoord van %s is ingesteld; %s is overal uitgelogd en kiest bij de volgende keer inloggen een eigen wachtwoord\n", *username, *username)
		return nil
	}
	if *name == "" {
		*name = *username
	}
	u, err := a.CreateUser(ctx, cases.UserInput{Username: *username, DisplayName: *name, Organisation: *org,
		Programme: *programme, Roles: splitList(*roles), Password: password, Email: *email, Phone: *phone})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "account %s gemaakt in %s met de rollen %s; bij de eerste keer inloggen kiest %s een eigen wachtwoord\n",
		u.Username, u.OrganisationSlug, strings.Join(u.Roles, ","), u.Username)
	return nil
}

// readPassword reads the password from BUURTBRUG_PASSWORD, from the
// terminal without echo (twice), or from a line of standard input.
func readPassword(env *cli) (string, error) {
	if p := os.Getenv("BUURTBRUG_PASSWORD"); p != "" {
		return p, nil
	}
	fd := int(env.stdin.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(env.stderr, "wachtwoord (minstens 12 tekens): ")
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.stderr, "nog een keer: ")
		second, err := term.ReadPassword(fd)
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("de twee wachtwoorden zijn niet gelijk")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("geen wachtwoord gegeven: zet BUURTBRUG_PASSWORD of geef het op standaardinvoer")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

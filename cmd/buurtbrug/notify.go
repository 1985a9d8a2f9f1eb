package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
	"github.com/buurtbrug/buurtbrug/cmd/internal/mailer"
)

// notifySettings are the flags of the notifications.
type notifySettings struct {
	smtpAddr, smtpFrom, smtpUser, publicURL *string
	redirectAfter                           *int
}

func notifyFlags(fs *flag.FlagSet) notifySettings {
	return notifySettings{
		smtpAddr: fs.String("smtp-addr", envOr("BUURTBRUG_SMTP_ADDR", ""),
			"SMTP-server host:poort voor de meldingsmails; leeg: meldingen alleen in de app (BUURTBRUG_SMTP_ADDR)"),
		smtpFrom: fs.String("smtp-from", envOr("BUURTBRUG_SMTP_FROM", "buurtbrug@localhost"),
			"afzender van de meldingsmails (BUURTBRUG_SMTP_FROM)"),
		smtpUser: fs.String("smtp-user", envOr("BUURTBRUG_SMTP_USER", ""),
			"SMTP-gebruikersnaam; het wachtwoord komt uit BUURTBRUG_SMTP_PASSWORD (BUURTBRUG_SMTP_USER)"),
		publicURL: fs.String("public-url", envOr("BUURTBRUG_PUBLIC_URL", ""),
			"het adres waarop gebruikers Buurtbrug openen, voor de links in mails; standaard http://<addr> (BUURTBRUG_PUBLIC_URL)"),
		redirectAfter: fs.Int("redirect-after", envInt("BUURTBRUG_REDIRECT_AFTER", cases.DefaultRedirectAfter),
			"werkdagen dat een overdracht te laat is voordat de verzender de vraag krijgt hem door te sturen (BUURTBRUG_REDIRECT_AFTER)"),
	}
}

// config is the notifications' configuration; the demo without a mail
// server shows the mails it would send to administrators.
func (n notifySettings) config(demo bool, addr string) app.NotifyConfig {
	c := app.NotifyConfig{PublicURL: *n.publicURL, RedirectAfter: *n.redirectAfter, ShowMail: demo}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + addr
	}
	if *n.smtpAddr != "" {
		c.SMTP = &mailer.Config{Addr: *n.smtpAddr, From: *n.smtpFrom, User: *n.smtpUser,
			Password: os.Getenv("BUURTBRUG_SMTP_PASSWORD")}
	}
	return c
}

// runPartners imports or exports the partner directory as HSDS 3.0 JSON:
//
//	buurtbrug partners import --db FILE PARTNERS.json
//	buurtbrug partners export --db FILE [PARTNERS.json]
func runPartners(args []string, env *cli) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return usageError{"gebruik: buurtbrug partners import --db FILE PARTNERS.json | export --db FILE [PARTNERS.json]"}
	}
	fs := flagSet("buurtbrug partners "+args[0], env)
	dbPath := dbFlag(fs)
	secretFile := secretFileFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	switch {
	case args[0] == "import" && fs.NArg() != 1:
		return usageError{"partners import verwacht één bestand"}
	case fs.NArg() > 1:
		return usageError{fmt.Sprintf("onverwacht argument %q", fs.Arg(1))}
	}
	ctx := context.Background()
	open := openApp
	if args[0] == "import" {
		open = createApp // a new deployment may start from a directory
	}
	a, err := open(ctx, env, *dbPath, *secretFile)
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "export" {
		return exportPartners(ctx, a, fs.Arg(0), env)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	res, err := a.ImportPartners(ctx, data)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "partnergids ingelezen: %d organisaties, %d diensten, %d verwijderd\n",
		res.Organisations, res.Services, res.Removed)
	return nil
}

func exportPartners(ctx context.Context, a *app.App, path string, env *cli) error {
	page, err := a.Directory.ExportHSDS(ctx, cases.PartnerFilter{})
	if err != nil {
		return err
	}
	var out io.Writer = env.stdout
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(page); err != nil {
		return err
	}
	return w.Flush()
}

// describe lists every field problem of an import, one a line.
func describe(err error) error {
	var e *cases.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	msg := "het bestand is niet ingelezen; er is niets veranderd:"
	for _, f := range e.Fields {
		msg += fmt.Sprintf("\n  %s: %s %s", f.Field, f.Tag, f.Param)
	}
	return errors.New(msg)
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
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
			"SMTP server host:port for notification mails; empty: notifications in the app only (BUURTBRUG_SMTP_ADDR)"),
		smtpFrom: fs.String("smtp-from", envOr("BUURTBRUG_SMTP_FROM", "buurtbrug@localhost"),
			"sender address of notification mails (BUURTBRUG_SMTP_FROM)"),
		smtpUser: fs.String("smtp-user", envOr("BUURTBRUG_SMTP_USER", ""),
			"SMTP user name; the password comes from BUURTBRUG_SMTP_PASSWORD (BUURTBRUG_SMTP_USER)"),
		publicURL: fs.String("public-url", envOr("BUURTBRUG_PUBLIC_URL", ""),
			"the address users open Buurtbrug at, for the links in mails; default http://<addr> (BUURTBRUG_PUBLIC_URL)"),
		redirectAfter: fs.Int("redirect-after", envInt("BUURTBRUG_REDIRECT_AFTER", cases.DefaultRedirectAfter),
			"working days a handover is overdue before its sender is prompted to redirect it (BUURTBRUG_REDIRECT_AFTER)"),
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
// buurtbrug partners import FILE, buurtbrug partners export [FILE].
func runPartners(args []string, log *slog.Logger) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return errors.New("usage: buurtbrug partners import FILE | export [FILE] [--db PATH]")
	}
	fs := flag.NewFlagSet("buurtbrug partners "+args[0], flag.ContinueOnError)
	dbPath := dbFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "import" && fs.NArg() != 1 {
		return errors.New("usage: buurtbrug partners import FILE")
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: *dbPath, Secret: os.Getenv("BUURTBRUG_SECRET"), Log: log})
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "export" {
		return exportPartners(ctx, a, fs.Arg(0))
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	res, err := a.ImportPartners(ctx, data)
	if err != nil {
		return describe(err)
	}
	fmt.Printf("partner directory imported: %d organisations, %d services, %d removed\n",
		res.Organisations, res.Services, res.Removed)
	return nil
}

func exportPartners(ctx context.Context, a *app.App, path string) error {
	page, err := a.Directory.ExportHSDS(ctx, cases.PartnerFilter{})
	if err != nil {
		return err
	}
	out := os.Stdout
	if path != "" {
		if out, err = os.Create(path); err != nil {
			return err
		}
		defer out.Close()
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
	msg := "the file was not imported; nothing changed:"
	for _, f := range e.Fields {
		msg += fmt.Sprintf("\n  %s: %s %s", f.Field, f.Tag, f.Param)
	}
	return errors.New(msg)
}

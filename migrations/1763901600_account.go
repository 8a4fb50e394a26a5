package migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Account self-service happens in Tock's web app, not in PocketBase's admin
// UI: the password-reset and e-mail-change mails link to the app's pages
// (#/reset-password/{TOKEN}, #/confirm-email/{TOKEN}) under the server's
// Application URL (Settings → Application in /_/). Only the stock link is
// replaced, so an operator's own template stays as they wrote it. A person
// also keeps their own time zone on their account.

// accountLinks maps PocketBase's stock admin-UI links to the web app's pages.
func accountLinks() [][2]string {
	return [][2]string{
		{"{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}", "{APP_URL}/#/reset-password/{TOKEN}"},
		{"{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}", "{APP_URL}/#/confirm-email/{TOKEN}"},
	}
}

func init() {
	m.Register(func(app core.App) error {
		return changeAccount(app, func(from, to string) (string, string) { return from, to }, true)
	}, func(app core.App) error {
		return changeAccount(app, func(from, to string) (string, string) { return to, from }, false)
	})
}

// changeAccount rewrites the users collection's mail links (swap gives the
// direction) and adds or drops the time-zone field.
func changeAccount(app core.App, swap func(from, to string) (string, string), up bool) error {
	users, err := app.FindCollectionByNameOrId(schema.Users)
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	for _, l := range accountLinks() {
		from, to := swap(l[0], l[1])
		users.ResetPasswordTemplate.Body = strings.ReplaceAll(users.ResetPasswordTemplate.Body, from, to)
		users.ConfirmEmailChangeTemplate.Body = strings.ReplaceAll(users.ConfirmEmailChangeTemplate.Body, from, to)
	}
	if up {
		users.Fields.Add(text(schema.UserTimezoneField, false, 64))
	} else {
		users.Fields.RemoveByName(schema.UserTimezoneField)
	}
	if err := app.Save(users); err != nil {
		return fmt.Errorf("account: save users: %w", err)
	}
	return nil
}

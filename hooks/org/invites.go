package org

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/ozzo-validation/v4/is"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// JoinLink is the web app's page for an invitation token, relative to the app URL.
func JoinLink(token string) string { return "/#/join/" + token }

func registerInvites(app core.App, z *gate.Authorizer) {
	app.OnRecordCreate(schema.Invites).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(schema.FieldStatus) == "" {
			e.Record.Set(schema.FieldStatus, schema.InvitePending)
		}
		return e.Next()
	})
	// A superuser writing in the admin UI still can't invite into another
	// organization's team.
	app.OnRecordValidate(schema.Invites).BindFunc(func(e *core.RecordEvent) error {
		return reply.ValidateAlso(e, func() validation.Errors {
			return gate.CheckIntegrity(e.App, e.Record, gate.Checked{}, []gate.Link{{Field: "team"}}, nil)
		})
	})
	app.OnRecordDeleteRequest(schema.Invites).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		audit.Log(e.App, e.Auth, "revoke_invite", e.Record, map[string]any{"email": e.Record.GetString("email")})
		return nil
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(api.InvitesRoute, func(re *core.RequestEvent) error { return invite(re, z) }).
			Bind(apis.RequireAuth(schema.Users))
		e.Router.GET(api.InviteRoute, inviteInfo)
		e.Router.POST(api.AcceptInviteRoute, acceptInvite).Bind(apis.RequireAuth(schema.Users))
		return e.Next()
	})
}

func invite(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.InviteRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send the invitee's email, their role and optionally a team id as JSON.")
	}
	// Someone who may invite no one learns nothing about the input.
	if z.Matrix.Scope(a.Actor, perms.InviteUsers, a.Settings).Empty() {
		return reply.Forbidden(perms.InviteUsers)
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if errs := validateInvite(e.App, org.Id, in); len(errs) > 0 {
		return router.NewBadRequestError("Invalid invitation.", errs)
	}
	if err := mayInvite(z, a, in); err != nil {
		return err
	}
	member, err := isActiveMemberEmail(e.App, org.Id, in.Email)
	if err != nil {
		return err
	}
	if member {
		return router.NewBadRequestError("Invalid invitation.", validation.Errors{
			"email": validation.NewError("validation_already_member", "This person is already a member of the organization."),
		})
	}

	token, hash, err := newInviteToken()
	if err != nil {
		return err
	}
	invites, err := e.App.FindCachedCollectionByNameOrId(schema.Invites)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Invites, err)
	}
	r := core.NewRecord(invites)
	r.Set(schema.FieldOrg, org.Id)
	r.Set("email", in.Email)
	r.Set(schema.FieldRole, in.Role)
	r.Set("team", in.Team)
	r.Set("token_hash", hash)
	r.Set("invited_by", e.Auth.Id)
	r.Set(schema.FieldStatus, schema.InvitePending)
	expires := time.Now().UTC().Add(api.InviteTTL).Truncate(time.Millisecond)
	r.Set("expires", expires)
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := tx.Save(r); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "invite_user", r, map[string]any{"email": in.Email, "role": in.Role, "team": in.Team})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't save the invitation.")
	}

	out := api.Invitation{
		ID: r.Id, Email: in.Email, Role: in.Role, Team: in.Team, Expires: r.GetDateTime("expires"),
		Link: JoinLink(token), Token: token,
	}
	out.Emailed = sendInvite(e.App, e.Auth, org, in, token)
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, out)
}

// validateInvite checks the invitation's fields; it reads nothing outside org.
func validateInvite(app core.App, org string, in api.InviteRequest) validation.Errors {
	errs := validation.Errors{}
	if err := validation.Validate(in.Email, validation.Required, validation.Length(3, 254), is.EmailFormat); err != nil {
		errs["email"] = err
	}
	if !slices.Contains(schema.InviteRoles(), in.Role) {
		errs["role"] = validation.NewError("validation_invalid_value", "Must be one of owner, manager or user.")
	}
	if in.Team != "" {
		var found int
		err := app.RecordQuery(schema.Teams).Select("count(*)").
			AndWhere(dbx.HashExp{"id": in.Team, schema.FieldOrg: org}).Row(&found)
		if err != nil || found == 0 {
			// The same words for another organization's team as for none.
			errs["team"] = validation.NewError("validation_missing_rel_records", "Failed to find all relation records with the provided ids.")
		}
	}
	return errs
}

// mayInvite applies "Invite Users" to one invitation. Team leads hold it
// only where the organization enables it, and then only to bring people into
// a team they lead; the role it carries is perms.CanSetRole's (plain users
// by anyone who may invite, managers by owners and managers, owners by
// owners).
func mayInvite(z *gate.Authorizer, a gate.Actor, in api.InviteRequest) error {
	d := z.Decide(a, perms.InviteUsers, perms.Target{TeamID: in.Team})
	if !d.Allowed {
		if in.Team == "" && !z.Matrix.Scope(a.Actor, perms.InviteUsers, a.Settings).Empty() {
			return router.NewForbiddenError("Invite into a team you lead: send its id as team.", nil)
		}
		return reply.Forbidden(perms.InviteUsers)
	}
	return gate.RefuseRole(perms.CanSetRole(a.Actor, perms.RoleChange{Scope: perms.ScopeOrganization, To: in.Role}))
}

// inviterMayGrant re-checks, as an invitation is accepted, that whoever sent
// it may still invite, into its team, with the role it carries: an
// invitation is worth no more than its sender's rights when it is used. One a superuser made in
// the admin UI has no sender and stands as made.
func inviterMayGrant(app core.App, inv *core.Record) error {
	by := inv.GetString("invited_by")
	if by == "" {
		return nil
	}
	a, err := gate.LoadActor(app, by, inv.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	invites := perms.Default().Decide(a.Actor, perms.InviteUsers, perms.Target{TeamID: inv.GetString("team")}, a.Settings)
	role := perms.CanSetRole(a.Actor, perms.RoleChange{Scope: perms.ScopeOrganization, To: inv.GetString(schema.FieldRole)})
	if !a.Member || !invites.Allowed || !role.Allowed {
		return router.NewForbiddenError("Whoever sent this invitation can no longer grant its role; ask for a new invitation.", nil)
	}
	return nil
}

func isActiveMemberEmail(app core.App, org, email string) (bool, error) {
	var n int
	err := app.DB().Select("count(*)").
		From(schema.Memberships+" m").
		InnerJoin(schema.Users+" u", dbx.NewExp("u.id = m.user")).
		Where(dbx.HashExp{"m.org": org, "m.status": schema.MemberActive}).
		AndWhere(dbx.NewExp("u.email = {:email} COLLATE NOCASE", dbx.Params{"email": email})).
		Row(&n)
	if err != nil {
		return false, fmt.Errorf("members of %s by email: %w", org, err)
	}
	return n > 0, nil
}

// newInviteToken returns a fresh token and the hash that is all Tock keeps.
func newInviteToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("invitation token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashInviteToken(token), nil
}

func hashInviteToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// inviteTokenLen is the length of a token newInviteToken makes.
var inviteTokenLen = base64.RawURLEncoding.EncodedLen(32)

// sendInvite mails the link when the app has SMTP set up. A failure is
// logged, not returned: the invitation exists and the inviter has the link.
func sendInvite(app core.App, inviter *core.Record, org *core.Record, in api.InviteRequest, token string) bool {
	settings := app.Settings()
	if !settings.SMTP.Enabled {
		return false
	}
	link := strings.TrimRight(settings.Meta.AppURL, "/") + JoinLink(token)
	who := inviter.GetString(schema.FieldName)
	if who == "" {
		who = inviter.Email()
	}
	orgName := org.GetString(schema.FieldName)
	msg := &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Address: in.Email}},
		Subject: fmt.Sprintf("Join %s on Tock", orgName),
		Text: fmt.Sprintf("%s invited you to join %s on Tock.\n\nOpen this link to accept (it works for 7 days):\n%s\n",
			who, orgName, link),
		HTML: fmt.Sprintf(`<p>%s invited you to join <strong>%s</strong> on Tock.</p><p><a href="%s">Accept the invitation</a> (the link works for 7 days).</p>`,
			html.EscapeString(who), html.EscapeString(orgName), html.EscapeString(link)),
	}
	if err := app.NewMailClient().Send(msg); err != nil {
		app.Logger().Warn("invitation e-mail not sent", slog.String("org", org.Id),
			slog.String("to", in.Email), slog.Any("error", err))
		return false
	}
	return true
}

// usableInvite finds the pending, unexpired invitation of token; anything
// else is a 404, so a link never tells a used one from one never made.
func usableInvite(app core.App, token string) (*core.Record, error) {
	if len(token) != inviteTokenLen {
		return nil, reply.NotFound()
	}
	r, err := app.FindFirstRecordByFilter(schema.Invites, "token_hash = {:hash}",
		dbx.Params{"hash": hashInviteToken(token)})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, reply.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	if r.GetString(schema.FieldStatus) != schema.InvitePending || !r.GetDateTime("expires").Time().After(time.Now()) {
		return nil, reply.NotFound()
	}
	return r, nil
}

func inviteInfo(e *core.RequestEvent) error {
	r, err := usableInvite(e.App, e.Request.PathValue("token"))
	if err != nil {
		return err
	}
	org, err := e.App.FindRecordById(schema.Organizations, r.GetString(schema.FieldOrg))
	if err != nil {
		return fmt.Errorf("find organization of invitation %s: %w", r.Id, err)
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, api.InviteInfo{
		Org:   api.InviteOrg{ID: org.Id, Name: org.GetString(schema.FieldName)},
		Email: r.GetString("email"), Role: r.GetString(schema.FieldRole), Expires: r.GetDateTime("expires"),
	})
}

// acceptInvite makes the signed-in person a member with the invitation's
// role, and a member of its team, in one transaction with using it up. The
// account's e-mail need not be the invited one: the link is the credential.
func acceptInvite(e *core.RequestEvent) error {
	token := e.Request.PathValue("token")
	user := e.Auth.Id
	var org string
	err := e.App.RunInTransaction(func(tx core.App) error {
		inv, err := usableInvite(tx, token)
		if err != nil {
			return err
		}
		org = inv.GetString(schema.FieldOrg)
		role := inv.GetString(schema.FieldRole)
		if err := inviterMayGrant(tx, inv); err != nil {
			return err
		}

		m, err := tx.FindFirstRecordByFilter(schema.Memberships, "org = {:org} && user = {:user}",
			dbx.Params{"org": org, "user": user})
		switch {
		case err == nil && m.GetString(schema.FieldStatus) == schema.MemberActive:
			return router.NewBadRequestError("You are already a member of this organization.", nil)
		case err == nil:
			// A former or pending member comes back with the invited role.
		case errors.Is(err, sql.ErrNoRows):
			c, err := tx.FindCachedCollectionByNameOrId(schema.Memberships)
			if err != nil {
				return fmt.Errorf("find %s: %w", schema.Memberships, err)
			}
			m = core.NewRecord(c)
			m.Set(schema.FieldOrg, org)
			m.Set(schema.FieldUser, user)
		default:
			return fmt.Errorf("membership of %s in %s: %w", user, org, err)
		}
		m.Set(schema.FieldRole, role)
		m.Set(schema.FieldStatus, schema.MemberActive)
		// Saved through the app so users.tock_orgs follows (userorgs.go).
		if err := tx.Save(m); err != nil {
			return err
		}

		if team := inv.GetString("team"); team != "" {
			if err := joinTeam(tx, org, team, user); err != nil {
				return err
			}
		}

		inv.Set(schema.FieldStatus, schema.InviteAccepted)
		inv.Set("accepted_by", user)
		if err := tx.Save(inv); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "accept_invite", m, map[string]any{
			"invite": inv.Id, "role": role, "team": inv.GetString("team"), "invited_email": inv.GetString("email"),
		})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't accept the invitation.")
	}
	return e.JSON(http.StatusOK, api.Accepted{Org: org})
}

func joinTeam(app core.App, org, team, user string) error {
	_, err := app.FindFirstRecordByFilter(schema.TeamMembers, "team = {:team} && user = {:user}",
		dbx.Params{"team": team, "user": user})
	if err == nil {
		return nil // already in it, perhaps as its lead: leave the row alone
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("team %s membership of %s: %w", team, user, err)
	}
	c, err := app.FindCachedCollectionByNameOrId(schema.TeamMembers)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.TeamMembers, err)
	}
	tm := core.NewRecord(c)
	tm.Set(schema.FieldOrg, org)
	tm.Set("team", team)
	tm.Set(schema.FieldUser, user)
	if err := app.Save(tm); err != nil {
		return fmt.Errorf("add %s to team %s: %w", user, team, err)
	}
	return nil
}

package desktop

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// enrolAlphabet is Crockford's base32: no I, L, O or U, so a code read
// aloud or retyped survives; 12 characters carry 60 random bits.
const (
	enrolAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	enrolCodeLen  = 12
)

func (s *Server) registerEnrol(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(api.EnrolCodesRoute, func(re *core.RequestEvent) error { return s.newEnrolCode(re, z) }).
			Bind(apis.RequireAuth(schema.Users))
		e.Router.POST(api.EnrolRoute, s.enrol)
		return e.Next()
	})
	// Codes die with the membership: a member who leaves or is removed (or
	// set to anything but active) can't enrol a computer afterwards.
	app.OnRecordAfterUpdateSuccess(schema.Memberships).BindFunc(func(e *core.RecordEvent) error {
		if !(schema.Membership{Record: e.Record}).Active() {
			revokeEnrolCodes(e.App, e.Record)
		}
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(schema.Memberships).BindFunc(func(e *core.RecordEvent) error {
		revokeEnrolCodes(e.App, e.Record)
		return e.Next()
	})
}

// newEnrolCode makes a code for the requester in the organization of the
// path, replacing any earlier unused one: one live code per member.
func (s *Server) newEnrolCode(e *core.RequestEvent, z *gate.Authorizer) error {
	_, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	code, err := newEnrolCodeText()
	if err != nil {
		return err
	}
	c, err := e.App.FindCachedCollectionByNameOrId(schema.Enrolments)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Enrolments, err)
	}
	r := core.NewRecord(c)
	r.Set(schema.FieldOrg, org.Id)
	r.Set(schema.FieldUser, e.Auth.Id)
	r.Set("code_hash", hashEnrolCode(code))
	expires := time.Now().UTC().Add(api.EnrolTTL).Truncate(time.Millisecond)
	r.Set("expires", expires)
	err = e.App.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().Delete(schema.Enrolments, dbx.NewExp("org = {:org} AND user = {:user} AND used = ''",
			dbx.Params{"org": org.Id, "user": e.Auth.Id})).Execute(); err != nil {
			return fmt.Errorf("drop earlier codes: %w", err)
		}
		if err := tx.Save(r); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "new_enrol_code", r, map[string]any{"expires": expires})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't make an enrolment code.")
	}
	server := serverURL(e)
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, api.EnrolCode{
		Code: formatEnrolCode(code), Server: server, Expires: expires,
		Link: "tock://enrol?server=" + url.QueryEscape(server) + "&code=" + code,
	})
}

// enrol exchanges a code for a session token of its member. Every refusal
// changes nothing and says, in a sentence, what the person can do; an
// address with too many refusals in a row is told to wait (enrol_limit.go).
func (s *Server) enrol(e *core.RequestEvent) error {
	addr := e.RealIP()
	if wait := s.wrong.wait(addr, time.Now()); wait > 0 {
		return &router.ApiError{Status: http.StatusTooManyRequests, Message: fmt.Sprintf(
			"Too many wrong enrolment codes from this network address: try again in %d minutes, with a new code from the web app.", int(wait.Minutes())+1)}
	}
	out, err := s.exchange(e)
	var refusal *router.ApiError
	if errors.As(err, &refusal) && refusal.Status < http.StatusInternalServerError {
		s.wrong.refused(addr, time.Now())
	}
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, out)
}

// exchange reads the code and uses it up, returning the member's session.
func (s *Server) exchange(e *core.RequestEvent) (api.Enrolled, error) {
	var in api.EnrolRequest
	if err := e.BindBody(&in); err != nil {
		return api.Enrolled{}, reply.BadRequest("Send the enrolment code as JSON: {\"code\": \"…\"}.")
	}
	code := normalizeEnrolCode(in.Code)
	if len(code) != enrolCodeLen || strings.Trim(code, enrolAlphabet) != "" {
		return api.Enrolled{}, reply.BadRequest("That is not an enrolment code: a code is 12 letters and digits, such as 7KQ2-M9XD-4HTR.")
	}
	var out api.Enrolled
	err := e.App.RunInTransaction(func(tx core.App) error {
		r, user, org, err := usableEnrolment(tx, code, time.Now())
		if err != nil {
			return err
		}
		r.Set("used", time.Now().UTC())
		if err := tx.Save(r); err != nil {
			return err
		}
		token, err := user.NewAuthToken()
		if err != nil {
			return fmt.Errorf("session of %s: %w", user.Id, err)
		}
		audit.Log(tx, user, "enrol_agent", r, map[string]any{"ip": e.RealIP(), "user_agent": truncate(e.Request.UserAgent(), 200)})
		out = api.Enrolled{
			Token: token, User: api.EnrolUser{ID: user.Id, Email: user.Email()},
			Org:    api.OrgSummary{ID: org.Id, Name: org.GetString(schema.FieldName), Timezone: org.GetString(schema.FieldTimezone)},
			Server: serverURL(e),
		}
		return nil
	})
	if err != nil {
		return api.Enrolled{}, reply.RequestError(err, "Couldn't enrol the agent.")
	}
	return out, nil
}

// usableEnrolment finds the code's record, its member and organization, and
// refuses a code that is unknown, used, expired or whose membership ended.
func usableEnrolment(app core.App, code string, now time.Time) (r, user, org *core.Record, err error) {
	const again = " Get a new code on the web app's “Get the desktop app” page."
	r, err = app.FindFirstRecordByFilter(schema.Enrolments, "code_hash = {:hash}", dbx.Params{"hash": hashEnrolCode(code)})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, router.NewNotFoundError("No such enrolment code: check it for typing mistakes."+again, nil)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find enrolment code: %w", err)
	}
	switch {
	case !r.GetDateTime("used").IsZero():
		return nil, nil, nil, &router.ApiError{Status: http.StatusGone, Message: "This enrolment code has already been used: each code works once." + again}
	case !r.GetDateTime("expires").Time().After(now):
		return nil, nil, nil, &router.ApiError{Status: http.StatusGone,
			Message: fmt.Sprintf("This enrolment code has expired: codes work for %d minutes.%s", int(api.EnrolTTL.Minutes()), again)}
	}
	a, err := gate.LoadActor(app, r.GetString(schema.FieldUser), r.GetString(schema.FieldOrg))
	if err != nil {
		return nil, nil, nil, err
	}
	if !a.Member {
		// Codes are deleted when a membership ends; this is the same refusal
		// for one that ended in the same instant.
		return nil, nil, nil, router.NewNotFoundError("No such enrolment code: check it for typing mistakes."+again, nil)
	}
	user, err = app.FindRecordById(schema.Users, r.GetString(schema.FieldUser))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find the member of enrolment %s: %w", r.Id, err)
	}
	return r, user, a.Org, nil
}

// revokeEnrolCodes deletes the unused codes of a membership that ended, and
// says so in the audit log when there were any.
func revokeEnrolCodes(app core.App, rec *core.Record) {
	membership := schema.Membership{Record: rec}
	res, err := app.DB().Delete(schema.Enrolments, dbx.NewExp("org = {:org} AND user = {:user} AND used = ''",
		dbx.Params{"org": membership.Org(), "user": membership.User()})).Execute()
	if err != nil {
		app.Logger().Error("enrolment codes of an ended membership not revoked",
			"membership", membership.Id, "error", err)
		return
	}
	if n, _ := res.RowsAffected(); n > 0 {
		audit.Log(app, nil, "revoke_enrol_codes", rec, map[string]any{"codes": n})
	}
}

// newEnrolCodeText draws a code from enrolAlphabet (256 is a multiple of
// 32, so every letter is equally likely).
func newEnrolCodeText() (string, error) {
	var b [enrolCodeLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("enrolment code: %w", err)
	}
	for i := range b {
		b[i] = enrolAlphabet[int(b[i])%len(enrolAlphabet)]
	}
	return string(b[:]), nil
}

// normalizeEnrolCode reads a code as a person may type it: any case, with
// dashes or spaces, O for 0 and I or L for 1 (Crockford's reading).
func normalizeEnrolCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		case 'O':
			return '0'
		case 'I', 'L':
			return '1'
		}
		return r
	}, s)
}

// formatEnrolCode groups a code by four for reading: 7KQ2-M9XD-4HTR.
func formatEnrolCode(code string) string {
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

func hashEnrolCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// serverURL is the address the agent should keep: the app URL of the
// settings when the operator set one, else the one the browser used.
func serverURL(e *core.RequestEvent) string {
	if u := strings.TrimRight(e.App.Settings().Meta.AppURL, "/"); u != "" && u != "http://localhost:8090" {
		return u
	}
	scheme := "http"
	if e.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + e.Request.Host
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

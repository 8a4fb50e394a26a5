package hooks

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations"
)

// Every input Tock accepts is bounded: collection fields by their schema
// (see migrations: every text field has a Max, every JSON field a MaxSize),
// the bodies of Tock's own routes by bodyLimits, and the agent's uploads by
// the limits of the ingest protocol. Beyond a bound the request is refused
// and nothing of it is stored. Tock's routes read their bodies into structs
// and store only the fields they name, so unknown JSON fields are ignored,
// never stored.

// DefaultBodyBytes bounds the JSON body of every Tock route not listed in
// bodyLimits: each takes a handful of ids, dates and short texts.
const DefaultBodyBytes = 64 << 10

// MaxEmailLen is the longest e-mail address a collection takes (RFC 5321's
// limit on a path).
const MaxEmailLen = 254

// multipartOverhead is room for a screenshot upload's multipart framing.
const multipartOverhead = 16 << 10

// bodyLimits are the routes whose bodies may exceed DefaultBodyBytes.
func (s *Server) bodyLimits() map[string]int64 {
	return map[string]int64{
		ingest.ScreenshotsRoute: s.cfg.MaxEnvelopeBytes + ingest.MaxMetaBytes + multipartOverhead,
		ingest.ActivitiesRoute:  ingest.MaxActivityBytes,
		LocationsRoute:          MaxLocationBodyBytes,
	}
}

// MaxLocationBodyBytes bounds a batch of locations: 500 points of a few
// hundred bytes each.
const MaxLocationBodyBytes = 256 << 10

// registerBounds binds the body limits of Tock's routes and the e-mail
// length check of every Tock collection.
func (s *Server) registerBounds(app core.App) {
	limits := s.bodyLimits()
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.BindFunc(func(re *core.RequestEvent) error { return limitBody(re, limits) })
		return e.Next()
	})
	names := []string{migrations.Users}
	for name := range migrations.AccessOf() {
		names = append(names, name)
	}
	app.OnRecordValidate(names...).BindFunc(checkEmailLengths)
}

// limitBody caps the body of a request to a Tock route: a declared length
// beyond the route's limit is refused at once, and a body found longer while
// it is read fails the request the same way (413), whatever the route's
// handler made of the cut body.
func limitBody(e *core.RequestEvent, limits map[string]int64) error {
	_, path, _ := strings.Cut(e.Request.Pattern, " ")
	if !strings.HasPrefix(path, "/api/tock/") {
		return e.Next()
	}
	limit, ok := limits[path]
	if !ok {
		limit = DefaultBodyBytes
	}
	if e.Request.ContentLength > limit {
		return errBodyTooLarge(limit)
	}
	body := &limitedBody{ReadCloser: e.Request.Body, limit: limit, left: limit}
	e.Request.Body = body
	err := e.Next()
	if err != nil && body.hit {
		return errBodyTooLarge(limit)
	}
	return err
}

func errBodyTooLarge(limit int64) error {
	return router.NewApiError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body may be at most %d bytes here.", limit), nil)
}

// limitedBody reads at most limit bytes of a body and remembers whether the
// body went beyond. It can be read again from the start, as PocketBase's
// rereadable bodies can.
type limitedBody struct {
	io.ReadCloser
	limit, left int64
	hit         bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, apis.ErrRequestEntityTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more than allowed tells a body too long
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		n, b.left, b.hit = int(b.left), -1, true
		return n, apis.ErrRequestEntityTooLarge
	}
	b.left -= int64(n)
	return n, err
}

// Reread implements router.Rereader.
func (b *limitedBody) Reread() {
	if r, ok := b.ReadCloser.(router.Rereader); ok {
		r.Reread()
		b.left = b.limit
	}
}

// fieldTooLong is the 400 of a field beyond its bound, naming the field.
func fieldTooLong(field string, max int, unit string) error {
	return router.NewBadRequestError(fmt.Sprintf("%s may be at most %d %s.", field, max, unit),
		validation.Errors{field: validation.NewError("validation_max_size", fmt.Sprintf("Must be at most %d %s.", max, unit))})
}

// boundedApps checks the length of every app entry of an activity, merges
// the entries with the same app, title and URL (adding their seconds) and
// checks that at most ingest.MaxApps remain, so a slot stores a bounded
// number of app usage records.
func boundedApps(apps []ingest.AppSeconds) ([]ingest.AppSeconds, error) {
	type key struct{ app, title, url string }
	index := map[key]int{}
	var merged []ingest.AppSeconds
	for i, a := range apps {
		for _, f := range []struct {
			name, value string
			max         int
		}{{"app", a.App, ingest.MaxAppLen}, {"title", a.Title, ingest.MaxTitleLen}, {"url", a.URL, ingest.MaxURLLen}} {
			if utf8.RuneCountInString(f.value) > f.max {
				return nil, fieldTooLong(fmt.Sprintf("apps[%d].%s", i, f.name), f.max, "characters")
			}
		}
		k := key{a.App, a.Title, a.URL}
		if j, ok := index[k]; ok {
			merged[j].Seconds += a.Seconds
			continue
		}
		index[k] = len(merged)
		merged = append(merged, a)
	}
	if len(merged) > ingest.MaxApps {
		return nil, router.NewBadRequestError(fmt.Sprintf("apps may hold at most %d distinct entries (app, title and URL); this slot has %d.", ingest.MaxApps, len(merged)),
			validation.Errors{"apps": validation.NewError("validation_max_apps", fmt.Sprintf("At most %d distinct entries.", ingest.MaxApps))})
	}
	return merged, nil
}

// checkEmailLengths refuses an e-mail field longer than MaxEmailLen, which
// PocketBase's e-mail fields don't bound themselves.
func checkEmailLengths(e *core.RecordEvent) error {
	errs := validation.Errors{}
	for _, f := range e.Record.Collection().Fields {
		if _, ok := f.(*core.EmailField); ok && utf8.RuneCountInString(e.Record.GetString(f.GetName())) > MaxEmailLen {
			errs[f.GetName()] = validation.NewError("validation_max_length", fmt.Sprintf("Must be at most %d characters.", MaxEmailLen))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

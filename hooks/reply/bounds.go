package reply

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

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/migrations/schema"
)

// LimitBody caps the body of a request to a Tock route: a declared length
// beyond the route's limit is refused at once, and a body found longer while
// it is read fails the request the same way (413), whatever the route's
// handler made of the cut body.
func LimitBody(e *core.RequestEvent, limits map[string]int64) error {
	_, path, _ := strings.Cut(e.Request.Pattern, " ")
	if !strings.HasPrefix(path, "/api/tock/") {
		return e.Next()
	}
	limit, ok := limits[path]
	if !ok {
		limit = api.DefaultBodyBytes
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

// FieldTooLong is the 400 of a field beyond its bound, naming the field.
func FieldTooLong(field string, max int, unit string) error {
	return router.NewBadRequestError(fmt.Sprintf("%s may be at most %d %s.", field, max, unit),
		validation.Errors{field: validation.NewError("validation_max_size", fmt.Sprintf("Must be at most %d %s.", max, unit))})
}

// CheckEmailLengths refuses an e-mail field longer than MaxEmailLen, which
// PocketBase's e-mail fields don't bound themselves.
func CheckEmailLengths(e *core.RecordEvent) error {
	errs := validation.Errors{}
	for _, f := range e.Record.Collection().Fields {
		if _, ok := f.(*core.EmailField); ok && utf8.RuneCountInString(e.Record.GetString(f.GetName())) > schema.MaxEmailLen {
			errs[f.GetName()] = validation.NewError("validation_max_length", fmt.Sprintf("Must be at most %d characters.", schema.MaxEmailLen))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

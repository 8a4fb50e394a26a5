package reply

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Status codes tell whose fault a failure is. A client's fault is an
// *router.ApiError (4xx, with a message a person can act on), a validation
// error (400 with its fields) or a record that doesn't exist (404); anything
// else that reaches the router — a database error, a blob store that is down
// — is the server's: it is logged with its cause and answered 500. PocketBase
// alone would answer such errors 400 "Something went wrong".

// serverFaultsPriority runs the conversion just inside PocketBase's activity
// logger, so the request log records the 500 and not the raw error.
const serverFaultsPriority = apis.DefaultActivityLoggerMiddlewarePriority + 5

// apiFallbackPriority registers the /api/ fallbacks after every Tock route
// and before the web app (999).
const apiFallbackPriority = 998

// apiMethods are the methods an /api/ route may take.
func apiMethods() []string {
	return []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
}

func RegisterErrors(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.Bind(&hook.Handler[*core.RequestEvent]{Func: answerServerFaults, Priority: serverFaultsPriority})
		return e.Next()
	})
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Func: registerAPIFallback, Priority: apiFallbackPriority})
	// A record's save runs Tock's model hooks; PocketBase answers any of their
	// errors 400 "Failed to create record", a database failure included.
	app.OnRecordCreateRequest().BindFunc(unmaskSaveFault)
	app.OnRecordUpdateRequest().BindFunc(unmaskSaveFault)
}

// isServerFault reports whether err is not an answer chosen for the client.
func isServerFault(err error) bool {
	var apiErr *router.ApiError
	var fields validation.Errors
	var field validation.Error
	switch {
	case err == nil, errors.As(err, &apiErr), errors.As(err, &fields), errors.As(err, &field):
		return false
	}
	return !errors.Is(err, sql.ErrNoRows)
}

// answerServerFaults logs a server fault with its cause and answers 500.
// Only the path is logged: queries may carry file tokens.
func answerServerFaults(e *core.RequestEvent) error {
	err := e.Next()
	if !isServerFault(err) || e.Request.Context().Err() != nil { // the client left: nobody to answer
		return err
	}
	e.App.Logger().Error("request failed on the server", slog.String("method", e.Request.Method),
		slog.String("path", e.Request.URL.Path), slog.String("error", err.Error()))
	return router.NewInternalServerError("The server couldn't complete this request; the cause is in its log.", nil)
}

// unmaskSaveFault turns PocketBase's 400 for a failed save back into the
// server fault it wraps, when it is one.
func unmaskSaveFault(e *core.RecordRequestEvent) error {
	err := e.Next()
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
		if cause, ok := apiErr.RawData().(error); ok && isServerFault(cause) {
			return fmt.Errorf("save %s record: %w", e.Collection.Name, cause)
		}
	}
	return err
}

// RequestError is how a route answers the failure of its transaction: API
// errors as they are, validation failures as a 400 with message and their
// fields, anything else wrapped with message as the server's fault.
func RequestError(err error, message string) error {
	if isServerFault(err) {
		return fmt.Errorf("%s: %w", strings.TrimSuffix(message, "."), err)
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return router.NewBadRequestError(message, err)
}

// LookupFault is the server's failure to look a record up, as opposed to the
// record not existing (nil then): a client naming a wrong id gets a 4xx, a
// failing database a 500.
func LookupFault(err error, what string) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return fmt.Errorf("find %s: %w", what, err)
}

// registerAPIFallback answers every /api/ request no route takes with JSON:
// 405 with Allow when the path exists for other methods, else 404. Without
// it the web app's catch-all would answer an API client with index.html.
func registerAPIFallback(e *core.ServeEvent) error {
	var patterns []string
	for _, m := range apiMethods() {
		if !e.Router.HasRoute(m, "/api/{path...}") {
			patterns = append(patterns, m+" /api/{path...}")
		}
	}
	// Built on first use, when every route is registered; the fallbacks
	// themselves are told apart by their patterns.
	probe := sync.OnceValues(func() (*http.ServeMux, error) {
		h, err := e.Router.BuildMux()
		if err != nil {
			return nil, err
		}
		mux, ok := h.(*http.ServeMux)
		if !ok {
			return nil, fmt.Errorf("the router built a %T, not a ServeMux", h)
		}
		return mux, nil
	})
	for _, p := range patterns {
		method, path, _ := strings.Cut(p, " ")
		e.Router.Route(method, path, func(re *core.RequestEvent) error {
			return noAPIRoute(re, probe, patterns)
		})
	}
	return e.Next()
}

// noAPIRoute answers a request no API route takes.
func noAPIRoute(e *core.RequestEvent, probe func() (*http.ServeMux, error), fallbacks []string) error {
	mux, err := probe()
	if err != nil {
		return fmt.Errorf("route probe: %w", err)
	}
	var allowed []string
	for _, m := range apiMethods() {
		r := e.Request.Clone(e.Request.Context())
		r.Method = m
		if _, pattern := mux.Handler(r); pattern != "" && !slices.Contains(fallbacks, pattern) {
			allowed = append(allowed, m)
		}
	}
	path := e.Request.URL.Path
	if len(allowed) == 0 {
		return router.NewNotFoundError(fmt.Sprintf("There is no API route %s.", path), nil)
	}
	e.Response.Header().Set("Allow", strings.Join(allowed, ", "))
	return router.NewApiError(http.StatusMethodNotAllowed,
		fmt.Sprintf("%s takes %s, not %s.", path, strings.Join(allowed, " or "), e.Request.Method), nil)
}

func BadRequest(format string, args ...any) error {
	return router.NewBadRequestError(fmt.Sprintf(format, args...), nil)
}

package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// EnrolRoute is the server's exchange of an enrolment code for a session.
const EnrolRoute = "/api/tock/enrol"

// EnrolRefusedError is the server refusing a code (unknown, used, expired,
// or its membership ended); its text is the server's own sentence, which
// says what to do.
type EnrolRefusedError struct {
	Code    int
	Message string
}

func (e *EnrolRefusedError) Error() string { return e.Message }

// Enrol exchanges a one-time enrolment code, shown by the web app, for the
// session `login` would store: no password crosses the terminal.
func Enrol(ctx context.Context, c *http.Client, server, code string) (Session, error) {
	if _, err := ServerURL(server); err != nil {
		return Session{}, err
	}
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
		Org struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"org"`
	}
	err := Call(ctx, c, http.MethodPost, server, EnrolRoute, "", map[string]string{"code": code}, &out)
	var status *StatusError
	switch {
	case errors.As(err, &status) && status.Code == http.StatusNotFound && !strings.Contains(status.Message, "enrolment code"):
		return Session{}, fmt.Errorf("enrol: %w (%w)", ErrNotTock, err)
	case errors.As(err, &status) && status.Code < 500:
		// The server's sentence says what to do, a 429 too (how long to
		// wait after wrong codes, and to get a new one).
		return Session{}, &EnrolRefusedError{Code: status.Code, Message: status.Message}
	case err != nil:
		return Session{}, fmt.Errorf("enrol: %w", err)
	case out.Token == "" || out.Org.ID == "":
		return Session{}, fmt.Errorf("enrol: %w (no session in the answer)", ErrNotTock)
	}
	return Session{
		Server: strings.TrimRight(server, "/"), Token: out.Token, UserID: out.User.ID, Email: out.User.Email,
		Org: out.Org.ID, OrgName: out.Org.Name,
	}, nil
}

// ParseEnrolLink reads a tock://enrol?server=…&code=… link, as the web app
// shows it, into the server's address and the code.
func ParseEnrolLink(link string) (server, code string, err error) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "tock" || (u.Host != "enrol" && u.Opaque != "enrol" && strings.Trim(u.Path, "/") != "enrol") {
		return "", "", fmt.Errorf("%q is not an enrolment link: it starts with tock://enrol?", link)
	}
	q := u.Query()
	server, code = q.Get("server"), q.Get("code")
	if server == "" || code == "" {
		return "", "", fmt.Errorf("the enrolment link lacks its server or its code: copy it again from the web app")
	}
	return server, code, nil
}

package agent

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/session"
)

// loginHint is how a person signs in, for the sentences that need it.
const loginHint = "`tock agent login --server URL --email E`"

// signedOutHint is how a person who was never signed in signs in: with a
// code from the web app first (no password), else with login.
const signedOutHint = "Not signed in: run `tock agent enrol CODE --server URL` with the code from the web app (Me → Get the desktop app), or " + loginHint + "."

// Explain says what went wrong in one sentence a person can act on: what
// `tock agent` prints instead of the error chain (which --debug adds).
func Explain(err error) string {
	var (
		unreachable *session.UnreachableError
		status      *session.StatusError
		running     *AlreadyRunningError
	)
	switch {
	case errors.Is(err, session.ErrSignedOut):
		return signedOutHint
	case errors.Is(err, session.ErrBadCredentials):
		return "Wrong e-mail or password."
	case errors.Is(err, session.ErrSessionExpired):
		return "Your session has expired or was revoked: run " + loginHint + " again."
	case errors.Is(err, session.ErrNotTock):
		return "That address doesn't answer as a Tock server does: check --server (for example https://tock.example.com)."
	case errors.Is(err, context.Canceled):
		return "Interrupted."
	case errors.As(err, &unreachable):
		return explainUnreachable(unreachable)
	case errors.As(err, &status):
		return explainStatus(status)
	case errors.Is(err, desktop.ErrNoDisplay):
		if _, detail, ok := strings.Cut(err.Error(), desktop.ErrNoDisplay.Error()+": "); ok {
			return "No desktop to track: " + detail + "."
		}
		return "No desktop to track: start the agent inside your desktop session."
	case errors.As(err, &running):
		return "Tock is already running with " + running.Dir + ": its icon is in the tray, and `tock agent status` says what it does. Quit it before starting another (or give this one another --state-dir)."
	case errors.Is(err, desktop.ErrUnsupported):
		return "The agent doesn't run on this operating system yet: Linux with X11, and Windows, only."
	}
	return sentence(err.Error())
}

// explainUnreachable tells a certificate problem from a server that isn't
// there.
func explainUnreachable(e *session.UnreachableError) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		netErr    net.Error
	)
	switch {
	case errors.As(e, &unknownCA):
		return fmt.Sprintf("The certificate of %s isn't signed by an authority this computer trusts: "+
			"if the server uses a private CA, log in again with --ca-file.", e.Server)
	case errors.As(e, &hostname):
		return fmt.Sprintf("The certificate of %s is for another name (%s): check the address.", e.Server, strings.Join(certNames(hostname.Certificate), ", "))
	case errors.As(e, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("The certificate of %s has expired, or this computer's clock is wrong.", e.Server)
	case errors.As(e, &invalid):
		return fmt.Sprintf("The certificate of %s is not valid (%s).", e.Server, invalid.Error())
	case strings.Contains(e.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Sprintf("%s answers in plain HTTP, not HTTPS: check the address.", e.Server)
	case errors.As(e, &netErr) && netErr.Timeout():
		return fmt.Sprintf("%s didn't answer in time: is the server up, and the network?", e.Server)
	}
	return fmt.Sprintf("Can't reach %s — is the address right and the server up?", e.Server)
}

func certNames(c *x509.Certificate) []string {
	if c == nil {
		return nil
	}
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return names
}

// explainStatus words a refusal of the server that the caller gave no
// meaning of its own (as signing in does to a 400).
func explainStatus(e *session.StatusError) string {
	switch {
	case e.Code == http.StatusTooManyRequests:
		return "The server is receiving too many requests from you: wait a minute and try again."
	case e.Code >= 500:
		return fmt.Sprintf("The server %s had a problem (%d %s): try again later, or tell whoever runs it.", e.Server, e.Code, http.StatusText(e.Code))
	case e.Code == http.StatusUnauthorized:
		return "The server no longer accepts your session: run " + loginHint + " again."
	case e.Code == http.StatusForbidden:
		return "The server doesn't allow that: " + sentence(e.Message)
	}
	return fmt.Sprintf("The server refused (%d): %s", e.Code, sentence(e.Message))
}

// sentence makes a message start with a capital and end with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Something went wrong."
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

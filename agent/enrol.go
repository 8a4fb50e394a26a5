package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tock-app/tock/agent/notify"
	"github.com/tock-app/tock/agent/session"
)

// enrol signs the agent in with a one-time code from the web app's "Get the
// desktop app" page (or the tock://enrol link it shows), instead of an
// e-mail and a password.
func (o *options) enrol() *cobra.Command {
	var server, caFile string
	var allowHTTP bool
	cmd := &cobra.Command{
		Use:   "enrol CODE|tock://enrol?… [--server URL]",
		Short: "Sign in with a one-time code from the web app (no password)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, code, err := enrolTarget(args[0], server)
			if err != nil {
				return err
			}
			// The session token crosses the network like a password would.
			if err := checkServerURL(srv, allowHTTP, cmd.ErrOrStderr()); err != nil {
				return err
			}
			client, err := o.httpClient(caFile)
			if err != nil {
				return err
			}
			sess, err := session.Enrol(cmd.Context(), client, srv, code)
			if err != nil {
				return err
			}
			if err := o.keepSession(cmd, sess, caFile); err != nil {
				return err
			}
			if fromLink(args[0], cmd.OutOrStdout()) {
				tellDesktop(cmd.Context(), notify.Message{Summary: "Signed in to Tock", Body: signedIn(sess)})
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "the Tock server's URL (a tock://enrol link carries it)")
	cmd.Flags().StringVar(&caFile, "ca-file", "", "PEM file of a private CA that signed the server's certificate")
	cmd.Flags().BoolVar(&allowHTTP, "allow-insecure-http", false, "let an http:// server other than this computer have your session unencrypted")
	return cmd
}

// fromLink says whether enrol was started by a tock:// link with no
// terminal to print to (the browser or the desktop ran it): the person then
// reads the outcome in a notification.
func fromLink(arg string, out io.Writer) bool {
	if !strings.HasPrefix(strings.ToLower(arg), "tock:") {
		return false
	}
	f, ok := out.(*os.File)
	return !ok || !term.IsTerminal(int(f.Fd()))
}

// tellDesktop shows a notification when the session has a notification
// server; without one the output printed is all there is.
func tellDesktop(ctx context.Context, m notify.Message) {
	bus, err := notify.Open()
	if err != nil {
		return
	}
	defer bus.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bus.Notify(ctx, m); err != nil {
		slog.Warn("enrol: notification", "error", err)
	}
}

// enrolTarget reads the argument: a tock:// link (whose server --server may
// not contradict) or a bare code, which needs --server.
func enrolTarget(arg, server string) (srv, code string, err error) {
	if strings.HasPrefix(strings.ToLower(arg), "tock:") {
		srv, code, err = session.ParseEnrolLink(arg)
		if err != nil {
			return "", "", err
		}
		if server != "" && strings.TrimRight(server, "/") != strings.TrimRight(srv, "/") {
			return "", "", fmt.Errorf("the link is for %s but --server says %s: leave --server out", srv, server)
		}
		return srv, code, nil
	}
	if server == "" {
		return "", "", errors.New("give the server's address with --server (the page that showed the code shows it too)")
	}
	return server, arg, nil
}

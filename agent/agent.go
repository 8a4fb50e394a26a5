// Package agent is `tock agent`: the tracker that runs on an employee's
// machine. It signs in, tracks time in 10-minute slots, captures and
// encrypts screenshots, spools everything durably and uploads it when the
// server is reachable.
package agent

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/notify"
	"github.com/tock-app/tock/agent/session"
	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/agent/tracker"
	"github.com/tock-app/tock/agent/upload"
)

// Command returns `tock agent` and its subcommands.
func Command() *cobra.Command {
	return (&options{httpClient: session.HTTPClient}).command()
}

// Main runs `tock agent` with args (those after the program's name, "agent"
// first) and returns the exit code. A failure is told on stderr in one plain
// sentence (Explain); --debug adds the error as the program saw it.
func Main(args []string) int { return runMain(args, os.Stdout, os.Stderr) }

func runMain(args []string, stdout, stderr io.Writer) int {
	o := &options{httpClient: session.HTTPClient}
	root := &cobra.Command{Use: "tock", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(o.command())
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, Explain(err))
	if o.debug {
		fmt.Fprintf(stderr, "(debug: %v)\n", err)
	}
	return 1
}

func (o *options) command() *cobra.Command {
	root := &cobra.Command{
		Use:   "agent",
		Short: "Track time and screenshots on this machine and upload them to a Tock server",
		Long: "tock agent runs on an employee's machine: `login`, then `start --project P`, and keep `run`\n" +
			"going (as a user service). Everything is spooled encrypted first and uploaded when the\n" +
			"server is reachable. Linux (X11) and Windows are supported; macOS is not yet.",
		// Main tells errors in plain sentences.
		SilenceUsage: true, SilenceErrors: true,
		// A mistyped command is an error, not the help with success.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.PersistentFlags().StringVar(&o.dir, "state-dir", envOr("TOCK_AGENT_DIR", ""), "agent state: session, spool, status (default <config dir>/tock; env TOCK_AGENT_DIR)")
	root.PersistentFlags().BoolVar(&o.debug, "debug", false, "after an error's plain sentence, print the error in full")
	root.AddCommand(o.login(), o.enrol(), o.install(), o.uninstall(), o.logout(), o.status(), o.projects(), o.start(), o.stop(), o.run())
	return root
}

type options struct {
	dir   string
	debug bool
	// httpClient makes the client that reaches the server (session.HTTPClient;
	// tests route it).
	httpClient func(caFile string) (*http.Client, error)
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func (o *options) stateDir() (string, error) {
	if o.dir != "" {
		return o.dir, nil
	}
	p, err := session.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

func (o *options) path(name string) (string, error) {
	dir, err := o.stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

func (o *options) store() (*session.Store, error) {
	p, err := o.path("session.json")
	if err != nil {
		return nil, err
	}
	return &session.Store{Path: p}, nil
}

// signedIn returns the session, a refreshed token and an HTTP client that
// trusts the session's private CA.
func (o *options) signedIn(ctx context.Context) (*session.Store, session.Session, *http.Client, error) {
	store, err := o.store()
	if err != nil {
		return nil, session.Session{}, nil, err
	}
	sess, err := store.Load()
	if err != nil {
		return nil, sess, nil, err
	}
	client, err := o.httpClient(sess.CAFile)
	if err != nil {
		return nil, sess, nil, err
	}
	return store, sess, client, nil
}

// keepSession stores a new session (with the private CA it was made
// through) and says who is signed in: the end of both login and enrol.
func (o *options) keepSession(cmd *cobra.Command, sess session.Session, caFile string) error {
	if caFile != "" {
		sess.CAFile, _ = filepath.Abs(caFile)
	}
	store, err := o.store()
	if err != nil {
		return err
	}
	if err := store.Save(sess); err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), signedIn(sess))
	return nil
}

// signedIn is what the agent says once it has a session.
func signedIn(sess session.Session) string {
	return fmt.Sprintf("Signed in to %s as %s (organization %s).", sess.Server, sess.Email, orgLabel(sess))
}

func (o *options) login() *cobra.Command {
	var server, email, org, caFile string
	var passwordStdin, allowHTTP bool
	cmd := &cobra.Command{
		Use:   "login --server URL --email E",
		Short: "Sign in to a Tock server (password from a prompt or --password-stdin)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Checked before the password is asked for: a person about to
			// send it in the clear is told first.
			if err := checkServerURL(server, allowHTTP, cmd.ErrOrStderr()); err != nil {
				return err
			}
			password, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), passwordStdin)
			if err != nil {
				return err
			}
			client, err := o.httpClient(caFile)
			if err != nil {
				return err
			}
			sess, err := session.Login(cmd.Context(), client, server, email, password, org)
			if err != nil {
				return err
			}
			return o.keepSession(cmd, sess, caFile)
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "the Tock server's URL")
	cmd.Flags().StringVar(&email, "email", "", "your email")
	cmd.Flags().StringVar(&org, "org", "", "organization (id or name) when you belong to several")
	cmd.Flags().StringVar(&caFile, "ca-file", "", "PEM file of a private CA that signed the server's certificate")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&allowHTTP, "allow-insecure-http", false, "let an http:// server other than this computer have your password and session unencrypted")
	cmd.MarkFlagRequired("server")
	cmd.MarkFlagRequired("email")
	return cmd
}

// orgLabel is the organization's name, or its id for a session stored
// before names were.
func orgLabel(sess session.Session) string {
	if sess.OrgName != "" {
		return sess.OrgName
	}
	return sess.Org
}

// checkServerURL refuses plain http to anything but this computer unless
// the person says so (allowHTTP), and then warns: the password and the
// session token would cross the network readable by anyone on the way.
func checkServerURL(server string, allowHTTP bool, warn io.Writer) error {
	u, err := session.ServerURL(server)
	if err != nil {
		return err
	}
	if u.Scheme == "https" || isLoopback(u.Hostname()) {
		return nil
	}
	if !allowHTTP {
		return fmt.Errorf("plain http to %s would carry your password and session unencrypted: "+
			"use https://, or add --allow-insecure-http if you accept that", u.Host)
	}
	fmt.Fprintf(warn, "Warning: plain http to %s carries your password and session unencrypted.\n", u.Host)
	return nil
}

// isLoopback: localhost or a loopback address, which never leave this computer.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readPassword reads the password: from a terminal without echo, else a
// line of the input (--password-stdin, or a pipe).
func readPassword(in io.Reader, prompt io.Writer, fromStdin bool) (string, error) {
	var line string
	if f, ok := in.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		b, err := readHidden(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		line = string(b)
	} else {
		if !fromStdin {
			fmt.Fprint(prompt, "Password: ")
		}
		var err error
		line, err = bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password")
	}
	return pw, nil
}

// readHidden reads a line from the terminal fd without echo. Ctrl-C while
// it waits puts the echo back before the process ends: a shell left without
// it would show nothing of what the person types next.
func readHidden(fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer func() {
		signal.Stop(sigs)
		close(done)
	}()
	go func() {
		select {
		case <-sigs:
			_ = term.Restore(fd, state)
			os.Exit(130) // as the shell reports a process ended by Ctrl-C
		case <-done:
		}
	}()
	return term.ReadPassword(fd)
}

func (o *options) logout() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the session (spooled items stay and upload after the next login)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := o.store()
			if err != nil {
				return err
			}
			if err := store.Delete(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Signed out.")
			return nil
		},
	}
}

type project struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// list reads a page of the collection's records the person can see, with
// the filter that filter makes of the session, into items.
func (o *options) list(ctx context.Context, collection string, q url.Values, filter func(session.Session) string, items any) error {
	store, _, c, err := o.signedIn(ctx)
	if err != nil {
		return err
	}
	sess, err := store.Fresh(ctx, c, time.Hour)
	if err != nil {
		return err
	}
	q.Set("filter", filter(sess))
	list := struct {
		Items any `json:"items"`
	}{items}
	if err := session.Call(ctx, c, http.MethodGet, sess.Server, "/api/collections/"+collection+"/records?"+q.Encode(), sess.Token, nil, &list); err != nil {
		return fmt.Errorf("list %s: %w", collection, err)
	}
	return nil
}

// listProjects lists the organization's active projects the person can see.
func (o *options) listProjects(ctx context.Context) ([]project, error) {
	var ps []project
	err := o.list(ctx, "projects", url.Values{"perPage": {"200"}, "sort": {"name"}}, func(sess session.Session) string {
		return fmt.Sprintf("org = %q && archived = false", sess.Org)
	}, &ps)
	return ps, err
}

func (o *options) projects() *cobra.Command {
	return &cobra.Command{
		Use:   "projects",
		Short: "List the projects you can track to",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := o.listProjects(cmd.Context())
			if err != nil {
				return err
			}
			for _, p := range ps {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", p.ID, p.Name)
			}
			return nil
		},
	}
}

// assignment is what assignment.json holds: the tracker's assignment and,
// for `status`, the names `start` resolved.
type assignment struct {
	tracker.Assignment
	ProjectName string `json:"project_name,omitempty"`
	TaskName    string `json:"task_name,omitempty"`
}

func (o *options) writeAssignment(as assignment) error {
	p, err := o.path("assignment.json")
	if err != nil {
		return err
	}
	b, _ := json.Marshal(as)
	return session.WriteFileAtomic(p, b)
}

func (o *options) readAssignment() assignment {
	var as assignment
	if p, err := o.path("assignment.json"); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, &as)
		}
	}
	return as
}

func (o *options) start() *cobra.Command {
	var projectName, taskName string
	cmd := &cobra.Command{
		Use:   "start --project P [--task T]",
		Short: "Start tracking to a project and task (by name or id); `run` does the tracking",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := o.listProjects(cmd.Context())
			if err != nil {
				return err
			}
			var as assignment
			for _, p := range ps {
				if p.ID == projectName || strings.EqualFold(p.Name, projectName) {
					as = assignment{Assignment: tracker.Assignment{Tracking: true, Project: p.ID}, ProjectName: p.Name}
					break
				}
			}
			if as.Project == "" {
				return fmt.Errorf("no project %q that you can track to: see `tock agent projects`", projectName)
			}
			if taskName != "" {
				t, err := o.findTask(cmd.Context(), as.Project, taskName)
				if err != nil {
					return err
				}
				as.Task, as.TaskName = t.ID, t.Title
			}
			if err := o.writeAssignment(as); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Tracking to %s%s.\n", as.ProjectName, ifSet(", task ", as.TaskName))
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name or id")
	cmd.Flags().StringVar(&taskName, "task", "", "task title or id (of that project)")
	cmd.MarkFlagRequired("project")
	return cmd
}

type task struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// findTask finds a task of the project by id or title.
func (o *options) findTask(ctx context.Context, project, want string) (task, error) {
	var ts []task
	err := o.list(ctx, "tasks", url.Values{"perPage": {"500"}}, func(session.Session) string {
		return fmt.Sprintf("project = %q", project)
	}, &ts)
	if err != nil {
		return task{}, err
	}
	for _, t := range ts {
		if t.ID == want || strings.EqualFold(t.Title, want) {
			return t, nil
		}
	}
	return task{}, fmt.Errorf("no task %q in that project", want)
}

func (o *options) stop() *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop tracking",
		RunE: func(cmd *cobra.Command, _ []string) error {
			as := o.readAssignment()
			as.Tracking = false
			if err := o.writeAssignment(as); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Stopped.")
			return nil
		},
	}
}

// Status is what `run` writes for `status` to show.
type Status struct {
	mu           sync.Mutex
	Running      bool             `json:"running"`
	PID          int              `json:"pid,omitempty"` // of the run that wrote it
	Updated      time.Time        `json:"updated"`
	TodaySeconds int              `json:"today_seconds"`
	LastUpload   time.Time        `json:"last_upload"`
	LastError    string           `json:"last_error"`
	Capture      *tracker.Problem `json:"capture_problem,omitempty"`
	// ServerMessage is what the server last said about the person's time
	// (a daily or weekly limit reached, an approved timesheet); cleared by
	// the next activity it accepts without a word.
	ServerMessage string `json:"server_message,omitempty"`
	noticed       string // the item that brought ServerMessage
}

func (o *options) status() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Tracking or not, project, today's time, spool, last upload and last error",
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			store, err := o.store()
			if err != nil {
				return err
			}
			sess, err := store.Load()
			if err != nil {
				fmt.Fprintln(out, "Signed out.")
			} else {
				fmt.Fprintf(out, "Signed in to %s as %s (organization %s).\n", sess.Server, sess.Email, orgLabel(sess))
			}
			as := o.readAssignment()
			if as.Tracking {
				fmt.Fprintf(out, "Tracking: yes, project %s%s\n", or(as.ProjectName, as.Project), ifSet(", task ", or(as.TaskName, as.Task)))
			} else {
				fmt.Fprintln(out, "Tracking: no")
			}
			st := o.readStatus()
			running := st.Running && time.Since(st.Updated) < 15*time.Second
			fmt.Fprintf(out, "Agent running: %v\n", running)
			fmt.Fprintln(out, autostartLine())
			fmt.Fprintln(out, linkLine())
			fmt.Fprintf(out, "Today: %s\n", (time.Duration(st.today(time.Now())) * time.Second).String())
			if dir, err := o.path("spool"); err == nil {
				if sp, err := spool.Open(dir, 0, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
					n, bytes, _ := sp.Stats()
					fmt.Fprintf(out, "Spool: %d items, %d bytes\n", n, bytes)
					printRejected(out, sp)
				}
			}
			if !st.LastUpload.IsZero() {
				fmt.Fprintf(out, "Last upload: %s\n", st.LastUpload.Local().Format(time.RFC3339))
			} else {
				fmt.Fprintln(out, "Last upload: never")
			}
			if st.LastError != "" {
				fmt.Fprintf(out, "Last error: %s\n", st.LastError)
			}
			if st.ServerMessage != "" {
				fmt.Fprintf(out, "Server: %s\n", st.ServerMessage)
			}
			if st.Capture != nil {
				fmt.Fprintf(out, "Capture problem: %s (%s)\n", st.Capture.Reason, st.Capture.At.Local().Format(time.RFC3339))
			}
			return nil
		},
	}
}

// readStatus is what `run` last wrote (zero when it never ran).
func (o *options) readStatus() *Status {
	st := &Status{}
	if p, err := o.path("status.json"); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, st)
		}
	}
	return st
}

// today is the tracked time of now's local day: none if the status was
// written on another day.
func (st *Status) today(now time.Time) int {
	if !sameDay(st.Updated, now) {
		return 0
	}
	return st.TodaySeconds
}

func sameDay(a, b time.Time) bool {
	return a.Local().Format(time.DateOnly) == b.Local().Format(time.DateOnly)
}

// or is v, or fallback when v is empty.
func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

func ifSet(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}

func (o *options) run() *cobra.Command {
	var keepIdle, install bool
	var budget int64
	var idleWait time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Track, capture and upload until stopped (`install` starts it at every login)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			// One agent per state directory.
			lock, err := o.lockRun()
			var running *AlreadyRunningError
			if errors.As(err, &running) && install {
				// Opened from the desktop again while the agent runs (it
				// was autostarted): not a mistake, only a reminder.
				tellDesktop(ctx, notify.Message{Summary: "Tock is already running", Body: "Its icon is in the tray."})
				fmt.Fprintln(cmd.OutOrStdout(), "Tock is already running.")
				return nil
			}
			if err != nil {
				return err
			}
			defer lock.Close()
			if install {
				o.installQuietly()
			}
			return o.runAgent(ctx, givenBool(cmd, "keep-idle", keepIdle), budget, idleWait)
		},
	}
	cmd.Flags().BoolVar(&keepIdle, "keep-idle", false, "the answer to the idle question when you give none, over the organization's setting (which decides when this flag isn't given; --keep-idle=false discards)")
	cmd.Flags().DurationVar(&idleWait, "idle-answer-wait", 3*time.Minute, "how long the idle question waits for Keep or Discard before the organization's default (or --keep-idle) decides")
	cmd.Flags().Int64Var(&budget, "spool-budget", 1<<30, "bytes the spool may use before the oldest screenshots are dropped")
	cmd.Flags().BoolVar(&install, "install", false, "first do what `tock agent install` does (what opening the program from the desktop runs)")
	return cmd
}

// slotLength is 10 minutes; TOCK_SLOT_SECONDS shortens it for tests only
// (the server must be started with the same value).
func slotLength() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("TOCK_SLOT_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 10 * time.Minute
}

// givenBool is a bool flag's value when it was given on the command line,
// nil when it wasn't (so that a setting from elsewhere decides).
func givenBool(cmd *cobra.Command, name string, v bool) *bool {
	if !cmd.Flags().Changed(name) {
		return nil
	}
	return &v
}

// runAgent runs the agent; keepIdle is --keep-idle when given.
func (o *options) runAgent(ctx context.Context, keepIdle *bool, budget int64, idleWait time.Duration) error {
	// The agent idles between short bursts of allocation (a capture is a few
	// full-screen frames): a small heap target keeps its memory near what a
	// capture needs, at a CPU cost paid only during captures.
	debug.SetGCPercent(20)
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// The tray's Quit ends the run as a signal would.
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	icon, notes := openDesktop(logger)
	comp := newCompanion(o, companionConfig{keepIdle: keepIdle, idleWait: idleWait}, logger, quit, icon, notes)
	defer comp.Close()
	store, sess, client, err := o.signedIn(ctx)
	if errors.Is(err, session.ErrSignedOut) {
		// The first run, before any enrolment: wait for one in the tray.
		if err := comp.awaitSession(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // quit (or stopped) before signing in
			}
			return err
		}
		store, sess, client, err = o.signedIn(ctx)
	}
	if err != nil {
		return err
	}
	comp.server = sess.Server
	dir, err := o.stateDir()
	if err != nil {
		return err
	}
	sp, err := spool.Open(filepath.Join(dir, "spool"), budget, logger)
	if err != nil {
		return err
	}
	desk, err := desktop.Open()
	if err != nil {
		return fmt.Errorf("open the desktop: %w", err)
	}
	defer desk.Close()
	go comp.loadProjects(ctx)

	// A restart keeps today's total and the last upload the previous run
	// showed.
	prev, now := o.readStatus(), time.Now()
	st := &Status{Running: true, PID: os.Getpid(), LastUpload: prev.LastUpload}
	uploader := &upload.Uploader{
		Spool: sp, Logger: logger, Org: sess.Org,
		Sender: &upload.Client{BaseURL: sess.Server, HTTP: client, Token: func(ctx context.Context) (string, error) {
			s, err := store.Fresh(ctx, client, 24*time.Hour)
			return s.Token, err
		}, OnNotice: func(it spool.Item, n upload.Notice) {
			logger.Warn("upload: the server limited your time", "name", it.Name, "message", n.Message)
			// A limit reached (or tracking turned off) for the slot just
			// tracked stops tracking, as Hubstaff's timer stops; one for an
			// old slot of the backlog doesn't stop today's work.
			if n.StopsTracking && time.Since(n.SlotStart) < 3*slotLength() {
				if as := o.readAssignment(); as.Tracking {
					as.Tracking = false
					if err := o.writeAssignment(as); err != nil {
						logger.Error("stop tracking", "error", err)
					} else {
						logger.Warn("tracking stopped", "reason", n.Message)
						comp.trackingStopped(ctx, n.Message)
					}
				}
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			st.ServerMessage, st.noticed = n.Message, it.Name
		}},
		OnResult: func(it spool.Item, err error) {
			comp.uploaded(err)
			st.mu.Lock()
			defer st.mu.Unlock()
			if err != nil {
				st.LastError = err.Error()
				return
			}
			st.LastUpload, st.LastError = time.Now(), ""
			if it.Kind == spool.KindActivity && it.Name != st.noticed {
				st.ServerMessage = ""
			}
		},
	}
	go func() {
		if err := uploader.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("uploader stopped", "error", err)
		}
	}()

	settingsFile := filepath.Join(dir, "settings.json")
	tr := tracker.New(tracker.Config{
		Spool: sp, Desktop: desk, User: sess.UserID, Slot: slotLength(), Logger: logger,
		StateFile: filepath.Join(dir, "slot.json"), Today: prev.today(now), TodayOf: now,
		Settings: func(ctx context.Context) (tracker.Settings, error) {
			st, err := fetchSettings(ctx, store, client, settingsFile)
			if err == nil {
				comp.orgSettings(st)
			}
			return st, err
		},
		AskIdle:      func(idle time.Duration) { comp.askIdle(ctx, idle) },
		OnScreenshot: func(at time.Time) { comp.screenshot(ctx, at) },
	})
	statusFile := filepath.Join(dir, "status.json")
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := tr.Flush(); err != nil {
				logger.Error("final report", "error", err)
			}
			st.mu.Lock()
			st.Running = false
			st.mu.Unlock()
			writeStatus(statusFile, st)
			return nil
		case click := <-comp.clicks():
			comp.handle(ctx, click)
		case keep := <-comp.answers:
			if err := tr.ResolveIdle(time.Now(), keep); err != nil {
				logger.Error("idle time", "error", err)
			}
		case now := <-tick.C:
			as := o.readAssignment()
			err := tr.Tick(ctx, now, as.Assignment)
			st.mu.Lock()
			if err != nil {
				logger.Error("tracking", "error", err)
				st.LastError = err.Error()
			}
			st.TodaySeconds, st.Capture, st.Updated = tr.Today, tr.Problem, now
			st.mu.Unlock()
			writeStatus(statusFile, st)
			comp.show(st, as, tr.Today)
			if now.Second()%30 == 0 {
				n, bytes, _ := sp.Stats()
				comp.backlog(ctx, n, bytes)
			}
		}
	}
}

// writeStatus replaces status.json, each second: without fsyncs (a kill
// leaves the old file or the new one; a power loss may cost the display's
// last seconds, never tracked time, which the slot and the spool keep). Two
// fsyncs a second cost 0.6 ms of processor time and ~10 ms of the tick on
// ext4, and kept a laptop's disk awake.
func writeStatus(path string, st *Status) {
	st.mu.Lock()
	b, _ := json.Marshal(st)
	st.mu.Unlock()
	_ = session.ReplaceFile(path, b)
}

// fetchSettings reads the organization's settings and the person's
// screenshot override, and keeps the last ones for offline starts.
func fetchSettings(ctx context.Context, store *session.Store, client *http.Client, cache string) (tracker.Settings, error) {
	var st tracker.Settings
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sess, err := store.Fresh(ctx, client, 24*time.Hour)
	if err == nil {
		var org struct {
			PublicKey          string `json:"public_key"`
			ScreenshotsPerSlot int    `json:"screenshots_per_slot"`
			Blur               bool   `json:"blur_screenshots"`
			IdleMinutes        int    `json:"idle_timeout_minutes"`
			IdleDefault        string `json:"idle_default"`
		}
		err = session.Call(ctx, client, http.MethodGet, sess.Server, "/api/collections/organizations/records/"+sess.Org, sess.Token, nil, &org)
		if err == nil {
			var pk []byte
			pk, err = base64.StdEncoding.DecodeString(org.PublicKey)
			if err == nil && len(pk) == 32 {
				st = tracker.Settings{Org: sess.Org, ScreenshotsPerSlot: org.ScreenshotsPerSlot, Blur: org.Blur,
					IdleTimeout: idleTimeout(org.IdleMinutes), IdleDefault: org.IdleDefault}
				copy(st.PublicKey[:], pk)
				var ms struct {
					Items []struct {
						Shots string `json:"screenshots_per_slot"`
					} `json:"items"`
				}
				q := url.Values{"filter": {fmt.Sprintf("org = %q && user = %q", sess.Org, sess.UserID)}}
				if session.Call(ctx, client, http.MethodGet, sess.Server, "/api/collections/memberships/records?"+q.Encode(), sess.Token, nil, &ms) == nil &&
					len(ms.Items) == 1 && ms.Items[0].Shots != "" {
					st.ScreenshotsPerSlot, _ = strconv.Atoi(ms.Items[0].Shots)
				}
				b, _ := json.Marshal(st)
				_ = session.WriteFileAtomic(cache, b)
				return st, nil
			}
			if err == nil {
				err = errors.New("the organization has no public key")
			}
		}
	}
	// The last settings, if they are this organization's (not those of one
	// the person was signed in to before).
	if b, readErr := os.ReadFile(cache); readErr == nil && json.Unmarshal(b, &st) == nil && st.Org == sess.Org {
		return st, nil
	}
	// The organization at least is the session's: time can be reported, and
	// screenshots wait for the key.
	return tracker.Settings{Org: sess.Org}, fmt.Errorf("organization settings: %w", err)
}

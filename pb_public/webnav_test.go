package pbpublic_test

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pocketbase/pocketbase/core"

	bt "github.com/tock-app/tock/internal/browsertest"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestSidebarShowsWhatThePersonMayUse: the pages are grouped into sections
// in a sidebar; a plain user gets only the sections they reach; on a phone
// the sidebar folds behind a Menu button the keyboard opens and closes.
func TestSidebarShowsWhatThePersonMayUse(t *testing.T) {
	w := newWorld(t, matrixFixture)
	sections := func(b *bt.Browser) []string {
		return bt.Eval[[]string](t, b, `[...document.querySelectorAll("#nav h2")].map(h => h.textContent)`)
	}
	owner := w.browser(t, 1280, 900)
	signIn(t, owner, w, tt.Alice+"@example.test", tt.Password)
	open(t, owner, w, "me")
	if got, want := sections(owner), []string{"Me", "Time", "Activity", "Reports", "Projects", "Field", "Money", "People", "Organization"}; !slices.Equal(got, want) {
		t.Errorf("owner's sections %v, want %v", got, want)
	}
	owner.Shot(t, "sidebar-owner.png")

	user := w.browser(t, 1280, 900)
	signIn(t, user, w, tt.Carol+"@example.test", tt.Password)
	open(t, user, w, "me")
	if got, want := sections(user), []string{"Me", "Time", "Activity", "Reports", "Projects", "Field", "Money", "Organization"}; !slices.Equal(got, want) {
		t.Errorf("plain user's sections %v, want %v", got, want)
	}
	for _, hidden := range []string{"Members", "Settings", "Audit log", "Team", "Integrations"} {
		if slices.Contains(navLinks(t, user), hidden) {
			t.Errorf("a plain user's sidebar offers %s", hidden)
		}
	}
	user.Shot(t, "sidebar-user.png")

	phone := w.browser(t, 390, 844)
	signIn(t, phone, w, tt.Alice+"@example.test", tt.Password)
	open(t, phone, w, "me")
	height := bt.Eval[float64](t, phone, `document.querySelector("#top").getBoundingClientRect().height`)
	tt.Report(t, "webapp.txt", fmt.Sprintf("web app: header %.0f px tall at a 390 px phone width (sidebar folded behind Menu)", height))
	if height > 60 {
		t.Errorf("the header is %.0f px tall on a phone, want at most 60", height)
	}
	shown := `getComputedStyle(document.querySelector("#side")).display !== "none"`
	if bt.Eval[bool](t, phone, shown) {
		t.Error("the sidebar is open on a phone before the Menu button is pressed")
	}
	phone.Shot(t, "me-phone.png")
	phone.Do(t, "press Menu with the keyboard", chromedp.Focus(chromedp.CSS(`#top .menu`)), chromedp.KeyEvent(kb.Enter))
	phone.Wait(t, "the open sidebar", shown+` && document.activeElement.closest("#side") !== null`)
	if exp := bt.Eval[string](t, phone, `document.querySelector("#top .menu").getAttribute("aria-expanded")`); exp != "true" {
		t.Errorf("Menu aria-expanded %q when open", exp)
	}
	phone.Shot(t, "sidebar-phone.png")
	phone.Do(t, "press Escape", chromedp.KeyEvent(kb.Escape))
	phone.Wait(t, "the closed sidebar, focus back on Menu", `!(`+shown+`) && document.activeElement.classList.contains("menu")`)
	phone.Do(t, "open the menu and follow Members", chromedp.Click(chromedp.CSS(`#top .menu`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/members"]`)))
	phone.Wait(t, "the members page with the menu closed", `location.hash === "#/members" && document.querySelector("#members") && !(`+shown+`)`)
	if wide := bt.Eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Error("the members page scrolls sideways at 390 px")
	}
}

// mailFixture is the matrix seed with mail going to sink and the
// Application URL set to the server's address, as an operator sets it.
func mailFixture(sink *smtpSink, appURL string, extra func(core.App) error) func(*testing.T) *tt.Fixture {
	host, port, _ := net.SplitHostPort(sink.addr)
	return func(t *testing.T) *tt.Fixture {
		f, err := tt.NewFixture(func(app core.App) error {
			if err := tt.Matrix(app); err != nil {
				return err
			}
			s := app.Settings()
			s.SMTP.Enabled, s.SMTP.Host = true, host
			fmt.Sscan(port, &s.SMTP.Port)
			s.Meta.AppURL = appURL
			if err := app.Save(s); err != nil {
				return err
			}
			if extra != nil {
				return extra(app)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
}

// mailedLink waits for a mail to rcpt and returns the first link in it to
// the web app's page (e.g. "reset-password"), quoted-printable decoded.
func mailedLink(t *testing.T, sink *smtpSink, rcpt, page string) string {
	t.Helper()
	re := regexp.MustCompile(`https?://[^\s"<>]+/#/` + page + `/[A-Za-z0-9._-]+`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range sink.messages() {
			to, body, _ := strings.Cut(m, "\n")
			if !strings.Contains(to, rcpt) {
				continue
			}
			text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
			if link := re.FindString(string(text)); link != "" {
				return link
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with a link to #/%s; mails: %q", rcpt, page, sink.messages())
	return ""
}

// TestForgotPasswordAndProfile: a person who forgot their password gets the
// link by mail and chooses a new one in the web app; on their profile they
// change their name, time zone, password and e-mail address (confirmed from
// the new mailbox); a second sign-up with a used address says so plainly.
func TestForgotPasswordAndProfile(t *testing.T) {
	sink := newSMTPSink(t)
	addr := tt.FreeAddr(t)
	w := newWorldAt(t, addr, mailFixture(sink, "http://"+addr, nil))
	carol := tt.Carol + "@example.test"

	b := w.browser(t, 1280, 900)
	open(t, b, w, "signin")
	b.Do(t, "follow Forgot your password", chromedp.Click(chromedp.CSS(`#forgot-password`)))
	b.Wait(t, "the reset form", `document.querySelector("#reset-request")`)
	b.Do(t, "ask for a link", chromedp.SendKeys(chromedp.CSS(`#reset-request input[name=email]`), carol),
		chromedp.Click(chromedp.CSS(`#reset-request button`)))
	b.Wait(t, "the answer", `document.querySelector("#reset-sent").textContent.includes("on its way")`)
	link := mailedLink(t, sink, carol, "reset-password")
	if !strings.HasPrefix(link, w.srv.URL+"/#/reset-password/") {
		t.Fatalf("reset link %q doesn't lead to the web app at %s", link, w.srv.URL)
	}
	b.Do(t, "open the mailed link", chromedp.Navigate("about:blank"), chromedp.Navigate(link))
	b.Wait(t, "the new-password form", `document.querySelector("#reset-confirm")`)
	b.Do(t, "choose a new password",
		chromedp.SendKeys(chromedp.CSS(`#reset-confirm input[name=password]`), "carol-new-password"),
		chromedp.SendKeys(chromedp.CSS(`#reset-confirm input[name=passwordConfirm]`), "carol-new-password"),
		chromedp.Click(chromedp.CSS(`#reset-confirm button`)))
	b.Wait(t, "back at sign-in, told so", `location.hash === "#/signin" && document.querySelector("#status").textContent.includes("password is changed")`)
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/users/auth-with-password", "", map[string]string{"identity": carol, "password": tt.Password}, nil); st != 400 {
		t.Errorf("the old password still signs in: %d", st)
	}
	signIn(t, b, w, carol, "carol-new-password")

	open(t, b, w, "profile")
	if got := bt.Eval[[]string](t, b, `[...document.querySelectorAll("select[name=timezone] option")].map(o => o.value).filter(v => ["Asia/Calcutta", "Europe/Kiev", "Asia/Saigon"].includes(v))`); len(got) > 0 {
		t.Errorf("the time-zone list offers renamed zones %v", got)
	}
	b.Do(t, "rename and search a time zone",
		chromedp.SetValue(chromedp.CSS(`#profile-form input[name=name]`), "Carol Jones"),
		chromedp.SendKeys(chromedp.CSS(`#profile-form .zone-search`), "kolk"))
	if v := bt.Eval[string](t, b, `document.querySelector("#profile-form select[name=timezone]").value`); v != "Asia/Kolkata" {
		t.Errorf("searching \"kolk\" picks %q", v)
	}
	b.Shot(t, "profile.png")
	b.Do(t, "save", chromedp.Click(chromedp.CSS(`#profile-form button[type=submit]`)))
	b.Wait(t, "saved", `document.querySelector("#status").textContent === "Profile saved."`)
	token, _ := w.login(t, carol, "carol-new-password")
	var me map[string]any
	tt.API(t, "GET", w.srv.URL+"/api/collections/users/records/"+tt.Carol, token, nil, &me)
	if me["name"] != "Carol Jones" || me["timezone"] != "Asia/Kolkata" {
		t.Errorf("profile on the server: name %v, time zone %v", me["name"], me["timezone"])
	}
	if st := tt.API(t, "PATCH", w.srv.URL+"/api/collections/users/records/"+tt.Carol, token, map[string]any{"timezone": "Mars/Olympus"}, nil); st != 400 {
		t.Errorf("an unknown time zone answered %d, want 400", st)
	}

	b.Do(t, "change the password with a wrong current one",
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=oldPassword]`), "not-my-password"),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=password]`), "carol-third-password"),
		chromedp.SendKeys(chromedp.CSS(`#password-form input[name=passwordConfirm]`), "carol-third-password"),
		chromedp.Click(chromedp.CSS(`#password-form button`)))
	b.Wait(t, "the refusal", `document.querySelector("#status").className === "error"`)
	b.Do(t, "with the right one", chromedp.SetValue(chromedp.CSS(`#password-form input[name=oldPassword]`), "carol-new-password"),
		chromedp.Click(chromedp.CSS(`#password-form button`)))
	b.Wait(t, "changed", `document.querySelector("#status").textContent.startsWith("Password changed.")`)
	w.login(t, carol, "carol-third-password")
	open(t, b, w, "profile") // still signed in, with the new password's session
	b.Wait(t, "the profile", `document.querySelector("#email-form")`)

	b.Do(t, "ask to change the e-mail address", chromedp.SendKeys(chromedp.CSS(`#email-form input[name=newEmail]`), "carol.jones@example.test"),
		chromedp.Click(chromedp.CSS(`#email-form button`)))
	b.Wait(t, "told to confirm", `document.querySelector("#status").textContent.includes("We e-mailed carol.jones@example.test")`)
	confirm := mailedLink(t, sink, "carol.jones@example.test", "confirm-email")
	if !strings.HasPrefix(confirm, w.srv.URL+"/#/confirm-email/") {
		t.Fatalf("confirmation link %q doesn't lead to the web app", confirm)
	}
	b.Do(t, "open the confirmation link", chromedp.Navigate("about:blank"), chromedp.Navigate(confirm))
	b.Wait(t, "the confirmation form", `document.querySelector("#email-confirm")`)
	b.Do(t, "confirm with the password", chromedp.SendKeys(chromedp.CSS(`#email-confirm input[name=password]`), "carol-third-password"),
		chromedp.Click(chromedp.CSS(`#email-confirm button`)))
	b.Wait(t, "back at sign-in", `location.hash === "#/signin" && document.querySelector("#status").textContent.includes("e-mail address is changed")`)
	signIn(t, b, w, "carol.jones@example.test", "carol-third-password")

	stranger := w.browser(t, 390, 844)
	open(t, stranger, w, "signup")
	stranger.Do(t, "sign up with Alice's address",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Impostor"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), tt.Alice+"@example.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "impostor-password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	stranger.Wait(t, "the refusal", `document.querySelector("#status").className === "error"`)
	if msg := bt.Eval[string](t, stranger, `document.querySelector("#status").textContent`); !strings.Contains(msg, "already exists") || strings.Contains(msg, "unique") {
		t.Errorf("duplicate sign-up says %q", msg)
	}
	stranger.Shot(t, "signup-duplicate-phone.png")
}

// TestOpenPagesFollowNewMembers: pages left open while someone joins and
// starts working show that person's name, without a reload.
func TestOpenPagesFollowNewMembers(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	pages := map[string]string{"team": "#team-table, main p.muted", "timesheets": "#timesheet, main", "audit": "#audit"}
	tabs := map[string]*bt.Browser{}
	for page := range pages {
		b := w.browser(t, 1280, 900)
		signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
		open(t, b, w, page)
		b.Do(t, "mark the page", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))
		tabs[page] = b
	}
	time.Sleep(time.Second) // the subscriptions are in place

	// Nora signs up and accepts an invitation, then her agent uploads a slot.
	tt.API(t, "POST", w.srv.URL+"/api/collections/users/records", "", map[string]string{"email": "nora@example.test", "password": "nora-password", "passwordConfirm": "nora-password", "name": "Nora Newcomer"}, nil)
	var inv struct{ Token string }
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/invites", alice, map[string]any{"email": "nora@example.test", "role": "user"}, &inv); st != 200 {
		t.Fatalf("invite Nora: %d", st)
	}
	nora, noraID := w.login(t, "nora@example.test", "nora-password")
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/invites/"+inv.Token+"/accept", nora, nil, nil); st != 200 {
		t.Fatalf("accept: %d", st)
	}
	tabs["timesheets"].Wait(t, "Nora in the member picker", `[...document.querySelectorAll("select[name=user] option")].some(o => o.textContent === "Nora Newcomer") && window.notReloaded`)
	tabs["audit"].Wait(t, "Nora named in the audit log", `document.querySelector("#audit")?.textContent.includes("Nora Newcomer") && window.notReloaded`)
	var p struct{ ID string }
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/project_members/records", alice, map[string]any{"org": tt.Acme, "project": tt.ProjA, "user": noraID, "role": "user"}, &p); st != 200 {
		t.Fatalf("add Nora to project A: %d", st)
	}
	w.track(t, nora, noraID, tt.Acme, tt.ProjA, slot(0), 1)
	tabs["team"].Wait(t, "Nora working on the team page", `(() => { const r = [...document.querySelectorAll("#team-table tr")].find(r => r.textContent.includes("Nora Newcomer"));
		return r && r.textContent.includes("Working") && window.notReloaded })()`)
	tabs["team"].Shot(t, "team-live.png")
}

// TestPolish: the small things a new customer trips over.
func TestPolish(t *testing.T) {
	expired := func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(schema.Invites)
		if err != nil {
			return err
		}
		r := core.NewRecord(c)
		r.Set("org", tt.Acme)
		r.Set("email", "late@example.test")
		r.Set("role", "user")
		r.Set("invited_by", tt.Alice)
		r.Set("token_hash", fmt.Sprintf("%064x", 99))
		r.Set("status", "pending")
		r.Set("expires", time.Now().AddDate(0, 0, -2))
		return app.Save(r)
	}
	sink := newSMTPSink(t)
	addr := tt.FreeAddr(t)
	w := newWorldAt(t, addr, mailFixture(sink, "http://"+addr, expired))
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)

	// Invitations: the expired one says so; a new link has a Copy button.
	open(t, b, w, "members")
	rows := bt.Eval[[]string](t, b, `[...document.querySelectorAll("#invites tbody tr")].map(r => r.innerText)`)
	for _, r := range rows {
		if strings.Contains(r, "late@example.test") != strings.Contains(r, "Expired") {
			t.Errorf("invitation row %q", r)
		}
	}
	if len(rows) != 2 {
		t.Errorf("invitations listed: %q", rows)
	}
	// Limits of 0 read "No limit".
	ph := bt.Eval[[]string](t, b, fmt.Sprintf(`[...document.querySelectorAll('tr[data-user=%q] input.hours')].map(i => i.value + "|" + i.placeholder)`, tt.Carol))
	if !slices.Equal(ph, []string{"|No limit", "|No limit"}) {
		t.Errorf("Carol's limit boxes (value|placeholder) %q", ph)
	}
	b.Do(t, "invite", chromedp.SendKeys(chromedp.CSS(`#invite-form input[name=email]`), "new@example.test"), chromedp.Click(chromedp.CSS(`#invite-form button[type=submit]`)))
	b.Wait(t, "the link and its Copy button", `document.querySelector("#copy-invite-link")`)
	b.Do(t, "copy", chromedp.Click(chromedp.CSS(`#copy-invite-link`)))
	b.Wait(t, "copied", `document.querySelector("#status").textContent === "Link copied."`)
	// The message is a toast: it covers none of the page's form.
	if over := bt.Eval[bool](t, b, `(() => { const s = document.querySelector("#status").getBoundingClientRect(), f = document.querySelector("#invite-form").getBoundingClientRect();
		return s.top < f.bottom && f.top < s.bottom && s.left < f.right && f.left < s.right })()`); over {
		t.Error("the message covers the invitation form")
	}
	b.Shot(t, "members-polish.png")
	time.Sleep(600 * time.Millisecond) // a person reads it, then moves on
	b.Do(t, "go to Reports", chromedp.Click(chromedp.CSS(`#nav a[href="#/reports"]`)))
	b.Wait(t, "the reports", `location.hash === "#/reports" && document.querySelector("#report-form")`)
	if msg := bt.Eval[string](t, b, `document.querySelector("#status").textContent`); msg != "" {
		t.Errorf("the members page's message %q followed onto Reports", msg)
	}

	// A day of manual time only has no activity to show: "–", not "0%".
	day := time.Now().UTC().AddDate(0, 0, -1).Truncate(24 * time.Hour)
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/time", alice, map[string]any{
		"user": tt.Carol, "project": tt.ProjA, "start": day.Add(9 * time.Hour), "end": day.Add(10 * time.Hour), "note": "meeting"}, nil); st != 200 {
		t.Fatalf("add manual time: %d", st)
	}
	open(t, b, w, fmt.Sprintf("reports?from=%s&to=%s&group=member&user=%s", day.Format("2006-01-02"), day.Format("2006-01-02"), tt.Carol))
	b.Wait(t, "the report", `document.querySelector("table#report")`)
	if row := bt.Eval[string](t, b, `document.querySelector("table#report tbody tr")?.innerText || ""`); !strings.Contains(row, "1:00") || !strings.Contains(row, "–") || strings.Contains(row, "0%") {
		t.Errorf("a manual-only day's report row %q", row)
	}

	// Permission switches read as sentences; the time-zone list has current names.
	open(t, b, w, "settings")
	labels := bt.Eval[string](t, b, `document.querySelector(".toggles").innerText`)
	if !strings.Contains(labels, "Team leads may approve time-off requests") || strings.Contains(labels, "Leads ") || strings.Contains(labels, "may:") {
		t.Errorf("permission switches read:\n%s", labels)
	}
	if bt.Eval[bool](t, b, `!!document.querySelector('select[name=timezone] option[value="Asia/Calcutta"]')`) {
		t.Error("the time-zone list offers Asia/Calcutta")
	}

	// The audit log names records instead of showing their ids.
	var shots struct{ Items []struct{ ID string } }
	tt.API(t, "GET", w.srv.URL+"/api/collections/screenshots/records?perPage=1&filter="+fmt.Sprintf("user%%3D%%22%s%%22", tt.Walt), alice, nil, &shots)
	if len(shots.Items) == 0 {
		t.Fatal("no screenshot of Walt seeded")
	}
	if st := tt.API(t, "DELETE", w.srv.URL+"/api/collections/screenshots/records/"+shots.Items[0].ID, alice, nil, nil); st != 204 {
		t.Fatalf("delete Walt's screenshot: %d", st)
	}
	open(t, b, w, "audit")
	log := bt.Eval[string](t, b, `document.querySelector("#audit").innerText`)
	if strings.Contains(log, shots.Items[0].ID) || strings.Contains(log, "invites ") || !strings.Contains(log, "delete screenshots\tusrwalt00000001\tScreenshot") {
		t.Errorf("audit log shows ids or lacks names:\n%s", log)
	}
	b.Shot(t, "audit-log.png")
}

// TestEveryPageLoadsFast: with a week of work of five members (steady's
// history: 8 hours a day, 3 screenshots a slot), each page the owner's
// sidebar offers is shown after a fresh load and after following a link to
// it, and both times are reported (webapp.txt; the target is 0.5 s). Shown
// means drawn with its data (the performance mark app.js sets), not counting
// screenshots decrypted after. The times are reported, not asserted: on a
// shared test machine they swing with its load, and speed targets are
// checked by measurements, not by timed tests.
func TestEveryPageLoadsFast(t *testing.T) {
	w := newWorld(t, func(t *testing.T) *tt.Fixture {
		f, err := steady.Fixture(steady.Shape{Members: 5, Days: 7}, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	})
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, steady.Member(0)+"@example.test", tt.Password)
	open(t, b, w, "me")
	hrefs := bt.Eval[[]string](t, b, `[...document.querySelectorAll("#nav a")].map(a => a.getAttribute("href").slice(2))`)
	if len(hrefs) < 15 {
		t.Fatalf("only %d pages in the owner's sidebar: %v", len(hrefs), hrefs)
	}
	var report []string
	worst := 0.0
	for _, page := range hrefs {
		// Afresh: from the start of the page load to the page shown.
		open(t, b, w, page)
		b.Wait(t, page+" shown", `performance.getEntriesByName("tock:page-shown").length > 0`)
		cold := bt.Eval[float64](t, b, `performance.getEntriesByName("tock:page-shown").at(-1).startTime`)
		// From another page: the hash changes, as following a link does.
		other := "me"
		if page == other {
			other = "profile"
		}
		open(t, b, w, other)
		b.Wait(t, other+" shown", `performance.getEntriesByName("tock:page-shown").length > 0`)
		warm := bt.Eval[float64](t, b, fmt.Sprintf(`new Promise((done) => {
			performance.clearMarks("tock:page-shown");
			const t0 = performance.now();
			location.hash = "#/%s";
			const poll = () => { const m = performance.getEntriesByName("tock:page-shown"); m.length ? done(m[0].startTime - t0) : setTimeout(poll, 5) };
			poll();
		})`, page))
		report = append(report, fmt.Sprintf("%s %.0f/%.0f", page, cold, warm))
		worst = max(worst, warm)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	tt.Report(t, "webapp.txt", fmt.Sprintf("web app, 5 members x 7 days (steady fixture), owner, 1280 px, load average %s: slowest page %.0f ms after a link; per page afresh/after a link (ms): %s",
		strings.Join(strings.Fields(string(load))[:1], ""), worst, strings.Join(report, ", ")))
}

// TestTimesheetCellOpensItsEntries: a cell of the week grid opens the time
// blocks behind it; the owner deletes the manual one (the server loses its
// slots), a project viewer sees the blocks with no Delete, and Escape
// closes the dialog back onto the cell.
func TestTimesheetCellOpensItsEntries(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	day := tt.Slot.Truncate(24 * time.Hour) // Walt's seeded slot in A is at 09:00 of that day
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/time", alice, map[string]any{
		"user": tt.Walt, "project": tt.ProjA, "start": day.Add(10 * time.Hour), "end": day.Add(10*time.Hour + 30*time.Minute), "note": "call"}, nil); st != 200 {
		t.Fatalf("add manual time: %d", st)
	}
	page := fmt.Sprintf("timesheets?user=%s&week=%s", tt.Walt, day.Format("2006-01-02"))
	cellOfA := fmt.Sprintf(`[...document.querySelectorAll("#timesheet tbody tr")].find(r => r.cells[1].textContent === "A").querySelector('button.cell[data-day=%q]')`, day.Format("2006-01-02"))
	blocks := `[...document.querySelectorAll("#entries tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, page)
	b.Do(t, "open Walt's Monday in A", chromedp.Evaluate[chromedp.Void](cellOfA+`.click()`))
	b.Wait(t, "the entries", `document.querySelector("#entries[open] tbody tr")`)
	got := bt.Eval[[]string](t, b, blocks)
	if len(got) != 2 || !strings.HasPrefix(got[0], "09:00 09:10 Tracked 0:10") || !strings.HasPrefix(got[1], "10:00 10:30 Manual 0:30 –") {
		t.Fatalf("entries %q", got)
	}
	b.Shot(t, "timesheet-entries.png")
	b.Do(t, "press Escape", chromedp.KeyEvent(kb.Escape))
	b.Wait(t, "closed, focus back on the cell", `!document.querySelector("#entries") && document.activeElement.classList.contains("cell")`)
	b.Do(t, "open again and delete the manual block (two clicks)", chromedp.Evaluate[chromedp.Void](cellOfA+`.click()`))
	b.Wait(t, "the entries", `document.querySelector('#entries[open] tr[data-source=manual] button.danger')`)
	b.Do(t, "delete", chromedp.Click(chromedp.CSS(`#entries tr[data-source=manual] button.danger`)))
	b.Do(t, "confirm", chromedp.Click(chromedp.CSS(`#entries tr[data-source=manual] button.danger`)))
	b.Wait(t, "the cell back to the tracked 10 minutes", cellOfA+`?.textContent === "0:10" && !document.querySelector("#entries")`)
	if n := w.count(t, alice, "activities", fmt.Sprintf(`user="%s" && source="manual"`, tt.Walt)); n != 0 {
		t.Errorf("%d manual slots of Walt left on the server", n)
	}

	viewer := w.browser(t, 390, 844)
	signIn(t, viewer, w, tt.Vic+"@example.test", tt.Password)
	open(t, viewer, w, page)
	viewer.Do(t, "open Walt's Monday in A", chromedp.Evaluate[chromedp.Void](cellOfA+`.click()`))
	viewer.Wait(t, "the entries", `document.querySelector("#entries[open] tbody tr")`)
	if exists(t, viewer, "#entries button.danger") {
		t.Error("a project viewer is offered Delete")
	}
	if !exists(t, viewer, `#entries a[href^="#/screenshots"]`) {
		t.Error("a project viewer isn't offered the block's screenshots")
	}
	viewer.Shot(t, "timesheet-entries-phone.png")
}

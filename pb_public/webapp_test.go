package pbpublic_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestNewOrganizationJourney is the web app's whole first day: an owner signs
// up, creates an organization and a project, invites a colleague who joins
// from the link in another browser; once the colleague's agent has uploaded,
// the owner browses the gallery, opens and deletes a screenshot, reads the
// timesheet and the team dashboard, and changes a setting.
func TestNewOrganizationJourney(t *testing.T) {
	w := newWorld(t, emptyFixture)
	owner := w.browser(t, 1280, 900)

	open(t, owner, w, "signin")
	owner.Do(t, "go to sign-up", chromedp.Click(chromedp.CSS(`a[href^="#/signup"]`)))
	owner.Wait(t, "the sign-up form", `document.querySelector("input[name=name]")`)
	owner.Do(t, "sign up",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Olivia Owner"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olivia@initech.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "olivia-password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	owner.Wait(t, "the create-organization form", `location.hash === "#/orgs/new" && document.querySelector("select[name=timezone]")`)
	owner.Do(t, "create the organization",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Initech"),
		chromedp.SetValue(chromedp.CSS(`select[name=timezone]`), "UTC"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	owner.Wait(t, "the members page", `document.querySelector("#invite-form")`)

	owner.Do(t, "invite Milton",
		chromedp.SendKeys(chromedp.CSS(`#invite-form input[name=email]`), "milton@initech.test"),
		chromedp.Click(chromedp.CSS(`#invite-form button[type=submit]`)))
	owner.Wait(t, "the invitation link", `document.querySelector("#invite-link")`)
	link := bt.Eval[string](t, owner, `document.querySelector("#invite-link").value`)
	if !strings.HasPrefix(link, w.srv.URL+"/#/join/") {
		t.Fatalf("invitation link %q", link)
	}

	colleague := w.browser(t, 1280, 900)
	colleague.Do(t, "open the invitation", chromedp.Navigate(link))
	colleague.Wait(t, "the invitation", `document.querySelector("main h1")?.textContent === "Join Initech"`)
	if href := bt.Eval[string](t, colleague, `document.querySelector("#get-desktop-app")?.getAttribute("href") || ""`); href != "#/signin?next=me%2Fdesktop" {
		t.Errorf("the invitation's link to the desktop app: %q", href)
	}
	colleague.Do(t, "create an account", chromedp.Click(chromedp.CSS(`main a.button`)))
	colleague.Wait(t, "the sign-up form", `document.querySelector("input[name=name]")`)
	if email := bt.Eval[string](t, colleague, `document.querySelector("input[name=email]").value`); email != "milton@initech.test" {
		t.Errorf("sign-up e-mail prefilled with %q", email)
	}
	colleague.Do(t, "sign up",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Milton"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "milton-password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	colleague.Wait(t, "the accept button", `[...document.querySelectorAll("main button")].some(b => b.textContent === "Accept invitation")`)
	colleague.Do(t, "accept", chromedp.Click(chromedp.CSS(`main button`)))
	colleague.Wait(t, "Milton's dashboard", `location.hash === "#/me" && document.querySelector("main h1")?.textContent === "Hello, Milton"`)

	ownerToken, _ := w.login(t, "olivia@initech.test", "olivia-password")
	miltonToken, milton := w.login(t, "milton@initech.test", "milton-password")
	var orgs struct{ Items []struct{ ID string } }
	tt.API(t, "GET", w.srv.URL+"/api/collections/organizations/records", miltonToken, nil, &orgs)
	if len(orgs.Items) != 1 {
		t.Fatalf("Milton belongs to %d organizations after joining", len(orgs.Items))
	}
	org := orgs.Items[0].ID

	open(t, owner, w, "projects")
	owner.Do(t, "create a project",
		chromedp.SendKeys(chromedp.CSS(`#new-project input[name=name]`), "Website"),
		chromedp.Click(chromedp.CSS(`#new-project button`)))
	owner.Wait(t, "the project", `[...document.querySelectorAll("#projects a")].some(a => a.textContent === "Website")`)
	owner.Do(t, "open the project", chromedp.Click(chromedp.CSS(`#projects a`)))
	owner.Wait(t, "the add-member form", `document.querySelector("#add-project-member")`)
	owner.Do(t, "add Milton",
		chromedp.SetValue(chromedp.CSS(`#add-project-member select[name=user]`), milton),
		chromedp.Click(chromedp.CSS(`#add-project-member button`)))
	owner.Wait(t, "Milton in the project", fmt.Sprintf(`document.querySelector('#project-members tr[data-user=%q]')`, milton))
	project := bt.Eval[string](t, owner, `location.hash.split("/")[2]`)

	start := slot(0)
	w.track(t, miltonToken, milton, org, project, start, 2)
	day := start.Format("2006-01-02")

	open(t, owner, w, fmt.Sprintf("screenshots?user=%s&day=%s", milton, day))
	owner.Wait(t, "two decrypted thumbnails", `(() => { const i = [...document.querySelectorAll("#gallery img")];
		return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0) })()`)
	text := bt.Eval[string](t, owner, `document.querySelector("#gallery").innerText`)
	// The grid shows the slot's top app; its URLs are in the full-size view.
	for _, want := range []string{"75% activity", "Website", "firefox", start.Format("15:04")} {
		if !strings.Contains(text, want) {
			t.Errorf("gallery lacks %q:\n%s", want, text)
		}
	}
	owner.Shot(t, "gallery.png")

	owner.Do(t, "open the first screenshot", chromedp.Click(chromedp.CSS(`#gallery .thumb`)))
	owner.Wait(t, "the full-size image", `document.querySelector("dialog[open] img")?.naturalWidth === 640`)
	owner.Shot(t, "screenshot-full.png")
	owner.Do(t, "delete it", chromedp.Click(chromedp.ID("delete-shot")))
	owner.Wait(t, "the confirmation", `!document.querySelector(".confirm").hidden`)
	owner.Do(t, "confirm", chromedp.Click(chromedp.ID("confirm-delete")))
	owner.Wait(t, "one screenshot left", `document.querySelectorAll("#gallery img").length === 1`)
	if n := w.count(t, ownerToken, "screenshots", fmt.Sprintf(`user="%s"`, milton)); n != 1 {
		t.Errorf("%d screenshots left on the server, want 1", n)
	}

	open(t, owner, w, "timesheets?week="+day)
	owner.Wait(t, "the timesheet", `document.querySelector("#timesheet")`)
	if sheet := bt.Eval[string](t, owner, `document.querySelector("#timesheet").innerText`); !strings.Contains(sheet, "Milton") || !strings.Contains(sheet, "0:09") {
		t.Errorf("timesheet lacks Milton's 9 minutes:\n%s", sheet)
	}
	owner.Shot(t, "timesheets.png")

	open(t, owner, w, "team?day="+day)
	owner.Wait(t, "the team table", `document.querySelector("#team-table")`)
	if team := bt.Eval[string](t, owner, `document.querySelector("#team-table").innerText`); !strings.Contains(team, "Milton") || !strings.Contains(team, "Working") {
		t.Errorf("team dashboard doesn't show Milton working:\n%s", team)
	}
	owner.Shot(t, "team-dashboard.png")

	open(t, colleague, w, "me?day="+day)
	colleague.Wait(t, "a recent screenshot", `document.querySelector("main .shots img")?.naturalWidth > 0`)
	if me := bt.Eval[string](t, colleague, `document.querySelector(".stats").innerText`); !strings.Contains(me, "0:09") {
		t.Errorf("Milton's dashboard lacks his 9 minutes:\n%s", me)
	}
	colleague.Shot(t, "me-dashboard.png")

	open(t, owner, w, "settings")
	owner.Do(t, "change settings",
		chromedp.SetValue(chromedp.CSS(`select[name=screenshots_per_slot]`), "3"),
		chromedp.SetValue(chromedp.CSS(`select[name=idle_default]`), "keep"),
		chromedp.Click(chromedp.CSS(`input[name=managers_view_screenshots]`)),
		chromedp.Click(chromedp.CSS(`#settings button[type=submit]`)))
	owner.Wait(t, "saved", `document.querySelector("#status").textContent === "Settings saved."`)
	var saved map[string]any
	tt.API(t, "GET", w.srv.URL+"/api/collections/organizations/records/"+org, ownerToken, nil, &saved)
	if saved["screenshots_per_slot"] != 3.0 || saved["managers_view_screenshots"] != true || saved["idle_default"] != "keep" {
		t.Errorf("settings not saved: per slot %v, managers_view_screenshots %v, idle_default %v",
			saved["screenshots_per_slot"], saved["managers_view_screenshots"], saved["idle_default"])
	}

	open(t, owner, w, "audit")
	if log := bt.Eval[string](t, owner, `document.querySelector("main").innerText`); !strings.Contains(log, "Milton") {
		t.Errorf("audit log doesn't name whose screenshot was deleted:\n%s", log)
	}

	// Deleting time takes its screenshots and apps with it (the Hubstaff rule).
	open(t, owner, w, fmt.Sprintf("screenshots?user=%s&day=%s", milton, day))
	owner.Do(t, "delete the time", chromedp.Click(chromedp.CSS(`#gallery .slot header button`)))
	owner.Wait(t, "the second click's warning", `document.querySelector("#gallery .slot header button").textContent.includes("its screenshots")`)
	owner.Do(t, "confirm", chromedp.Click(chromedp.CSS(`#gallery .slot header button`)))
	owner.Wait(t, "an empty day", `document.querySelector("#gallery-empty")`)
	for _, c := range []string{"activities", "screenshots", "app_usage"} {
		if n := w.count(t, ownerToken, c, fmt.Sprintf(`user="%s"`, milton)); n != 0 {
			t.Errorf("%d %s of Milton left after deleting his time", n, c)
		}
	}
}

// TestEachRoleSeesWhatTheMatrixAllows signs in as each role of the matrix
// seed, after agents uploaded today's work, and checks the navigation, the
// gallery and the controls each person gets.
func TestEachRoleSeesWhatTheMatrixAllows(t *testing.T) {
	w := newWorld(t, matrixFixture)
	token := func(user string) string {
		tok, _ := w.login(t, user+"@example.test", tt.Password)
		return tok
	}
	// Yesterday's morning: every slot on one day whatever the hour the test runs.
	morning := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Add(10 * time.Hour)
	at := func(i int) time.Time { return morning.Add(time.Duration(i) * 10 * time.Minute) }
	w.track(t, token(tt.Carol), tt.Carol, tt.Acme, tt.ProjA, at(0), 1)
	walt := token(tt.Walt)
	w.track(t, walt, tt.Walt, tt.Acme, tt.ProjA, at(0), 1)
	w.track(t, walt, tt.Walt, tt.Acme, tt.ProjB, at(1), 1)
	w.track(t, token(tt.Pam), tt.Pam, tt.Acme, tt.ProjA, at(2), 1)
	day := morning.Format("2006-01-02")
	// Walt's screenshot of today in project A, which the project's manager and viewer may see too.
	var walts struct{ Items []struct{ ID string } }
	filter := url.QueryEscape(fmt.Sprintf(`user="%s" && project="%s" && taken_at >= "%s"`, tt.Walt, tt.ProjA, morning.Format("2006-01-02 15:04:05")))
	tt.API(t, "GET", w.srv.URL+"/api/collections/screenshots/records?filter="+filter, token(tt.Alice), nil, &walts)
	if len(walts.Items) != 1 {
		t.Fatalf("Walt has %d screenshots of today in A", len(walts.Items))
	}

	all := []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Team", "Screenshots", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Clients", "Job sites", "Work orders", "Money", "Members", "Teams", "Settings", "Organization", "Integrations", "Audit log"}
	cases := []struct {
		name, user string
		nav        []string
		waltSlots  int      // Walt's slots today in the gallery
		mayDelete  bool     // a delete control in the full-size view
		whole      bool     // deleting takes the whole time block (a `limited` cell)
		manage     bool     // project creation and member forms
		projects   []string // the projects listed
	}{
		{"owner", tt.Alice, all, 2, true, false, true, []string{"A", "B"}},
		{"manager", tt.Bob, []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Team", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Clients", "Job sites", "Work orders", "Money", "Members", "Teams", "Settings", "Organization", "Integrations"}, -1, false, false, true, []string{"A", "B"}},
		{"user", tt.Carol, []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Screenshots", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Job sites", "Work orders", "Money", "Organization"}, 0, false, false, false, []string{"A"}},
		{"project manager", tt.Pam, []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Team", "Screenshots", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Job sites", "Work orders", "Money", "Organization"}, 1, true, true, false, []string{"A"}},
		{"team lead", tt.Tess, []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Team", "Screenshots", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Job sites", "Work orders", "Money", "Teams", "Organization"}, 2, true, false, false, []string{"A"}},
		{"project viewer", tt.Vic, []string{"Me", "Profile", "Timesheets", "Time off", "Schedules", "Screenshots", "Locations", "Reports", "Apps & URLs", "Summaries", "Projects", "Tasks", "Job sites", "Work orders", "Money", "Organization"}, 1, false, false, false, []string{"A"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := w.browser(t, 1280, 900)
			signIn(t, b, w, c.user+"@example.test", tt.Password)
			open(t, b, w, "me")
			if got := navLinks(t, b); !slices.Equal(got, c.nav) {
				t.Errorf("navigation %v, want %v", got, c.nav)
			}
			if u := unnamedControls(t, b); len(u) > 0 {
				t.Errorf("controls without an accessible name: %v", u)
			}

			if c.waltSlots >= 0 {
				open(t, b, w, fmt.Sprintf("screenshots?user=%s&day=%s", tt.Walt, day))
				b.Wait(t, "the gallery", `document.querySelector("#gallery, #gallery-empty")`)
				if n := bt.Eval[int](t, b, `document.querySelectorAll("#gallery .slot").length`); n != c.waltSlots {
					t.Errorf("sees %d of Walt's slots, want %d", n, c.waltSlots)
				}
				if c.waltSlots > 0 {
					b.Do(t, "open Walt's screenshot", chromedp.Click(chromedp.CSS(`#gallery .thumb`)))
					b.Wait(t, "the full-size image", `document.querySelector("dialog[open] img")?.naturalWidth === 640`)
					if got := exists(t, b, "#delete-shot"); got != c.mayDelete {
						t.Errorf("delete control shown: %v, want %v", got, c.mayDelete)
					}
					if c.mayDelete {
						label := bt.Eval[string](t, b, `document.querySelector("#confirm-delete").textContent`)
						if got := label == "Delete time block"; got != c.whole {
							t.Errorf("delete button %q, whole time block expected: %v", label, c.whole)
						}
					}
				}
			}
			// Whatever the page shows, the server answers for itself.
			status := bt.Eval[int](t, b, fmt.Sprintf(`fetch("/api/tock/screenshots/%s/thumb", {headers: {Authorization: JSON.parse(localStorage.pocketbase_auth).token}}).then(r => r.status)`, walts.Items[0].ID))
			if wantOK := c.waltSlots > 0; (status == 200) != wantOK {
				t.Errorf("fetching Walt's screenshot answered %d", status)
			}

			open(t, b, w, "projects")
			if got := bt.Eval[[]string](t, b, `[...document.querySelectorAll("#projects a")].map(a => a.textContent)`); !slices.Equal(got, c.projects) {
				t.Errorf("projects listed %v, want %v", got, c.projects)
			}
			if got := exists(t, b, "#new-project"); got != c.manage {
				t.Errorf("project creation form shown: %v, want %v", got, c.manage)
			}
			open(t, b, w, "projects/"+tt.ProjA)
			b.Wait(t, "project A", `document.querySelector("main h1")?.textContent === "A"`)
			pm := c.user == tt.Pam
			if got := exists(t, b, "#add-project-member"); got != (c.manage || pm) {
				t.Errorf("add-member form shown: %v, want %v", got, c.manage || pm)
			}
			if c.user == tt.Alice {
				b.Shot(t, "project-owner.png")
			}
			open(t, b, w, "tasks?project="+tt.ProjA)
			b.Wait(t, "the tasks", `document.querySelector("#tasks")`)
			editable := c.user != tt.Vic // viewers are read-only
			if got := exists(t, b, "#new-task"); got != editable {
				t.Errorf("new-task form shown: %v, want %v", got, editable)
			}
			if got := bt.Eval[bool](t, b, `!document.querySelector("#tasks input[type=checkbox]").disabled`); got != editable {
				t.Errorf("task completion enabled: %v, want %v", got, editable)
			}
		})
	}
}

// TestPhoneWidth: on a phone-width screen no page scrolls sideways (wide
// tables scroll inside their own box) and the keyboard reaches the content.
func TestPhoneWidth(t *testing.T) {
	w := newWorld(t, matrixFixture)
	walt, _ := w.login(t, tt.Walt+"@example.test", tt.Password)
	w.track(t, walt, tt.Walt, tt.Acme, tt.ProjA, slot(0), 2)
	day := slot(0).Format("2006-01-02")

	b := w.browser(t, 390, 844)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	for _, page := range []string{"me", "team", fmt.Sprintf("screenshots?user=%s&day=%s", tt.Walt, day), "timesheets?week=" + day, "members", "settings"} {
		open(t, b, w, page)
		if strings.HasPrefix(page, "screenshots") {
			b.Wait(t, "thumbnails", `(() => { const i = [...document.querySelectorAll("#gallery img")]; return i.length === 2 && i.every(x => x.naturalWidth > 0) })()`)
			// From the start of the page load to two decrypted thumbnails on screen.
			ms := bt.Eval[float64](t, b, `performance.now()`)
			tt.Report(t, "webapp.txt", fmt.Sprintf("web app: gallery with 2 decrypted thumbnails shown %.0f ms after the page load began (loopback, 390 px phone viewport)", ms))
			b.Shot(t, "gallery-phone.png")
		}
		if wide := bt.Eval[bool](t, b, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
			t.Errorf("%s scrolls sideways at 390px: %d px wide", page, bt.Eval[int](t, b, `document.documentElement.scrollWidth`))
		}
		if u := unnamedControls(t, b); len(u) > 0 {
			t.Errorf("%s: controls without an accessible name: %v", page, u)
		}
	}
	// After each navigation focus is on the page's heading, so the next Tab
	// goes into the page's content, not back through the navigation.
	open(t, b, w, "members")
	if tag := bt.Eval[string](t, b, `document.activeElement.tagName`); tag != "H1" {
		t.Errorf("focus after navigation is on %s, want the page's H1", tag)
	}
	b.Do(t, "press Tab", chromedp.KeyEvent("\t"))
	if name := bt.Eval[string](t, b, `document.activeElement.name`); name != "email" {
		t.Errorf("Tab from the heading lands on %q, want the invitation's e-mail field", name)
	}
}

// TestAgentUploadsReachTheGallery: the real `tock agent`, on a real X
// display, tracks and uploads; the owner sees the decrypted screenshots in
// the gallery at their real size.
func TestAgentUploadsReachTheGallery(t *testing.T) {
	const slotSeconds = 20
	desktop := tt.Desktop(t)
	w := newWorld(t, emptyFixture, fmt.Sprintf("TOCK_SLOT_SECONDS=%d", slotSeconds))
	email, password := "owner@example.test", "owner-password-1"
	tt.API(t, "POST", w.srv.URL+"/api/collections/users/records", "", map[string]string{"email": email, "password": password, "passwordConfirm": password, "name": "Olga"}, nil)
	token, _ := w.login(t, email, password)
	var org struct{ ID string }
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/organizations/records", token, map[string]any{"name": "Acme", "timezone": "UTC"}, &org); st != 200 {
		t.Fatalf("create organization: %d", st)
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/projects/records", token, map[string]any{"org": org.ID, "name": "Website"}, nil); st != 200 {
		t.Fatalf("create project: %d", st)
	}
	agent := tt.NewAgent(t, w.bin, w.srv.URL, email, password, "Website", slotSeconds, desktop...)
	_, logs := agent.Daemon(t)

	var shots struct {
		Items []struct {
			Width   int    `json:"width"`
			TakenAt string `json:"taken_at"`
		}
	}
	deadline := time.Now().Add(3*slotSeconds*time.Second + 30*time.Second)
	for len(shots.Items) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no screenshot uploaded\nagent:\n%s", logs)
		}
		time.Sleep(time.Second)
		tt.API(t, "GET", w.srv.URL+"/api/collections/screenshots/records?sort=taken_at", token, nil, &shots)
	}
	day := shots.Items[0].TakenAt[:10]

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, email, password)
	open(t, b, w, "screenshots?day="+day)
	b.Wait(t, "decrypted thumbnails", `(() => { const i = [...document.querySelectorAll("#gallery img")];
		return i.length > 0 && i.every(x => x.complete && x.naturalWidth > 0) })()`)
	b.Shot(t, "gallery-agent.png")
	b.Do(t, "open the first screenshot", chromedp.Click(chromedp.CSS(`#gallery .thumb`)))
	b.Wait(t, "the full-size image", fmt.Sprintf(`document.querySelector("dialog[open] img")?.naturalWidth === %d`, shots.Items[0].Width))
}

// TestOwnerManagesTheOrganization: roles, removal, teams, tasks and the
// organization switcher, each change checked on the server.
func TestOwnerManagesTheOrganization(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	member := func(user string) map[string]any {
		var m map[string]any
		tt.API(t, "GET", w.srv.URL+"/api/collections/memberships/records/"+tt.MembershipID(user), alice, nil, &m)
		return m
	}

	open(t, b, w, "members")
	// chromedp's SetValue fires input and change, as picking an option does.
	b.Do(t, "make Carol a manager", chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`tr[data-user=%q] select`, tt.Carol)), "manager"))
	b.Wait(t, "the role change", `document.querySelector("#status").textContent === "Role changed."`)
	if role := member(tt.Carol)["role"]; role != "manager" {
		t.Errorf("Carol's role is %v", role)
	}
	b.Do(t, "remove Nia", chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-user=%q] button`, tt.Nia))))
	b.Wait(t, "Nia gone", fmt.Sprintf(`!document.querySelector('tr[data-user=%q]')`, tt.Nia))
	if m := member(tt.Nia); m["id"] != nil {
		t.Errorf("Nia's membership is still there: %v", m)
	}

	open(t, b, w, "teams")
	b.Do(t, "create a team", chromedp.SendKeys(chromedp.CSS(`#new-team input`), "Ops"), chromedp.Click(chromedp.CSS(`#new-team button`)))
	b.Wait(t, "the team", `[...document.querySelectorAll("#teams a")].some(a => a.textContent === "Ops")`)
	b.Do(t, "open it", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#teams a")].find(a => a.textContent === "Ops").click()`))
	b.Wait(t, "the team page", `document.querySelector("#add-team-member")`)
	b.Do(t, "add Carol as lead",
		chromedp.SetValue(chromedp.CSS(`#add-team-member select`), tt.Carol),
		chromedp.Click(chromedp.CSS(`#add-team-member input[name=is_lead]`)),
		chromedp.Click(chromedp.CSS(`#add-team-member button`)))
	b.Wait(t, "Carol in the team", fmt.Sprintf(`document.querySelector('#team-members tr[data-user=%q] input:checked')`, tt.Carol))
	b.Do(t, "add project B", chromedp.SetValue(chromedp.CSS(`#add-team-project select`), tt.ProjB), chromedp.Click(chromedp.CSS(`#add-team-project button`)))
	b.Wait(t, "project B in the team", `document.querySelector("#team-projects").textContent.includes("B")`)
	if n := w.count(t, alice, "team_members", fmt.Sprintf(`user="%s" && is_lead=true && team.name="Ops"`, tt.Carol)); n != 1 {
		t.Errorf("Carol leads Ops %d times on the server", n)
	}
	if n := w.count(t, alice, "team_projects", fmt.Sprintf(`project="%s" && team.name="Ops"`, tt.ProjB)); n != 1 {
		t.Errorf("Ops has project B %d times on the server", n)
	}

	open(t, b, w, "tasks?project="+tt.ProjA)
	b.Do(t, "add a task", chromedp.SendKeys(chromedp.CSS(`#new-task input`), "Write the release notes"), chromedp.Click(chromedp.CSS(`#new-task button`)))
	b.Wait(t, "the task", `document.querySelector("#tasks").textContent.includes("Write the release notes")`)
	b.Do(t, "complete it", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#tasks li")].find(l => l.textContent.includes("release notes")).querySelector("input").click()`))
	deadline := time.Now().Add(10 * time.Second)
	for w.count(t, alice, "tasks", `title="Write the release notes" && completed=true`) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the task was not completed on the server")
		}
		time.Sleep(200 * time.Millisecond)
	}

	open(t, b, w, "settings")
	b.Do(t, "add a break policy", chromedp.SetValue(chromedp.CSS(`#new-break-policy input[name=name]`), "Afternoon"),
		chromedp.Click(chromedp.CSS(`#new-break-policy button`)))
	b.Wait(t, "the policy listed", `document.querySelector("#break-policies")?.textContent.includes("Afternoon: 30 min after 4 h, unpaid")`)
	if n := w.count(t, alice, "break_policies", `name="Afternoon" && after_minutes=240 && break_minutes=30 && paid=false`); n != 1 {
		t.Errorf("%d such break policies on the server", n)
	}

	b.Do(t, "pick a new organization", chromedp.SetValue(chromedp.ID("org-switcher"), "new"))
	b.Wait(t, "the create-organization form", `location.hash === "#/orgs/new" && document.querySelector("select[name=timezone]")`)
	b.Do(t, "create Acme Labs", chromedp.SendKeys(chromedp.CSS(`main input[name=name]`), "Acme Labs"), chromedp.Click(chromedp.CSS(`main button[type=submit]`)))
	b.Wait(t, "Acme Labs current", `document.querySelector("#org-switcher").selectedOptions[0].textContent === "Acme Labs"`)
	b.Do(t, "switch back to Acme", chromedp.SetValue(chromedp.ID("org-switcher"), tt.Acme))
	b.Wait(t, "Acme's dashboard", `location.hash === "#/me" && document.querySelector("main .muted")?.textContent.startsWith("Acme ·")`)
}

package pbpublic_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestClients: the owner adds a client, gives it an e-mail and a currency,
// bills project A to it from the project page and removes another one, each
// checked on the server; a plain user has no Clients page and the server
// refuses her.
func TestClients(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	carol, _ := w.login(t, tt.Carol+"@example.test", tt.Password)

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, "clients")
	b.Wait(t, "the clients page", `document.querySelector("#new-client")`)
	if u := unnamedControls(t, b); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}
	b.Do(t, "add a client",
		chromedp.SetValue(chromedp.CSS(`#new-client input[name=name]`), "Umbrella"),
		chromedp.SetValue(chromedp.CSS(`#new-client input[name=email]`), "ap@umbrella.test"),
		chromedp.SetValue(chromedp.CSS(`#new-client input[name=currency]`), "eur"),
		chromedp.Click(chromedp.CSS(`#new-client button`)))
	b.Wait(t, "listed", `[...document.querySelectorAll("#clients form")].some(f => f.getAttribute("aria-label") === "Umbrella")`)
	var found struct {
		Items []struct{ ID, Name, Email, Currency string }
	}
	tt.API(t, "GET", w.srv.URL+`/api/collections/clients/records?filter=name%3D%22Umbrella%22`, alice, nil, &found)
	if len(found.Items) != 1 || found.Items[0].Email != "ap@umbrella.test" || found.Items[0].Currency != "EUR" {
		t.Fatalf("on the server: %+v", found.Items)
	}
	umbrella := found.Items[0].ID

	b.Do(t, "rename the seeded client",
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`form[data-client="%s"] input[name=name]`, tt.Cli)), "Initrode"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[data-client="%s"] button[type=submit]`, tt.Cli))))
	b.Wait(t, "renamed", `document.querySelector("#status")?.textContent === "Client saved."`)
	var cli struct{ Name string }
	tt.API(t, "GET", w.srv.URL+"/api/collections/clients/records/"+tt.Cli, alice, nil, &cli)
	if cli.Name != "Initrode" {
		t.Errorf("renamed on the server: %q", cli.Name)
	}

	open(t, b, w, "projects/"+tt.ProjA)
	b.Wait(t, "the client choice", fmt.Sprintf(`document.querySelector('#edit-project select[name=client] option[value="%s"]')`, umbrella))
	b.Do(t, "bill A to Umbrella",
		chromedp.SetValue(chromedp.CSS(`#edit-project select[name=client]`), umbrella),
		chromedp.Click(chromedp.CSS(`#edit-project button[type=submit]`)))
	b.Wait(t, "saved", `document.querySelector("#status")?.textContent === "Project saved."`)
	var proj struct{ Client string }
	tt.API(t, "GET", w.srv.URL+"/api/collections/projects/records/"+tt.ProjA, alice, nil, &proj)
	if proj.Client != umbrella {
		t.Errorf("project A's client on the server: %q", proj.Client)
	}

	open(t, b, w, "clients")
	b.Do(t, "remove Initrode", chromedp.Click(chromedp.CSS(`button[aria-label="Remove Initrode"]`)))
	b.Wait(t, "removed", `document.querySelector("#status")?.textContent === "Client removed."`)
	if n := w.count(t, alice, "clients", fmt.Sprintf(`id="%s"`, tt.Cli)); n != 0 {
		t.Error("the removed client is still on the server")
	}
	b.Shot(t, "clients.png")

	c := w.browser(t, 1280, 900)
	signIn(t, c, w, tt.Carol+"@example.test", tt.Password)
	if slices.Contains(navLinks(t, c), "Clients") {
		t.Error("a user has the Clients page")
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/clients/records", carol, map[string]any{"org": tt.Acme, "name": "Mine"}, nil); st < 400 {
		t.Errorf("a user added a client: %d", st)
	}
	if st := tt.API(t, "PATCH", w.srv.URL+"/api/collections/clients/records/"+umbrella, carol, map[string]any{"name": "Mine"}, nil); st < 400 {
		t.Errorf("a user renamed a client: %d", st)
	}
}

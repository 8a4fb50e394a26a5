// Tock's web app: a hash router over plain ES modules, no build step.
import { pb, session, signedIn, signOut, loadOrgs, useOrg, can, moduleOn } from "./api.js";
import { h, say, forget, errorText, go } from "./ui.js";
import { follow, stop } from "./live.js";
// The Me dashboard, the first page after signing in, and its detail pages
// are part of the app's core, loaded with it.
import { meDashboard, teamDashboard } from "./views/dashboards.js";
import { meDetail } from "./views/desktop.js";

// Each page's module is loaded when the page is first shown (the views
// below); a page load fetches and compiles the app's core and the one page.
const { signIn, signUp, join, newOrg, resetPassword, confirmEmail } =
  views(() => import("./views/auth.js"), "signIn", "signUp", "join", "newOrg", "resetPassword", "confirmEmail");
const { profile } = views(() => import("./views/profile.js"), "profile");
const { gallery } = views(() => import("./views/screenshots.js"), "gallery");
const { timesheets } = views(() => import("./views/timesheets.js"), "timesheets");
const { reports } = views(() => import("./views/reports.js"), "reports");
const { appsReport } = views(() => import("./views/apps.js"), "appsReport");
const { members } = views(() => import("./views/members.js"), "members");
const { projects, project } = views(() => import("./views/projects.js"), "projects", "project");
const { teams, team } = views(() => import("./views/teams.js"), "teams", "team");
const { tasks } = views(() => import("./views/tasks.js"), "tasks");
const { settings, auditLog } = views(() => import("./views/settings.js"), "settings", "auditLog");
const { timeOff } = views(() => import("./views/timeoff.js"), "timeOff");
const { schedules } = views(() => import("./views/schedules.js"), "schedules");
const { integrations, summaries } = views(() => import("./views/integrations.js"), "integrations", "summaries");
const { jobSites } = views(() => import("./views/jobsites.js"), "jobSites");
const { workOrders } = views(() => import("./views/workorders.js"), "workOrders");
const { locations } = views(() => import("./views/locations.js"), "locations");
const { organization } = views(() => import("./views/organization.js"), "organization");
const { clients } = views(() => import("./views/clients.js"), "clients");
const { moneyPage } = views(() => import("./views/money.js"), "moneyPage");

// views makes, for each name, a page view that loads its module (load, an
// import of it) on first use; warm starts that load early, so that the
// module arrives while the page's data is on its way.
function views(load, ...names) {
  return Object.fromEntries(names.map((name) => {
    const view = async (args) => (await load().catch(loadFailed))[name](args);
    view.warm = () => load().catch(() => {}); // a failed load is handled when the view runs
    return [name, view];
  }));
}

// loadFailed: a page's module that doesn't load is most likely of a version
// the server no longer has (Tock was upgraded while this page was open), so
// the page loads afresh, with today's modules; at most once a minute, so
// that a module failing for another reason shows its error.
function loadFailed(err) {
  const key = "tock.reloaded", last = Number(sessionStorage.getItem(key) || 0);
  if (Date.now() - last < 60000) throw err;
  sessionStorage.setItem(key, String(Date.now()));
  location.reload();
  return new Promise(() => {}); // the page is going away
}

// Pages: path, title, view, the sidebar section it is listed under, the
// module (Add/Remove Features) it belongs to, and whether this person
// reaches anything on it (the matrix, as the can checks read it).
const pages = [
  { path: "me", section: "Me", title: "Me", view: meDashboard, shown: () => true },
  { path: "profile", section: "Me", title: "Profile", view: profile, shown: () => true },
  // The Me section is also where the agent's download page and "What Tock
  // records" belong: add their entries here, after Profile.
  { path: "timesheets", live: ["memberships"], section: "Time", title: "Timesheets", view: timesheets, shown: () => can("View Timesheets") },
  { path: "timeoff", section: "Time", module: "time_off", title: "Time off", view: timeOff, shown: () => can("Approve/Request Time Off Requests") || can("Edit Time Off Balances") || can("Add Time Off Policies") },
  { path: "schedules", section: "Time", module: "schedules", title: "Schedules", view: schedules, shown: () => can("View Schedules") },
  { path: "team", live: ["memberships", "activities"], every: 60, section: "Activity", title: "Team", view: teamDashboard, shown: () => can("View Team Dashboard") },
  { path: "screenshots", live: ["memberships"], section: "Activity", title: "Screenshots", view: gallery, shown: () => can("View Screenshots") },
  { path: "locations", section: "Activity", module: "job_sites", title: "Locations", view: locations, shown: () => can("View Locations") },
  { path: "reports", section: "Reports", title: "Reports", view: reports, shown: () => can("Generate Reports") },
  { path: "apps", section: "Reports", title: "Apps & URLs", view: appsReport, shown: () => can("View Apps") || can("View URLs") },
  { path: "summaries", section: "Reports", title: "Summaries", view: summaries, shown: () => can("Receive Work Summary Emails") },
  { path: "projects", section: "Projects", title: "Projects", view: projects, shown: () => can("View Projects") },
  { path: "tasks", section: "Projects", title: "Tasks", view: tasks, shown: () => can("View Projects") },
  { path: "clients", section: "Projects", title: "Clients", view: clients, shown: () => can("Edit Clients") || can("Add Clients") },
  { path: "jobsites", section: "Field", module: "job_sites", title: "Job sites", view: jobSites, shown: () => true },
  { path: "workorders", section: "Field", module: "work_orders", title: "Work orders", view: workOrders, shown: () => true },
  { path: "money", section: "Money", title: "Money", view: moneyPage, shown: () => ["Manage Pay/Bill Rates", "View Client Invoices", "Create Client Invoices", "View Team Invoices", "Create Team Invoices", "Manage Payroll", "View Past Team Payments"].some(can) },
  { path: "members", live: ["memberships"], section: "People", title: "Members", view: members, shown: () => can("View Organization Members") || can("Invite Users") },
  { path: "teams", section: "People", title: "Teams", view: teams, shown: () => can("Manage Teams") || (session.me?.teams || []).length > 0 },
  { path: "settings", section: "Organization", title: "Settings", view: settings, shown: () => can("Edit Organization") || can("Change Organization Settings") },
  { path: "organization", section: "Organization", title: "Organization", view: organization, shown: () => ["Billing", "Add/Remove Features", "Leave Organization", "Archive Organization", "Restore Organization"].some(can) },
  { path: "integrations", section: "Organization", module: "integrations", title: "Integrations", view: integrations, shown: () => can("Change Integration Settings") || can("Add integration") },
  { path: "audit", live: ["memberships", "audit_log"], section: "Organization", title: "Audit log", view: auditLog, shown: () => can("Edit Organization") },
];

// visible: the page's module is on and the person reaches something on it.
function visible(page) {
  return (!page.module || moduleOn(page.module)) && page.shown();
}

// Pages reachable without an organization, or without signing in.
const open = { signin: signIn, signup: signUp, join, "reset-password": resetPassword, "confirm-email": confirmEmail };
const orgless = { "orgs/new": newOrg, profile };
const detail = { projects: project, teams: team, me: meDetail };

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path || "", params: new URLSearchParams(query || "") };
}

// header draws the top bar (the name, and the menu button on a phone) and
// the sidebar: the organization, the pages by section, then the account.
function header(current) {
  const top = document.getElementById("top"), side = document.getElementById("side");
  top.replaceChildren(h("a", { class: "brand", href: "#/me" }, "Tock"));
  side.replaceChildren();
  document.body.classList.toggle("with-side", signedIn());
  if (!signedIn()) return;
  const menu = h("button", {
    type: "button", class: "menu secondary", "aria-controls": "side", "aria-expanded": "false",
    onclick: () => toggleMenu(side.classList.contains("open") ? false : true),
  }, "Menu");
  top.append(menu);
  const switcher = h("select", {
    "aria-label": "Organization", id: "org-switcher",
    onchange: async (e) => {
      if (e.target.value === "new") return go("orgs/new");
      await useOrg(session.orgs.find((o) => o.id === e.target.value));
      go("me");
      render();
    },
  },
  session.orgs.map((o) => h("option", { value: o.id, selected: o.id === session.org?.id }, o.name)),
  h("option", { value: "new" }, "+ New organization"));
  side.append(switcher);
  if (session.org) side.append(sidebar(current));
  const who = pb.authStore.record;
  side.append(h("div", { class: "account" },
    h("a", { href: "#/profile", class: "who", title: "Your profile" }, who.name || who.email),
    h("button", { type: "button", class: "link", onclick: () => { signOut(); go("signin"); } }, "Sign out")));
}

// sidebar lists the pages this person may use, grouped by section; a
// section with none of them is left out.
function sidebar(current) {
  const sections = [];
  for (const p of pages.filter(visible)) {
    let s = sections.find((x) => x.name === p.section);
    if (!s) sections.push(s = { name: p.section, pages: [] });
    s.pages.push(p);
  }
  return h("nav", { "aria-label": "Main", id: "nav" }, sections.map((s) => {
    const id = `nav-${s.name.toLowerCase()}`;
    return h("section", { class: "nav-section", "aria-labelledby": id },
      h("h2", { id }, s.name),
      h("ul", {}, s.pages.map((p) =>
        h("li", {}, h("a", { href: `#/${p.path}`, "aria-current": current === p.path ? "page" : false }, p.title)))));
  }));
}

// toggleMenu opens or closes the sidebar on a phone, where it sits behind
// the Menu button; opening moves focus into it, closing back to the button.
function toggleMenu(openIt) {
  const side = document.getElementById("side"), button = document.querySelector("#top .menu");
  if (!side || !button) return;
  side.classList.toggle("open", openIt);
  button.setAttribute("aria-expanded", String(openIt));
  if (openIt) (side.querySelector("a[aria-current=page]") || side.querySelector("a"))?.focus();
}

document.addEventListener("keydown", (e) => {
  const side = document.getElementById("side");
  if (e.key === "Escape" && side?.classList.contains("open")) {
    toggleMenu(false);
    document.querySelector("#top .menu")?.focus();
  }
});

let rendering = 0;

// render draws the page the address names. A quiet render (a live page's
// refresh) keeps the scroll and the focus, and waits while the person is in
// a form field or a dialog of the page, so it never takes their input away.
export async function render(opts) {
  const quiet = opts?.quiet === true;
  if (quiet && busy()) return;
  const ticket = ++rendering;
  const { path, params } = parseHash();
  const [head, id] = path.split("/");
  const view = document.getElementById("view");
  if (!quiet) {
    stop();
    toggleMenu(false);
    forget(head);
  }
  try {
    if (open[head]) {
      header(head);
      return show(ticket, await open[head]({ id, params, render }));
    }
    if (!signedIn()) return go("signin");
    // The page's module loads while the session is read.
    (orgless[path] || (id && detail[head]) || pages.find((p) => p.path === head)?.view)?.warm?.();
    if (!session.me && session.orgs.length === 0) {
      await loadOrgs(params.get("org"));
    }
    if (orgless[path] && !(path === "profile" && session.org)) {
      header(path);
      return show(ticket, await orgless[path]({ params, render }));
    }
    if (!session.org) return go("orgs/new");
    const page = pages.find((p) => p.path === head) || pages[0];
    if (!visible(page)) return go("me");
    const build = id && detail[head] ? detail[head] : page.view;
    const node = await build({ id, params, render });
    // The sidebar goes in with the page, in one layout and paint: drawn
    // before the page's data, it cost a first load a frame of its own. A
    // refresh leaves it (and any focus in it) alone.
    if (!quiet && ticket === rendering) header(page.path);
    show(ticket, node, quiet);
    if (!quiet && ticket === rendering) follow(page.live, () => render({ quiet: true }), { every: page.every });
  } catch (err) {
    if (err?.status === 401) {
      signOut();
      return go("signin");
    }
    if (quiet) return; // a failed refresh leaves the page as it was
    if (ticket === rendering) header(head);
    view.replaceChildren(h("h1", {}, "Something went wrong"), h("p", {}, errorText(err)));
    say(errorText(err), "error");
  }
}

// busy: the person is typing in the page or looking at one of its dialogs.
function busy() {
  const el = document.activeElement;
  return !!document.querySelector("#view dialog[open]") ||
    (!!el?.closest?.("#view") && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
}

// show swaps the view in, unless a newer navigation has started meanwhile,
// and moves focus to its heading for keyboard and screen-reader users.
function show(ticket, node, quiet) {
  if (ticket !== rendering) return;
  const view = document.getElementById("view");
  // Reading the scroll position lays the page out: only a refresh, which
  // keeps it, pays for that.
  const y = quiet ? window.scrollY : 0;
  view.replaceChildren(node);
  document.title = `${view.querySelector("h1")?.textContent || "Tock"} · Tock`;
  view.querySelector("h1")?.setAttribute("tabindex", "-1");
  if (quiet) return window.scrollTo(0, y);
  view.querySelector("h1")?.focus({ preventScroll: true });
  // A mark per page shown: how long a page takes, for tests and DevTools.
  performance.mark("tock:page-shown", { detail: location.hash });
}

window.addEventListener("hashchange", render);
// A page left for another address may stay, frozen, in the browser's
// back/forward cache, and its realtime connection (an open request) with it.
// Chromium gives a server six connections: six such pages left the next
// load of the app waiting for one forever. So the connection closes as the
// page is hidden, and a page shown again from the cache is drawn afresh,
// which follows its records again and shows what changed meanwhile.
window.addEventListener("pagehide", () => {
  stop();
  pb.realtime.disconnect();
});
window.addEventListener("pageshow", (e) => { if (e.persisted) render(); });
render();

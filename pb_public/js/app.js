// Tock's web app: a hash router over plain ES modules, no build step.
import { pb, session, signedIn, signOut, loadOrgs, useOrg, can, moduleOn } from "./api.js";
import { h, say, errorText, go } from "./ui.js";
import { signIn, signUp, join, newOrg } from "./views/auth.js";
import { meDashboard, teamDashboard } from "./views/dashboards.js";
import { gallery } from "./views/screenshots.js";
import { timesheets } from "./views/timesheets.js";
import { reports } from "./views/reports.js";
import { members } from "./views/members.js";
import { projects, project } from "./views/projects.js";
import { teams, team } from "./views/teams.js";
import { tasks } from "./views/tasks.js";
import { settings, auditLog } from "./views/settings.js";
import { timeOff } from "./views/timeoff.js";
import { schedules } from "./views/schedules.js";
import { integrations, summaries } from "./views/integrations.js";
import { jobSites } from "./views/jobsites.js";
import { workOrders } from "./views/workorders.js";
import { locations } from "./views/locations.js";
import { organization } from "./views/organization.js";
import { clients } from "./views/clients.js";
import { moneyPage } from "./views/money.js";
import { meDetail } from "./views/desktop.js";

// Pages: path, title, view, the module (Add/Remove Features) it belongs to,
// and whether the nav shows it to this person.
const pages = [
  { path: "me", title: "Me", view: meDashboard, shown: () => true },
  { path: "team", title: "Team", view: teamDashboard, shown: () => can("View Team Dashboard") },
  { path: "screenshots", title: "Screenshots", view: gallery, shown: () => can("View Screenshots") },
  { path: "timesheets", title: "Timesheets", view: timesheets, shown: () => can("View Timesheets") },
  { path: "reports", title: "Reports", view: reports, shown: () => can("Generate Reports") },
  { path: "timeoff", module: "time_off", title: "Time off", view: timeOff, shown: () => can("Approve/Request Time Off Requests") || can("Edit Time Off Balances") || can("Add Time Off Policies") },
  { path: "schedules", module: "schedules", title: "Schedules", view: schedules, shown: () => can("View Schedules") },
  { path: "locations", module: "job_sites", title: "Locations", view: locations, shown: () => can("View Locations") },
  { path: "projects", title: "Projects", view: projects, shown: () => can("View Projects") },
  { path: "tasks", title: "Tasks", view: tasks, shown: () => can("View Projects") },
  { path: "clients", title: "Clients", view: clients, shown: () => can("Edit Clients") || can("Add Clients") },
  { path: "jobsites", module: "job_sites", title: "Job sites", view: jobSites, shown: () => true },
  { path: "workorders", module: "work_orders", title: "Work orders", view: workOrders, shown: () => true },
  { path: "members", title: "Members", view: members, shown: () => can("View Organization Members") || can("Invite Users") },
  { path: "teams", title: "Teams", view: teams, shown: () => can("Manage Teams") || (session.me?.teams || []).length > 0 },
  { path: "money", title: "Money", view: moneyPage, shown: () => ["Manage Pay/Bill Rates", "View Client Invoices", "Create Client Invoices", "View Team Invoices", "Create Team Invoices", "Manage Payroll", "View Past Team Payments"].some(can) },
  { path: "integrations", module: "integrations", title: "Integrations", view: integrations, shown: () => can("Change Integration Settings") || can("Add integration") },
  { path: "summaries", title: "Summaries", view: summaries, shown: () => can("Receive Work Summary Emails") },
  { path: "settings", title: "Settings", view: settings, shown: () => can("Edit Organization") || can("Change Organization Settings") },
  { path: "organization", title: "Organization", view: organization, shown: () => ["Billing", "Add/Remove Features", "Leave Organization", "Archive Organization", "Restore Organization"].some(can) },
  { path: "audit", title: "Audit log", view: auditLog, shown: () => can("Edit Organization") },
];

// visible: the page's module is on and the person reaches something on it.
function visible(page) {
  return (!page.module || moduleOn(page.module)) && page.shown();
}

// Pages reachable without an organization, or without signing in.
const open = { signin: signIn, signup: signUp, join };
const orgless = { "orgs/new": newOrg };
const detail = { projects: project, teams: team, me: meDetail };

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path || "", params: new URLSearchParams(query || "") };
}

function header(current) {
  const top = document.getElementById("top");
  top.replaceChildren();
  top.append(h("a", { class: "brand", href: "#/me" }, "Tock"));
  if (!signedIn()) return;
  if (session.org) {
    const nav = h("nav", { "aria-label": "Main" },
      h("ul", {}, pages.filter(visible).map((p) =>
        h("li", {}, h("a", { href: `#/${p.path}`, "aria-current": current === p.path ? "page" : false }, p.title)))));
    top.append(nav);
  }
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
  const who = pb.authStore.record;
  top.append(h("div", { class: "account" }, switcher,
    h("span", { class: "who" }, who.name || who.email),
    h("button", { type: "button", class: "link", onclick: () => { signOut(); go("signin"); } }, "Sign out")));
}

let rendering = 0;

export async function render() {
  const ticket = ++rendering;
  const { path, params } = parseHash();
  const [head, id] = path.split("/");
  const view = document.getElementById("view");
  try {
    if (open[head]) {
      header(head);
      return show(ticket, await open[head]({ id, params, render }));
    }
    if (!signedIn()) return go("signin");
    if (!session.me && session.orgs.length === 0) await loadOrgs(params.get("org"));
    if (orgless[path]) {
      header(path);
      return show(ticket, await orgless[path]({ params, render }));
    }
    if (!session.org) return go("orgs/new");
    const page = pages.find((p) => p.path === head) || pages[0];
    if (!visible(page)) return go("me");
    header(page.path);
    const build = id && detail[head] ? detail[head] : page.view;
    show(ticket, await build({ id, params, render }));
  } catch (err) {
    if (err?.status === 401) {
      signOut();
      return go("signin");
    }
    view.replaceChildren(h("h1", {}, "Something went wrong"), h("p", {}, errorText(err)));
    say(errorText(err), "error");
  }
}

// show swaps the view in, unless a newer navigation has started meanwhile,
// and moves focus to its heading for keyboard and screen-reader users.
function show(ticket, node) {
  if (ticket !== rendering) return;
  const view = document.getElementById("view");
  view.replaceChildren(node);
  document.title = `${view.querySelector("h1")?.textContent || "Tock"} · Tock`;
  view.querySelector("h1")?.setAttribute("tabindex", "-1");
  view.querySelector("h1")?.focus({ preventScroll: true });
}

window.addEventListener("hashchange", render);
render();

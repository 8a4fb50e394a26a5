// The Me and Team dashboards.
import { pb, session, nameOf, userId, can } from "../api.js";
import { h, duration, clock, q } from "../ui.js";
import { projectNames, activity } from "../lib/data.js";
import { thumbnail } from "../lib/thumbnail.js";

function stat(label, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "label" }, label), h("strong", {}, value), hint ? h("small", {}, hint) : null);
}

// dayQuery passes a page's ?day= (another day than today) on to the server.
function dayQuery(params) {
  return params?.get("day") ? `?${new URLSearchParams({ day: params.get("day") })}` : "";
}

export async function meDashboard({ params } = {}) {
  const d = await pb.send(`/api/tock/orgs/${session.org.id}/dashboard/me${dayQuery(params)}`, {});
  const names = await projectNames();
  let recent = [];
  if (can("View Screenshots")) {
    const res = await pb.collection("screenshots").getList(1, 6, { filter: `user = ${q(userId())}`, sort: "-taken_at", skipTotal: true });
    recent = res.items;
  }
  return h("section", {},
    h("h1", {}, `Hello, ${nameOf(userId())}`),
    h("p", { class: "muted" }, `${session.org.name} · your role: ${session.me.role}`),
    h("p", { id: "me-links" }, h("a", { href: "#/me/desktop" }, "Get the desktop app"), " · ", h("a", { href: "#/me/records" }, "What Tock records")),
    h("div", { class: "stats" },
      stat("Today", duration(d.today.tracked_seconds)),
      stat("This week", duration(d.this_week.tracked_seconds)),
      stat("Activity today", activity(totals(d.today))),
      stat("Activity this week", activity(totals(d.this_week)))),
    h("h2", {}, "This week by project"),
    d.projects.length === 0 ? h("p", { class: "muted" }, "No time tracked this week. Start `tock agent` on your computer to track time.") :
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Project"), h("th", {}, "Time"), h("th", {}, "Manual"))),
        h("tbody", {}, d.projects.map((p) => h("tr", {}, h("td", {}, names.get(p.project) || "—"), h("td", {}, duration(p.tracked_seconds)),
          h("td", {}, p.manual_seconds ? duration(p.manual_seconds) : ""))))),
    recent.length ? [
      h("h2", {}, "Recent screenshots"),
      h("div", { class: "shots" }, recent.map((s) => thumbnail(s))),
      h("p", {}, h("a", { href: `#/screenshots?user=${userId()}` }, "All my screenshots")),
    ] : null);
}

// totals reads the server's seconds the way sums() (lib/data.js) adds up slots.
function totals(t) {
  return { tracked: t.tracked_seconds, active: t.active_seconds, manual: t.manual_seconds };
}

export async function teamDashboard({ params } = {}) {
  const tz = session.org.timezone;
  const [d, names] = await Promise.all([pb.send(`/api/tock/orgs/${session.org.id}/dashboard/team${dayQuery(params)}`, {}), projectNames()]);
  const rows = d.members.map((m) => ({ ...m, ...totals(m) }))
    .sort((a, b) => (b.working - a.working) || nameOf(a.user).localeCompare(nameOf(b.user)));
  const working = rows.filter((r) => r.working).length;
  return h("section", {},
    h("h1", {}, "Team dashboard"),
    h("p", { class: "muted" }, d.day),
    h("div", { class: "stats" },
      stat("Working now", String(working)),
      stat("Worked today", String(rows.length)),
      stat("Time today", duration(rows.reduce((n, r) => n + r.tracked, 0)))),
    rows.length === 0 ? h("p", { class: "muted" }, "Nobody you can see has tracked time today.") :
      h("div", { class: "scroll" }, h("table", { id: "team-table" },
        h("thead", {}, h("tr", {}, ["Member", "Status", "Project", "Last activity", "Today", "Activity"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rows.map((r) => h("tr", {},
          h("td", {}, h("a", { href: `#/screenshots?user=${r.user}` }, nameOf(r.user))),
          h("td", {}, h("span", { class: r.working ? "badge on" : "badge" }, r.working ? "Working" : "Away")),
          h("td", {}, names.get(r.last_project) || "—"),
          h("td", {}, clock(Date.parse(r.last_slot), tz)),
          h("td", {}, duration(r.tracked)),
          h("td", {}, activity(r))))))));
}

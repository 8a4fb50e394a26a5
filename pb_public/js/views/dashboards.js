// The Me and Team dashboards.
import { pb, session, nameOf, byName, userId, can } from "../api.js";
import { h, errorText, duration, clock, q, dayStart, dayOf, addDays, weekday, weekOf } from "../ui.js";
import { projectNames, activity } from "../lib/data.js";
import { thumbnail } from "../lib/thumbnail.js";
import { stackedBars, hbars, timelines } from "../lib/chart.js";

function stat(label, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "label" }, label), h("strong", {}, value), hint ? h("small", {}, hint) : null);
}

// dayQuery passes a page's ?day= (another day than today) on to the server.
function dayQuery(params) {
  return params?.get("day") ? `?${new URLSearchParams({ day: params.get("day") })}` : "";
}

export async function meDashboard({ params } = {}) {
  const day = params?.get("day") || dayOf(Date.now(), session.org.timezone);
  const monday = weekOf(day);
  // Everything at once: the page waits for its slowest request only.
  const [d, names, week, apps, recent] = await Promise.all([
    pb.send(`/api/tock/orgs/${session.org.id}/dashboard/me${dayQuery(params)}`, {}),
    projectNames(),
    weekReport(monday, day, userId()),
    topApps(monday, day, userId()),
    can("View Screenshots") ?
      pb.collection("screenshots").getList(1, 6, { filter: `user = ${q(userId())}`, sort: "-taken_at", skipTotal: true }).then((r) => r.items) : [],
  ]);
  return h("section", {},
    h("h1", {}, `Hello, ${nameOf(userId())}`),
    h("p", { class: "muted" }, `${session.org.name} · your role: ${session.me.role}`),
    h("p", { id: "me-links" }, h("a", { href: "#/me/desktop" }, "Get the desktop app"), " · ", h("a", { href: "#/me/records" }, "What Tock records")),
    h("div", { class: "stats" },
      stat("Today", duration(d.today.tracked_seconds)),
      stat("This week", duration(d.this_week.tracked_seconds)),
      stat("Activity today", activity(totals(d.today))),
      stat("Activity this week", activity(totals(d.this_week)))),
    week.length ? h("div", { class: "charts" }, weekCharts("me", week, days(monday, day))) : null,
    apps,
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
  const day = params?.get("day") || dayOf(Date.now(), tz);
  const monday = weekOf(day);
  const [d, names, week, apps] = await Promise.all([
    pb.send(`/api/tock/orgs/${session.org.id}/dashboard/team${dayQuery(params)}`, {}),
    projectNames(),
    weekReport(monday, day),
    topApps(day, day),
  ]);
  const rows = d.members.map((m) => ({ ...m, ...totals(m) }))
    .sort((a, b) => (b.working - a.working) || byName(a.user, b.user));
  const working = rows.filter((r) => r.working).length;
  return h("section", {},
    h("h1", {}, "Team dashboard"),
    h("p", { class: "muted" }, d.day),
    h("div", { class: "stats" },
      stat("Working now", String(working)),
      // Someone at work since before midnight is listed with no time yet today.
      stat("Worked today", String(rows.filter((r) => r.tracked > 0).length)),
      stat("Time today", duration(rows.reduce((n, r) => n + r.tracked, 0)))),
    rows.length ? dayTimelines(rows, day) : null,
    week.length ? h("div", { class: "charts" }, weekCharts("team", week, days(monday, day))) : null,
    apps,
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

// days lists the days from first to last, "YYYY-MM-DD".
function days(first, last) {
  const out = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

// weekReport is the time report of the days first to last by day and
// project (one member's, or everyone's one may see): the server attributes
// slots to days as every total of Tock does. "Generate Reports" reaches at
// least what the dashboards show (one's own; the assigned projects and led
// teams for the Team dashboard's managers and leads).
async function weekReport(first, last, user) {
  if (!can("Generate Reports")) return [];
  const query = new URLSearchParams({ from: first, to: last, group: "day,project", format: "json" });
  if (user) query.set("user", user);
  return (await pb.send(`/api/tock/orgs/${session.org.id}/reports?${query}`, {})).rows;
}

// weekCharts: hours per day stacked by project, and activity % per day
// (active over the agent's time: manual time has no input to measure).
function weekCharts(prefix, rows, dayList) {
  const index = new Map(dayList.map((d, i) => [d, i]));
  const byProject = new Map();
  const agent = dayList.map(() => 0), active = dayList.map(() => 0);
  for (const r of rows) {
    const i = index.get(r.date);
    if (i === undefined) continue;
    if (!byProject.has(r.project)) byProject.set(r.project, dayList.map(() => 0));
    byProject.get(r.project)[i] += r.tracked_seconds / 3600;
    agent[i] += r.tracked_seconds - r.manual_seconds;
    active[i] += r.active_seconds;
  }
  const series = [...byProject].sort((a, b) => sum(b[1]) - sum(a[1]))
    .map(([name, values]) => ({ name: name || "No project", values }));
  const labels = dayList.map(weekday);
  const pct = agent.map((a, i) => (a > 0 ? (100 * active[i]) / a : 0));
  return [
    stackedBars({ id: `${prefix}-hours`, title: "Hours per day", labels, series }),
    stackedBars({ id: `${prefix}-activity`, title: "Activity per day", labels, series: [{ name: "Activity", values: pct }], percent: true }),
  ];
}

function sum(values) {
  return values.reduce((n, v) => n + v, 0);
}

// dayTimelines: each member's day across 24 hours, in the table's order,
// from the slots the dashboard brings.
function dayTimelines(members, day) {
  const rows = members.map((m) => ({
    name: nameOf(m.user),
    slots: m.slots.map((sl) => ({ start: Date.parse(sl.start), tracked: sl.tracked_seconds, active: sl.active_seconds, manual: sl.manual })),
  }));
  return timelines({ id: "team-timeline", title: `The day of each member, ${day}`, rows, dayStart: dayStart(day, session.org.timezone) });
}

// topApps: the apps used most from first to last (days), everyone's one may
// see or one member's, when "View Apps" allows; null otherwise.
async function topApps(first, last, user) {
  if (!can("View Apps")) return null;
  const query = new URLSearchParams({ from: first, to: last, by: "app" });
  if (user) query.set("user", user);
  let rep;
  try {
    rep = await pb.send(`/api/tock/orgs/${session.org.id}/reports/apps?${query}`, {});
  } catch (err) {
    // The page stands without its top apps.
    return h("p", { class: "muted" }, `Top apps unavailable: ${errorText(err)}`);
  }
  const byName = new Map();
  for (const r of rep.rows) byName.set(r.name, (byName.get(r.name) || 0) + r.seconds);
  const rows = [...byName].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  if (!rows.length) return null;
  const title = first === last ? `Top apps, ${first}` : `Top apps, ${first} to ${last}`;
  return [hbars({ id: user ? "me-apps" : "team-apps", title, rows }),
    h("p", {}, h("a", { href: `#/apps?${new URLSearchParams({ from: first, to: last, ...(user ? { user } : {}) })}` }, "Apps & URLs report"))];
}

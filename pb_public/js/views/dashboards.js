// The Me and Team dashboards.
import { pb, session, nameOf, userId, can } from "../api.js";
import { h, duration, clock, q, dayStart, dayOf, addDays, weekday, weekOf, parseDate } from "../ui.js";
import { projectNames, activity, activitiesSince, sums } from "../lib/data.js";
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
  const tz = session.org.timezone;
  const d = await pb.send(`/api/tock/orgs/${session.org.id}/dashboard/me${dayQuery(params)}`, {});
  const [names, slots, apps, recent] = await Promise.all([
    projectNames(),
    activitiesSince(dayStart(d.week, tz), userId(), dayStart(addDays(d.day, 1), tz)),
    topApps(d.week, d.day, userId()),
    can("View Screenshots") ?
      pb.collection("screenshots").getList(1, 6, { filter: `user = ${q(userId())}`, sort: "-taken_at", skipTotal: true }).then((r) => r.items) : [],
  ]);
  return h("section", {},
    h("h1", {}, `Hello, ${nameOf(userId())}`),
    h("p", { class: "muted" }, `${session.org.name} · your role: ${session.me.role}`),
    h("div", { class: "stats" },
      stat("Today", duration(d.today.tracked_seconds)),
      stat("This week", duration(d.this_week.tracked_seconds)),
      stat("Activity today", activity(totals(d.today))),
      stat("Activity this week", activity(totals(d.this_week)))),
    slots.length ? h("div", { class: "charts" }, weekCharts("me", slots, days(d.week, d.day), names)) : null,
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
  const [d, names] = await Promise.all([pb.send(`/api/tock/orgs/${session.org.id}/dashboard/team${dayQuery(params)}`, {}), projectNames()]);
  const monday = weekOf(d.day);
  const [slots, apps] = await Promise.all([
    activitiesSince(dayStart(monday, tz), null, dayStart(addDays(d.day, 1), tz)),
    topApps(d.day, d.day),
  ]);
  const today = slots.filter((sl) => dayOf(parseDate(sl.slot_start), tz) === d.day);
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
    today.length ? dayTimelines(today, d.day, rows.map((r) => r.user)) : null,
    slots.length ? h("div", { class: "charts" }, weekCharts("team", slots, days(monday, d.day), names)) : null,
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

// weekCharts: hours per day stacked by project, and activity % per day, of
// the slots given (a day is the organization's, as everywhere).
function weekCharts(prefix, slots, dayList, names) {
  const tz = session.org.timezone;
  const index = new Map(dayList.map((d, i) => [d, i]));
  const perDay = dayList.map(() => []);
  const byProject = new Map();
  for (const sl of slots) {
    const i = index.get(dayOf(parseDate(sl.slot_start), tz));
    if (i === undefined) continue;
    perDay[i].push(sl);
    if (!byProject.has(sl.project)) byProject.set(sl.project, dayList.map(() => 0));
    byProject.get(sl.project)[i] += sl.tracked_seconds / 3600;
  }
  const series = [...byProject].sort((a, b) => sum(b[1]) - sum(a[1]))
    .map(([p, values]) => ({ name: names.get(p) || "No project", values }));
  const labels = dayList.map(weekday);
  const pct = perDay.map((list) => {
    const x = sums(list);
    return x.tracked - x.manual > 0 ? (100 * x.active) / (x.tracked - x.manual) : 0;
  });
  return [
    stackedBars({ id: `${prefix}-hours`, title: "Hours per day", labels, series }),
    stackedBars({ id: `${prefix}-activity`, title: "Activity per day", labels, series: [{ name: "Activity", values: pct }], percent: true }),
  ];
}

function sum(values) {
  return values.reduce((n, v) => n + v, 0);
}

// dayTimelines: each member's day across 24 hours, in the table's order.
function dayTimelines(slots, day, order) {
  const byUser = new Map(order.map((u) => [u, []]));
  for (const sl of slots) {
    if (!byUser.has(sl.user)) byUser.set(sl.user, []);
    byUser.get(sl.user).push({ start: parseDate(sl.slot_start), tracked: sl.tracked_seconds, active: sl.active_seconds, manual: sl.source === "manual" });
  }
  const rows = [...byUser].filter(([, list]) => list.length).map(([u, list]) => ({ name: nameOf(u), slots: list }));
  return timelines({ id: "team-timeline", title: `The day of each member, ${day}`, rows, dayStart: dayStart(day, session.org.timezone) });
}

// topApps: the apps used most from first to last (days), everyone's one may
// see or one member's, when "View Apps" allows; null otherwise.
async function topApps(first, last, user) {
  if (!can("View Apps")) return null;
  const query = new URLSearchParams({ from: first, to: last, by: "app" });
  if (user) query.set("user", user);
  const rep = await pb.send(`/api/tock/orgs/${session.org.id}/reports/apps?${query}`, {});
  const byName = new Map();
  for (const r of rep.rows) byName.set(r.name, (byName.get(r.name) || 0) + r.seconds);
  const rows = [...byName].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  if (!rows.length) return null;
  const title = first === last ? `Top apps, ${first}` : `Top apps, ${first} to ${last}`;
  return [hbars({ id: user ? "me-apps" : "team-apps", title, rows }),
    h("p", {}, h("a", { href: `#/apps?${new URLSearchParams({ from: first, to: last, ...(user ? { user } : {}) })}` }, "Apps & URLs report"))];
}

// Timesheets: a week of tracked time per member and project.
import { pb, session, nameOf, byName, userId, can, moduleOn } from "../api.js";
import { h, field, select, duration, dayOf, addDays, weekOf, weekday, go, csv, download } from "../ui.js";
import { projectNames, projectOrder, activity } from "../lib/data.js";
import { manualTimeForm, requests, approval, breaks } from "./time.js";
import { openEntries } from "./entries.js";

export async function timesheets({ params, render }) {
  const tz = session.org.timezone;
  const week = weekOf(params.get("week") || dayOf(Date.now(), tz));
  const user = params.get("user") || "";
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(week, i));
  const query = new URLSearchParams({ from: week, to: addDays(week, 6), group: "member,project,day" });
  if (user) query.set("user", user);
  const [report, names, off] = await Promise.all([
    pb.send(`/api/tock/orgs/${session.org.id}/reports?${query}`, {}),
    projectNames(),
    holidays(days, user),
  ]);

  // rows keyed by member and project, each with seconds per weekday. The
  // days are the server's, as in reports and pay: a slot across local
  // midnight is split between the two days. Tracked includes manual time.
  const rows = new Map();
  for (const x of report.rows) {
    const key = `${x.member_id}/${x.project_id}`;
    const r = rows.get(key) || { user: x.member_id, project: x.project_id, days: days.map(() => 0), tracked: 0, active: 0, manual: 0 };
    const i = days.indexOf(x.date);
    if (i >= 0) r.days[i] += x.tracked_seconds;
    r.tracked += x.tracked_seconds;
    r.active += x.active_seconds;
    r.manual += x.manual_seconds;
    rows.set(key, r);
  }
  const byProject = projectOrder(names);
  const list = [...rows.values()].sort((a, b) => byName(a.user, b.user) || byProject(a.project, b.project));
  const totals = days.map((_, i) => list.reduce((n, r) => n + r.days[i], 0));

  const nav = (u, w) => go(`timesheets?${new URLSearchParams({ user: u, week: w })}`);
  const exportCSV = () => download(`timesheet-${week}.csv`, csv([
    ["Member", "Project", ...days, "Total (h:mm)", "Manual (h:mm)", "Activity"],
    ...list.map((r) => [nameOf(r.user), names.get(r.project) || r.project, ...r.days.map(duration), duration(r.tracked), duration(r.manual), activity(r)]),
  ]));

  // A person who sees only their own time has one timesheet to approve: theirs.
  const scope = session.me.features["View Timesheets"];
  const onlyMine = !scope.all && !scope.projects.length && !scope.users.length && !scope.teams.length;
  const today = dayOf(Date.now(), tz);
  return h("section", {},
    h("h1", {}, "Timesheets"),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Member", select("user", [["", "Everyone I can see"], ...[...session.people.values()].map((p) => [p.id, p.name])], user, { onchange: (e) => nav(e.target.value, week) })),
      field("Week of", h("input", { type: "date", name: "week", value: week, onchange: (e) => e.target.value && nav(user, e.target.value) })),
      h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(week, -7)) }, "← Previous week"),
      h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(week, 7)) }, "Next week →"),
      h("button", { type: "button", class: "secondary", onclick: exportCSV, disabled: list.length === 0 }, "Export CSV")),
    list.length === 0 ? h("p", { class: "muted" }, "No time you may see in this week.") :
      h("div", { class: "scroll" }, h("table", { id: "timesheet" },
        h("thead", {}, h("tr", {}, h("th", {}, "Member"), h("th", {}, "Project"), days.map((d) => h("th", { class: off.has(d) ? "num holiday" : "num", "data-day": d }, weekday(d), off.has(d) ? h("small", {}, off.get(d)) : null)), h("th", { class: "num" }, "Total"), h("th", { class: "num" }, "Manual"), h("th", { class: "num" }, "Activity"))),
        h("tbody", {}, list.map((r) => h("tr", {},
          h("td", {}, nameOf(r.user)), h("td", {}, names.get(r.project) || "—"),
          r.days.map((s, i) => h("td", { class: "num" }, s ? cell(r, days[i], s, names, render) : "")),
          h("td", { class: "num" }, h("strong", {}, duration(r.tracked))),
          h("td", { class: "num" }, r.manual ? duration(r.manual) : ""),
          h("td", { class: "num" }, activity(r))))),
        h("tfoot", {}, h("tr", {}, h("th", { colspan: 2 }, "Total"), totals.map((s) => h("th", { class: "num" }, duration(s))),
          h("th", { class: "num" }, duration(totals.reduce((a, b) => a + b, 0))), h("th", { class: "num" }, duration(list.reduce((n, r) => n + r.manual, 0))), h("th", {}))))),
    await breaks(user || (onlyMine ? userId() : ""), week, addDays(week, 6)),
    await approval(user || (onlyMine ? userId() : ""), week, render),
    can("Add/Edit/Delete Time") ? manualTimeForm(names, days.includes(today) ? today : week, user, render) : null,
    await requests(names, render));
}

// holidays maps the week's holidays to their names: those of everyone, and
// the chosen member's own.
async function holidays(days, user) {
  if (!moduleOn("time_off")) return new Map();
  const policies = await pb.collection("holiday_policies").getFullList({ batch: 500 });
  const out = new Map();
  for (const p of policies) {
    if (!p.all_members && !(user && (p.members || []).includes(user))) continue;
    for (const d of p.holidays || []) {
      if (days.includes(d.date)) out.set(d.date, out.has(d.date) ? `${out.get(d.date)}, ${d.name}` : d.name);
    }
  }
  return out;
}

// cell is a day's time of one member in one project: a button that opens
// the entries behind it (views/entries.js).
function cell(r, day, seconds, names, render) {
  const projectName = names.get(r.project) || "—";
  return h("button", {
    type: "button", class: "link cell", "data-day": day,
    "aria-label": `${duration(seconds)}: entries of ${nameOf(r.user)} in ${projectName} on ${weekday(day)}`,
    onclick: (e) => openEntries({
      user: r.user, project: r.project, day, projectName, names, from: e.currentTarget, render,
      addTime: document.getElementById("manual-time") ? () => prefill(r, day) : null,
    }),
  }, duration(seconds));
}

// prefill points the Add time form at a cell's member, project and day.
function prefill(r, day) {
  const form = document.getElementById("manual-time");
  for (const [name, value] of [["user", r.user], ["project", r.project], ["day", day]]) {
    const el = form.elements[name];
    if (el && el.type !== "hidden" && [...(el.options || [{ value }])].some((o) => o.value === value)) el.value = value;
  }
  form.scrollIntoView({ block: "center" });
  form.elements.from.focus();
}

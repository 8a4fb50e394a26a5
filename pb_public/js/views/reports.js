// Reports: time and activity grouped by member, project, task and day, with CSV export.
import { pb, session } from "../api.js";
import { h, field, select, action, duration, dayOf, weekOf, go, download } from "../ui.js";
import { projectNames } from "../lib/data.js";
import { stackedBars } from "../lib/chart.js";

const groups = [["member", "Member"], ["project", "Project"], ["task", "Task"], ["day", "Day"]];

function reportURL(params, format) {
  const q = new URLSearchParams(params);
  q.set("format", format);
  return `/api/tock/orgs/${session.org.id}/reports?${q}`;
}

export async function reports({ params }) {
  const tz = session.org.timezone;
  const today = dayOf(Date.now(), tz);
  const query = {
    from: params.get("from") || weekOf(today),
    to: params.get("to") || today,
    group: params.get("group") || "member,day",
  };
  if (params.get("user")) query.user = params.get("user");
  if (params.get("project")) query.project = params.get("project");
  const chosen = query.group.split(",");
  const names = await projectNames();
  const report = await pb.send(reportURL(query, "json"), {});

  const form = h("form", {
    class: "toolbar", id: "report-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const next = { from: d.get("from"), to: d.get("to"), group: d.getAll("group").join(",") || "member" };
      if (d.get("user")) next.user = d.get("user");
      if (d.get("project")) next.project = d.get("project");
      go(`reports?${new URLSearchParams(next)}`);
    },
  },
  field("From", h("input", { type: "date", name: "from", value: query.from, required: true })),
  field("To", h("input", { type: "date", name: "to", value: query.to, required: true })),
  field("Member", select("user", [["", "Everyone I can see"], ...[...session.people.values()].map((p) => [p.id, p.name])], query.user || "")),
  field("Project", select("project", [["", "All projects"], ...names], query.project || "")),
  h("fieldset", { class: "row" }, h("legend", {}, "Group by"),
    groups.map(([g, label]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "group", value: g, checked: chosen.includes(g) }), label))),
  h("button", { type: "submit" }, "Run report"),
  h("button", {
    type: "button", class: "secondary", id: "report-csv",
    onclick: () => action(async () => {
      const res = await fetch(reportURL(query, "csv"), { headers: { Authorization: pb.authStore.token } });
      if (!res.ok) throw new Error(`CSV export: ${res.status}`);
      download(`tock-report-${query.from}-${query.to}.csv`, await res.text());
    }),
  }, "Download CSV"));

  const cols = [];
  if (chosen.includes("day")) cols.push(["Day", (r) => r.date]);
  if (chosen.includes("member")) cols.push(["Member", (r) => r.member]);
  if (chosen.includes("project")) cols.push(["Project", (r) => r.project]);
  if (chosen.includes("task")) cols.push(["Task", (r) => r.task || "—"]);
  const nums = [
    ["Tracked", (r) => duration(r.tracked_seconds)],
    ["Manual", (r) => duration(r.manual_seconds)],
    ["Activity", (r) => (r.tracked_seconds > r.manual_seconds ? `${Math.round(r.activity_percent)}%` : "–")],
    ["Breaks", (r) => duration(r.break_seconds)],
  ];
  const t = report.totals;
  return h("section", {},
    h("h1", {}, "Reports"),
    form,
    report.rows.length === 0 ? h("p", { class: "muted" }, "No time you may see in this range.") : reportChart(report.rows, chosen),
    report.rows.length === 0 ? null :
      h("div", { class: "scroll" }, h("table", { id: "report" },
        h("thead", {}, h("tr", {}, cols.map(([c]) => h("th", {}, c)), nums.map(([c]) => h("th", { class: "num" }, c)))),
        h("tbody", {}, report.rows.map((r) => h("tr", {}, cols.map(([, f]) => h("td", {}, f(r))), nums.map(([, f]) => h("td", { class: "num" }, f(r)))))),
        h("tfoot", {}, h("tr", {}, h("th", { colspan: cols.length }, "Total"), nums.map(([, f]) => h("th", { class: "num" }, f(t))))))),
    h("p", { class: "muted" }, `Days in ${tz}. Activity is seconds with keyboard or mouse input over tracked seconds.`));
}

// reportChart draws the report's hours as it is grouped: days along the axis
// when grouped by day (else the first grouping), stacked by the other
// groupings; past seven stacks the smallest are one "Other".
function reportChart(rows, chosen) {
  const label = { day: (r) => r.date, member: (r) => r.member, project: (r) => r.project || "No project", task: (r) => r.task || "No task" };
  const axis = chosen.includes("day") ? "day" : chosen[0];
  const stack = chosen.filter((g) => g !== axis);
  const labels = [...new Set(rows.map(label[axis]))];
  if (axis === "day") labels.sort();
  const at = new Map(labels.map((l, i) => [l, i]));
  const bySeries = new Map();
  for (const r of rows) {
    const name = stack.map((g) => label[g](r)).join(" · ") || "Tracked";
    if (!bySeries.has(name)) bySeries.set(name, labels.map(() => 0));
    bySeries.get(name)[at.get(label[axis](r))] += r.tracked_seconds / 3600;
  }
  const total = (v) => v.reduce((n, x) => n + x, 0);
  let series = [...bySeries].map(([name, values]) => ({ name, values })).sort((a, b) => total(b.values) - total(a.values));
  if (series.length > 8) {
    const other = labels.map((_, i) => series.slice(7).reduce((n, sr) => n + sr.values[i], 0));
    series = [...series.slice(0, 7), { name: "Other", values: other }];
  }
  const by = stack.length ? ` by ${stack.join(" and ")}` : "";
  return stackedBars({ id: "report-chart", title: `Hours per ${axis}${by}`, labels, series });
}

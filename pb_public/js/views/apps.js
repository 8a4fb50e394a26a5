// The apps and URLs report: time by app, or by web site, per member and
// project over a range, as "View Apps" and "View URLs" allow, with CSV.
import { pb, session, can } from "../api.js";
import { h, field, select, action, duration, dayOf, weekOf, go, download } from "../ui.js";
import { projectNames } from "../lib/data.js";
import { hbars } from "../lib/chart.js";

function appsURL(query, format) {
  const q = new URLSearchParams(query);
  q.set("format", format);
  return `/api/tock/orgs/${session.org.id}/reports/apps?${q}`;
}

export async function appsReport({ params }) {
  const today = dayOf(Date.now(), session.org.timezone);
  // What one may add up: apps as "View Apps" allows, web sites as "View URLs" does.
  const allowed = { app: can("View Apps"), domain: can("View URLs") };
  const kinds = [["app", "Apps"], ["domain", "Web sites"]].filter(([k]) => allowed[k]);
  const query = {
    from: params.get("from") || weekOf(today),
    to: params.get("to") || today,
    by: kinds.some(([k]) => k === params.get("by")) ? params.get("by") : kinds[0][0],
  };
  for (const k of ["user", "project"]) if (params.get(k)) query[k] = params.get(k);
  const [names, rep] = await Promise.all([projectNames(), pb.send(appsURL(query, "json"), {})]);

  const form = h("form", {
    class: "toolbar", id: "apps-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const next = Object.fromEntries([...d].filter(([, v]) => v));
      go(`apps?${new URLSearchParams(next)}`);
    },
  },
  field("Show", select("by", kinds, query.by)),
  field("From", h("input", { type: "date", name: "from", value: query.from, required: true })),
  field("To", h("input", { type: "date", name: "to", value: query.to, required: true })),
  field("Member", select("user", [["", "Everyone I can see"], ...[...session.people.values()].map((p) => [p.id, p.name])], query.user || "")),
  field("Project", select("project", [["", "All projects"], ...names], query.project || "")),
  h("button", { type: "submit" }, "Run report"),
  h("button", {
    type: "button", class: "secondary", id: "apps-csv",
    onclick: () => action(async () => {
      const res = await fetch(appsURL(query, "csv"), { headers: { Authorization: pb.authStore.token } });
      if (!res.ok) throw new Error(`CSV export: ${res.status}`);
      download(`tock-${query.by}s-${query.from}-${query.to}.csv`, await res.text());
    }),
  }, "Download CSV"));

  const what = query.by === "app" ? "App" : "Web site";
  const byName = new Map();
  for (const r of rep.rows) byName.set(r.name, (byName.get(r.name) || 0) + r.seconds);
  const top = [...byName].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds).slice(0, 10);
  return h("section", {},
    h("h1", {}, "Apps & URLs"),
    form,
    rep.rows.length === 0 ? h("p", { class: "muted", id: "apps-empty" }, "No app time you may see in this range.") : [
      hbars({ id: "apps-chart", title: `${what}s used most, ${query.from} to ${query.to}`, rows: top }),
      h("div", { class: "scroll" }, h("table", { id: "apps-report" },
        h("thead", {}, h("tr", {}, [what, "Member", "Project"].map((c) => h("th", {}, c)), h("th", { class: "num" }, "Time"), h("th", { class: "num" }, "Share"))),
        h("tbody", {}, rep.rows.map((r) => h("tr", {},
          h("td", {}, r.name), h("td", {}, r.member), h("td", {}, r.project || "—"),
          h("td", { class: "num", "data-seconds": r.seconds }, duration(r.seconds)),
          h("td", { class: "num" }, `${Math.round((100 * r.seconds) / rep.total_seconds)}%`)))),
        h("tfoot", {}, h("tr", {}, h("th", { colspan: 3 }, "Total"), h("th", { class: "num" }, duration(rep.total_seconds)), h("th", {}, ""))))),
    ],
    h("p", { class: "muted" }, `Days in ${rep.timezone}. A web site is the host name of the pages the agent recorded.`));
}

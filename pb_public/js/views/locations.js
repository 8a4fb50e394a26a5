// Locations: what members' phones record while they track time, a week at a time.
import { pb, session, nameOf, byName } from "../api.js";
import { h, field, go, q, dayOf, dayStart, addDays, weekOf, weekday, clock, parseDate, pbDate } from "../ui.js";

// locations is a week of recorded locations, member by day: how many points
// and between which times, for the people whose locations one may view.
export async function locations({ params }) {
  const tz = session.org.timezone;
  const week = weekOf(params.get("week") || dayOf(Date.now(), tz));
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(week, i));
  const points = await pb.collection("locations").getFullList({
    filter: `recorded_at >= ${q(pbDate(dayStart(week, tz)))} && recorded_at < ${q(pbDate(dayStart(addDays(week, 7), tz)))}`,
    sort: "recorded_at", fields: "user,recorded_at", batch: 1000,
  });
  const rows = new Map();
  for (const p of points) {
    const t = parseDate(p.recorded_at);
    const i = days.indexOf(dayOf(t, tz));
    if (i < 0) continue;
    const r = rows.get(p.user) || days.map(() => null);
    r[i] = r[i] ? { n: r[i].n + 1, first: r[i].first, last: t } : { n: 1, first: t, last: t };
    rows.set(p.user, r);
  }
  const users = [...rows.keys()].sort(byName);
  const nav = (w) => go(`locations?week=${w}`);
  return h("section", {},
    h("h1", {}, "Locations"),
    h("p", { class: "muted" }, "Recorded by members' phones while they track time; the desktop app records none."),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Week of", h("input", { type: "date", name: "week", value: week, onchange: (e) => e.target.value && nav(e.target.value) })),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, -7)) }, "← Previous week"),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, 7)) }, "Next week →")),
    users.length === 0 ? h("p", { class: "muted" }, "No locations you may see in this week.") :
      h("div", { class: "scroll" }, h("table", { id: "locations" },
        h("thead", {}, h("tr", {}, h("th", {}, "Member"), days.map((d) => h("th", {}, weekday(d))))),
        h("tbody", {}, users.map((u) => h("tr", { "data-user": u },
          h("td", {}, nameOf(u)),
          rows.get(u).map((c) => h("td", {}, c ? `${c.n} point${c.n === 1 ? "" : "s"}, ${clock(c.first, tz)}–${clock(c.last, tz)}` : ""))))))));
}

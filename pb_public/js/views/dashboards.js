// The Me and Team dashboards.
import { pb, session, nameOf, userId, image, can } from "../api.js";
import { h, duration, percent, dayStart, dayOf, weekOf, clock, pbDate, parseDate, q } from "../ui.js";

const slotFields = "id,user,project,task,slot_start,tracked_seconds,active_seconds,source";

export async function projectNames() {
  const list = await pb.collection("projects").getFullList({ fields: "id,name,archived", sort: "name", batch: 500 });
  return new Map(list.map((p) => [p.id, p.name]));
}

// activitiesSince lists the slots visible to the person from an instant on,
// optionally for one member; the server narrows the list to what they may see.
export function activitiesSince(from, user, until) {
  const terms = [`slot_start >= ${q(pbDate(from))}`];
  if (until) terms.push(`slot_start < ${q(pbDate(until))}`);
  if (user) terms.push(`user = ${q(user)}`);
  return pb.collection("activities").getFullList({ filter: terms.join(" && "), sort: "slot_start", fields: slotFields, batch: 1000 });
}

// sums adds up slots. Activity % leaves manual time out (there was no input
// to measure), as Hubstaff and Tock's reports do: activity(x) = active / agent time.
export function sums(slots) {
  let tracked = 0, active = 0, manual = 0;
  for (const s of slots) {
    tracked += s.tracked_seconds;
    active += s.active_seconds;
    if (s.source === "manual") manual += s.tracked_seconds;
  }
  return { tracked, active, manual };
}

export function activity(x) {
  return percent(x.active, x.tracked - x.manual);
}

function stat(label, value, hint) {
  return h("div", { class: "stat" }, h("span", { class: "label" }, label), h("strong", {}, value), hint ? h("small", {}, hint) : null);
}

export function thumbnail(shot, onOpen) {
  const img = h("img", { alt: `Screenshot of screen ${shot.screen + 1} at ${clock(parseDate(shot.taken_at), session.org.timezone)}`, width: 160, height: 100 });
  image(shot.id, true).then((url) => {
    // The decrypted bytes live only as long as the picture needs them.
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
  }, () => { img.alt += " (unavailable)"; });
  return onOpen ? h("button", { type: "button", class: "thumb", onclick: () => onOpen(shot) }, img) : img;
}

export async function meDashboard() {
  const tz = session.org.timezone;
  const today = dayOf(Date.now(), tz);
  const week = await activitiesSince(dayStart(weekOf(today), tz), userId());
  const todays = week.filter((s) => parseDate(s.slot_start) >= dayStart(today, tz));
  const t = sums(todays), w = sums(week);
  const names = await projectNames();

  const byProject = new Map();
  for (const s of week) byProject.set(s.project, (byProject.get(s.project) || 0) + s.tracked_seconds);

  let recent = [];
  if (can("View Screenshots")) {
    const res = await pb.collection("screenshots").getList(1, 6, { filter: `user = ${q(userId())}`, sort: "-taken_at", skipTotal: true });
    recent = res.items;
  }
  return h("section", {},
    h("h1", {}, `Hello, ${nameOf(userId())}`),
    h("p", { class: "muted" }, `${session.org.name} · your role: ${session.me.role}`),
    h("div", { class: "stats" },
      stat("Today", duration(t.tracked)),
      stat("This week", duration(w.tracked)),
      stat("Activity today", activity(t)),
      stat("Activity this week", activity(w))),
    h("h2", {}, "This week by project"),
    byProject.size === 0 ? h("p", { class: "muted" }, "No time tracked this week. Start `tock agent` on your computer to track time.") :
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Project"), h("th", {}, "Time"))),
        h("tbody", {}, [...byProject].map(([p, s]) => h("tr", {}, h("td", {}, names.get(p) || "—"), h("td", {}, duration(s)))))),
    recent.length ? [
      h("h2", {}, "Recent screenshots"),
      h("div", { class: "shots" }, recent.map((s) => thumbnail(s))),
      h("p", {}, h("a", { href: `#/screenshots?user=${userId()}` }, "All my screenshots")),
    ] : null);
}

export async function teamDashboard() {
  const tz = session.org.timezone;
  const start = dayStart(dayOf(Date.now(), tz), tz);
  const [slots, names] = await Promise.all([activitiesSince(start), projectNames()]);
  const people = new Map();
  for (const s of slots) {
    const p = people.get(s.user) || { slots: [], last: null };
    p.slots.push(s);
    if (!p.last || s.slot_start > p.last.slot_start) p.last = s;
    people.set(s.user, p);
  }
  // "Working now": a slot that began within the last twenty minutes,
  // since agents upload each 10-minute slot once it closes.
  const recently = Date.now() - 20 * 60 * 1000;
  const rows = [...people].map(([user, p]) => ({ user, ...sums(p.slots), last: p.last, now: parseDate(p.last.slot_start) >= recently }))
    .sort((a, b) => (b.now - a.now) || nameOf(a.user).localeCompare(nameOf(b.user)));
  const working = rows.filter((r) => r.now).length;
  return h("section", {},
    h("h1", {}, "Team dashboard"),
    h("div", { class: "stats" },
      stat("Working now", String(working)),
      stat("Worked today", String(rows.length)),
      stat("Time today", duration(rows.reduce((n, r) => n + r.tracked, 0)))),
    rows.length === 0 ? h("p", { class: "muted" }, "Nobody you can see has tracked time today.") :
      h("div", { class: "scroll" }, h("table", { id: "team-table" },
        h("thead", {}, h("tr", {}, ["Member", "Status", "Project", "Last activity", "Today", "Activity"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rows.map((r) => h("tr", {},
          h("td", {}, h("a", { href: `#/screenshots?user=${r.user}` }, nameOf(r.user))),
          h("td", {}, h("span", { class: r.now ? "badge on" : "badge" }, r.now ? "Working" : "Away")),
          h("td", {}, names.get(r.last.project) || "—"),
          h("td", {}, clock(parseDate(r.last.slot_start), tz)),
          h("td", {}, duration(r.tracked)),
          h("td", {}, activity(r))))))));
}

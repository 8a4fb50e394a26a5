// Schedules: a week of shifts (weekly repeats expanded by the server) with
// holidays as non-working days, adding and editing shifts, and the
// attendance of a day (on time, late, missed) computed from tracked time.
import { pb, session, nameOf, can, canOn } from "../api.js";
import { h, field, select, action, go, instant, clock, dayOf, addDays, weekOf, weekday, duration } from "../ui.js";
import { projectNames } from "../lib/data.js";

const statusText = {
  on_time: "On time", late: "Late", missed: "Missed", upcoming: "Upcoming", holiday: "Holiday", time_off: "Time off",
};

function shiftForm(names, week, editing, render) {
  const tz = session.org.timezone;
  const people = [...session.people.values()].filter((p) => canOn(editing ? "Modify Schedules" : "Add Schedules", { user: p.id }));
  const s = editing ? { user: editing.user, project: editing.project, day: dayOf(Date.parse(editing.start), tz),
    from: clock(Date.parse(editing.start), tz), to: clock(Date.parse(editing.end), tz), min: editing.min_hours,
    until: editing.repeat_until ? editing.repeat_until.slice(0, 10) : "", note: editing.note } :
    { user: people[0]?.id, project: "", day: week, from: "09:00", to: "17:00", min: 0, until: "", note: "" };
  const form = h("form", {
    class: "card", id: "shift-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const start = instant(d.get("day"), d.get("from"), tz);
      let end = instant(d.get("day"), d.get("to"), tz);
      if (end <= start) end = instant(addDays(d.get("day"), 1), d.get("to"), tz); // a night shift ends the next day
      const body = {
        org: session.org.id, user: d.get("user"), project: d.get("project"),
        start: new Date(start).toISOString(), end: new Date(end).toISOString(),
        min_hours: Number(d.get("min_hours")), note: d.get("note"),
        repeat_until: d.get("repeat_until") ? d.get("repeat_until") + " 00:00:00.000Z" : "",
      };
      action(async () => {
        if (editing) await pb.collection("schedules").update(editing.id, body);
        else await pb.collection("schedules").create(body);
        go(`schedules?week=${weekOf(d.get("day"))}`);
        render();
      }, editing ? "Shift saved." : "Shift added.");
    },
  },
  h("h2", {}, editing ? "Edit shift" : "Add a shift"),
  h("div", { class: "row" },
    field("Member", select("user", people.map((p) => [p.id, p.name]), s.user)),
    field("Project", select("project", [["", "No project"], ...names], s.project)),
    field("Day", h("input", { type: "date", name: "day", value: s.day, required: true })),
    field("From", h("input", { type: "time", name: "from", value: s.from, required: true })),
    field("To", h("input", { type: "time", name: "to", value: s.to, required: true })),
    field("Minimum hours", h("input", { type: "number", name: "min_hours", min: 0, max: 24, step: 0.25, value: s.min, class: "hours" })),
    field("Repeat weekly until", h("input", { type: "date", name: "repeat_until", value: s.until })),
    field("Note", h("input", { name: "note", maxlength: 500, value: s.note })),
    h("button", { type: "submit" }, editing ? "Save shift" : "Add shift"),
    editing ? h("button", { type: "button", class: "secondary", onclick: () => go(`schedules?week=${week}`) }, "Cancel") : null));
  return form;
}

async function attendance(day, names) {
  const list = await pb.send(`/api/tock/orgs/${session.org.id}/schedules/attendance?${new URLSearchParams({ day })}`, {});
  const tz = session.org.timezone;
  return h("section", {},
    h("h2", {}, `Attendance on ${day}`),
    list.length ? h("div", { class: "scroll" }, h("table", { id: "attendance" },
      h("thead", {}, h("tr", {}, ["Member", "Project", "Shift", "Status", "Started", "Worked", "Minimum"].map((c) => h("th", {}, c)))),
      h("tbody", {}, list.map((a) => h("tr", { "data-shift": a.id, "data-user": a.user },
        h("td", {}, nameOf(a.user)), h("td", {}, names.get(a.project) || "—"),
        h("td", {}, `${clock(Date.parse(a.start), tz)}–${clock(Date.parse(a.end), tz)}`),
        h("td", { class: `status ${a.status}` }, statusText[a.status] || a.status, a.status === "late" ? ` (${a.late_minutes} min)` : ""),
        h("td", {}, a.first_slot ? clock(Date.parse(a.first_slot), tz) : "—"),
        h("td", { class: "num" }, duration(a.worked_seconds)),
        h("td", {}, a.min_hours ? (a.min_hours_met ? "met" : `${a.min_hours} h not met`) : "—")))))) :
      h("p", { class: "muted" }, "No shift that day."));
}

export async function schedules({ params, render }) {
  const tz = session.org.timezone;
  const today = dayOf(Date.now(), tz);
  const week = weekOf(params.get("week") || today);
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(week, i));
  const day = params.get("day") || (days.includes(today) ? today : week);
  const [list, names] = await Promise.all([
    pb.send(`/api/tock/orgs/${session.org.id}/schedules/shifts?${new URLSearchParams({ from: week, to: days[6] })}`, {}),
    projectNames(),
  ]);
  const editing = params.get("edit") ? await pb.collection("schedules").getOne(params.get("edit")) : null;
  const nav = (w) => go(`schedules?week=${w}`);
  const remove = (sh) => action(() => pb.collection("schedules").delete(sh.id), "Shift deleted.").then((ok) => ok && render());

  return h("section", {},
    h("h1", {}, "Schedules"),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Week of", h("input", { type: "date", name: "week", value: week, onchange: (e) => e.target.value && nav(e.target.value) })),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, -7)) }, "← Previous week"),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, 7)) }, "Next week →")),
    h("ul", { class: "list", id: "week-shifts" }, days.map((d) => {
      const holidays = list.holidays.filter((x) => x.date === d);
      const shifts = list.shifts.filter((s) => s.date === d);
      return h("li", { "data-day": d, class: holidays.length ? "holiday" : "" },
        h("strong", {}, weekday(d)),
        holidays.map((x) => h("span", { class: "badge" }, `Holiday: ${x.name}${x.all ? "" : " (some members)"}`)),
        shifts.length ? h("ul", { class: "shifts" }, shifts.map((s) => h("li", { "data-shift": s.id },
          h("span", {}, `${clock(Date.parse(s.start), tz)}–${clock(Date.parse(s.end), tz)} ${nameOf(s.user)}`,
            names.get(s.project) ? ` · ${names.get(s.project)}` : "", s.min_hours ? ` · min ${s.min_hours} h` : "", s.repeats ? " · weekly" : "",
            s.note ? ` · ${s.note}` : ""),
          canOn("Modify Schedules", { user: s.user, project: s.project }) ? [
            h("button", { type: "button", class: "secondary", "aria-label": `Edit ${nameOf(s.user)}'s shift on ${d}`, onclick: () => go(`schedules?week=${week}&edit=${s.id}`) }, "Edit"),
            h("button", { type: "button", class: "danger", "aria-label": `Delete ${nameOf(s.user)}'s shift${s.repeats ? " (every week)" : ""}`, onclick: () => remove(s) }, "Delete"),
          ] : null))) : h("span", { class: "muted" }, holidays.length ? "" : " no shift"));
    })),
    editing || can("Add Schedules") ? shiftForm(names, week, editing, render) : null,
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Attendance on", h("input", { type: "date", name: "day", value: day, onchange: (e) => e.target.value && go(`schedules?week=${week}&day=${e.target.value}`) }))),
    await attendance(day, names));
}

// The screenshot gallery: one member, one day, grouped by 10-minute slot.
import { pb, session, nameOf, userId, image, canOn, limited } from "../api.js";
import { h, field, select, action, duration, dayStart, dayOf, addDays, clock, pbDate, parseDate, q, go } from "../ui.js";
import { projectNames, activitiesSince, sums, activity } from "../lib/data.js";
import { thumbnail } from "../lib/thumbnail.js";

function visiblePeople() {
  return [...session.people.values()].filter((p) => !p.status || p.status === "active");
}

export async function gallery({ params, render }) {
  const tz = session.org.timezone;
  const day = params.get("day") || dayOf(Date.now(), tz);
  const people = visiblePeople();
  const user = params.get("user") || (session.me.features["View Screenshots"].self ? userId() : people[0]?.id);
  const from = dayStart(day, tz), until = dayStart(addDays(day, 1), tz);
  const when = `${q(pbDate(from))}`, end = `${q(pbDate(until))}`;

  const [slots, shots, names] = await Promise.all([
    activitiesSince(from, user, until),
    pb.collection("screenshots").getFullList({ filter: `user = ${q(user)} && taken_at >= ${when} && taken_at < ${end}`, sort: "taken_at", batch: 500 }),
    projectNames(),
  ]);
  const apps = await slotApps(slots);

  const nav = (u, d) => go(`screenshots?${new URLSearchParams({ user: u, day: d })}`);
  const dialog = h("dialog", { class: "viewer", "aria-label": "Screenshot" });
  const open = (shot) => showFull(dialog, shot, render);

  const shotsOf = group(shots, "activity"), appsOf = group(apps, "activity");
  const daySums = sums(slots);

  return h("section", {},
    h("h1", {}, "Screenshots"),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Member", select("user", people.map((p) => [p.id, p.name]), user, { id: "gallery-user", onchange: (e) => nav(e.target.value, day) })),
      field("Day", h("input", { type: "date", name: "day", value: day, id: "gallery-day", onchange: (e) => e.target.value && nav(user, e.target.value) })),
      h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(day, -1)) }, "← Previous day"),
      h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(day, 1)) }, "Next day →")),
    h("p", { class: "muted" }, `${nameOf(user)} · ${day} · ${duration(daySums.tracked)} tracked · activity ${activity(daySums)}`),
    slots.length === 0 ? h("p", { class: "muted", id: "gallery-empty" }, "Nothing you may see was tracked on this day.") :
      h("ol", { class: "slots", id: "gallery" }, slots.map((s) => slotCard(s, shotsOf.get(s.id) || [], appsOf.get(s.id) || [], names, open, render))),
    dialog);
}

// slotApps lists the apps of the day's slots by slot, 40 slots a request: the
// database finds them through the index on their slot, where "this member's
// apps on this day" would read every app of the member's history.
async function slotApps(slots) {
  const lists = [];
  for (let i = 0; i < slots.length; i += 40) {
    const filter = slots.slice(i, i + 40).map((s) => `activity = ${q(s.id)}`).join(" || ");
    lists.push(pb.collection("app_usage").getFullList({ filter, sort: "-seconds", fields: "activity,app,title,url,seconds", batch: 1000 }));
  }
  return (await Promise.all(lists)).flat();
}

function group(items, key) {
  const m = new Map();
  for (const it of items) {
    if (!m.has(it[key])) m.set(it[key], []);
    m.get(it[key]).push(it);
  }
  return m;
}

// deleteTime removes a slot's time with its screenshots and apps (the
// Hubstaff rule), after a second click that says so.
function deleteTime(slot, render) {
  if (!canOn("Add/Edit/Delete Time", { user: slot.user, project: slot.project })) return null;
  const button = h("button", {
    type: "button", class: "secondary", "aria-label": "Delete this time block",
    onclick: () => {
      if (button.dataset.armed) {
        return action(() => pb.collection("activities").delete(slot.id), "Time deleted.").then((ok) => ok && render());
      }
      button.dataset.armed = "1";
      button.className = "danger";
      button.textContent = "Delete the time, its screenshots and apps";
    },
  }, "Delete time");
  return button;
}

function slotCard(slot, shots, apps, names, open, render) {
  const tz = session.org.timezone;
  const start = parseDate(slot.slot_start);
  const top = apps.slice(0, 4);
  return h("li", { class: "slot", "data-slot": slot.id },
    h("header", {},
      h("strong", {}, `${clock(start, tz)}–${clock(start + 600000, tz)}`),
      h("span", {}, names.get(slot.project) || "—"),
      h("span", { class: "activity", title: "Activity: seconds with keyboard or mouse input over tracked seconds" }, `${activity(sums([slot]))} activity`),
      h("span", { class: "muted" }, duration(slot.tracked_seconds)),
      slot.source === "manual" ? h("span", { class: "badge" }, "manual") : null,
      deleteTime(slot, render)),
    shots.length ? h("div", { class: "shots" }, shots.map((s) => thumbnail(s, open))) : h("p", { class: "muted" }, "No screenshot in this slot."),
    top.length ? h("ul", { class: "apps" }, top.map((a) => h("li", {},
      h("span", {}, a.app), a.url ? h("span", { class: "url" }, a.url) : a.title ? h("span", { class: "muted" }, a.title) : null,
      h("span", { class: "muted" }, duration(a.seconds))))) : null);
}

async function showFull(dialog, shot, reload) {
  const tz = session.org.timezone;
  const allowed = canOn("Delete Screenshots", { user: shot.user, project: shot.project });
  // A `limited` grant deletes a screenshot only with its time block (docs/PERMISSIONS.md, `limited`).
  const whole = limited("Delete Screenshots");
  const img = h("img", { alt: `Screenshot of ${nameOf(shot.user)}, screen ${shot.screen + 1}, ${clock(parseDate(shot.taken_at), tz)}` });
  const confirmBox = h("div", { class: "confirm", hidden: true },
    h("p", {}, whole ? "This deletes the whole 10-minute time block: its time, its screenshots and its apps." : "Delete this screenshot for good?"),
    h("button", {
      type: "button", class: "danger", id: "confirm-delete",
      onclick: () => action(async () => {
        await pb.collection("screenshots").delete(shot.id);
        dialog.close();
        reload();
      }, whole ? "Time block deleted." : "Screenshot deleted."),
    }, whole ? "Delete time block" : "Delete screenshot"));
  dialog.replaceChildren(h("div", { class: "viewer-body" },
    h("header", {},
      h("strong", {}, `${nameOf(shot.user)} · ${clock(parseDate(shot.taken_at), tz)} · screen ${shot.screen + 1} · ${shot.width}×${shot.height}`),
      shot.blurred ? h("span", { class: "badge" }, "blurred") : null,
      allowed ? h("button", { type: "button", class: "danger", id: "delete-shot", onclick: () => { confirmBox.hidden = false; } }, "Delete") : null,
      h("button", { type: "button", onclick: () => dialog.close(), id: "close-shot" }, "Close")),
    confirmBox,
    img));
  dialog.showModal();
  try {
    const url = await image(shot.id, false);
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
  } catch {
    img.alt += " (could not be opened)";
  }
}

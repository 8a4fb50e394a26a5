// The screenshot grid: one member's day as hour rows of six 10-minute cells,
// or every member's day as one row each; a full-size viewer steps through
// the day's screenshots. The day comes from one request to the gallery route
// (GET /api/tock/orgs/{org}/gallery, hooks/screenshots/gallery.go), which
// shows what the records lists of slots, screenshots and apps would.
import { pb, session, nameOf, byName, userId, image, canOn, limited } from "../api.js";
import { h, field, select, action, duration, dayStart, dayOf, addDays, clock, parseDate, go } from "../ui.js";
import { projectNames, sums, activity } from "../lib/data.js";
import { thumbnail } from "../lib/thumbnail.js";
import { styled } from "../lib/chart.js";

const cellMs = 600000; // a cell is ten minutes of the day, whatever the slot length

function visiblePeople() {
  return [...session.people.values()].filter((p) => !p.status || p.status === "active");
}

export async function gallery({ params, render }) {
  const tz = session.org.timezone;
  const day = params.get("day") || dayOf(Date.now(), tz);
  const people = visiblePeople();
  const user = params.get("user") || (session.me.features["View Screenshots"].self ? userId() : people[0]?.id);
  const everyone = user === "all";
  const from = dayStart(day, tz);
  const nav = (u, d) => go(`screenshots?${new URLSearchParams({ user: u, day: d })}`);
  const dialog = h("dialog", { class: "viewer", "aria-label": "Screenshot" });
  // The day is asked for first; the toolbar is built while it comes.
  const body = everyone ? allMembers(day, dialog) : memberDay(user, day, from, dialog, render);
  const choices = [...(people.length > 1 ? [["all", "All members"]] : []), ...people.map((p) => [p.id, p.name])];
  const toolbar = h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
    field("Member", select("user", choices, user, { id: "gallery-user", onchange: (e) => nav(e.target.value, day) })),
    field("Day", h("input", { type: "date", name: "day", value: day, id: "gallery-day", onchange: (e) => e.target.value && nav(user, e.target.value) })),
    h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(day, -1)) }, "← Previous day"),
    h("button", { type: "button", class: "secondary", onclick: () => nav(user, addDays(day, 1)) }, "Next day →"));
  return h("section", {}, h("h1", {}, "Screenshots"), toolbar, await body, dialog);
}

// memberDay is one member's day: the hours with time, six cells each.
async function memberDay(user, day, from, dialog, render) {
  const [{ slots }, names] = await Promise.all([galleryOf(user, day), projectNames()]);
  const { shots, appsOf } = shotsAndApps(slots);
  const open = (shot) => viewer(dialog, shots, shots.indexOf(shot), day, appsOf, render);
  const daySums = sums(slots);
  const hours = group(slots, (s) => Math.floor((parseDate(s.slot_start) - from) / 3600000));
  return [
    h("p", { class: "muted" }, `${nameOf(user)} · ${day} · ${duration(daySums.tracked)} tracked · activity ${activity(daySums)}`),
    slots.length === 0 ? h("p", { class: "muted", id: "gallery-empty" }, "Nothing you may see was tracked on this day.") :
      h("ol", { class: "hours", id: "gallery" }, [...hours.keys()].sort((a, b) => a - b).map((hr) => {
        const start = from + hr * 3600000;
        const cells = group(hours.get(hr), (s) => Math.floor((parseDate(s.slot_start) - start) / cellMs));
        return h("li", { class: "hour", "data-hour": clock(start, session.org.timezone) },
          h("h2", {}, clock(start, session.org.timezone)),
          h("ol", { class: "cells" }, [0, 1, 2, 3, 4, 5].map((c) => {
            const inCell = cells.get(c) || [];
            const label = clock(start + c * cellMs, session.org.timezone);
            return h("li", { class: inCell.length ? "cell" : "cell none", "data-minute": label },
              inCell.length ? inCell.map((s) => slotCard(s, s.screenshots, s.apps, names, open, render)) :
                h("span", { class: "muted" }, label));
          })));
      })),
  ];
}

// galleryOf is one member's day (user: an id) or everyone's (user: "all").
function galleryOf(user, day) {
  return pb.send(`/api/tock/orgs/${session.org.id}/gallery?${new URLSearchParams({ day, user })}`, {});
}

// shotsAndApps are the screenshots of a day's slots in order, and each
// slot's apps by its id, as the viewer steps through them.
function shotsAndApps(slots) {
  return { shots: slots.flatMap((s) => s.screenshots), appsOf: new Map(slots.map((s) => [s.id, s.apps])) };
}

// allMembers is every visible member's day, a row each: their slots in
// order, each with its first screenshot. One request brings it all; a row
// puts its thumbnails in when it scrolls near the screen, so a day of fifty
// members decrypts only the pictures someone looks at.
async function allMembers(day, dialog) {
  const { members } = await galleryOf("all", day);
  members.sort((a, b) => byName(a.user, b.user));
  if (!members.length) return h("p", { class: "muted", id: "gallery-empty" }, "Nothing you may see was tracked on this day.");
  // Members mostly share their slots' starts: each start is formatted once.
  const labels = new Map();
  const label = (start) => {
    if (!labels.has(start)) labels.set(start, clock(parseDate(start), session.org.timezone));
    return labels.get(start);
  };
  const rows = members.map((m) => memberRow(m, day, dialog, label));
  const seen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      seen.unobserve(e.target);
      e.target.fill();
    }
  }, { rootMargin: "600px" });
  for (const r of rows) seen.observe(r);
  return h("ol", { class: "members-day", id: "gallery-all" }, rows);
}

function memberRow({ user, slots, totals }, day, dialog, label) {
  const x = { tracked: totals.tracked_seconds, active: totals.active_seconds, manual: totals.manual_seconds };
  const cells = slots.map((s) => h("li", { class: "mini", "data-slot": s.id },
    h("span", { class: "when" }, label(s.slot_start)),
    h("span", { class: "pic" }),
    activityBar(s)));
  const row = h("li", { class: "member-row", "data-user": user },
    h("header", {}, h("a", { href: `#/screenshots?${new URLSearchParams({ user, day })}` }, nameOf(user)),
      h("span", { class: "muted" }, `${duration(x.tracked)} · activity ${activity(x)}`)),
    h("ol", { class: "strip" }, cells));
  // open shows a screenshot full size and steps through all of the member's
  // screenshots of the day, read when first asked for.
  let whole = null;
  const open = async (shot) => {
    whole ||= galleryOf(user, day).then((g) => shotsAndApps(g.slots), () => shotsAndApps(slots));
    const { shots, appsOf } = await whole;
    viewer(dialog, shots, Math.max(0, shots.findIndex((s) => s.id === shot.id)), day, appsOf, null);
  };
  // fill puts each slot's first screenshot in its cell, once the row is near.
  row.fill = () => {
    slots.forEach((s, i) => {
      const first = s.screenshots[0];
      if (first) cells[i].querySelector(".pic").replaceChildren(thumbnail(first, open));
    });
  };
  return row;
}

// group buckets items by a field's value or a function of the item.
function group(items, key) {
  const of = typeof key === "function" ? key : (it) => it[key];
  const m = new Map();
  for (const it of items) {
    const k = of(it);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(it);
  }
  return m;
}

// deleteTime removes a slot's time with its screenshots and apps (the
// Hubstaff rule), after a second click that says so.
function deleteTime(slot, render) {
  if (!canOn("Add/Edit/Delete Time", { user: slot.user, project: slot.project })) return null;
  const button = h("button", {
    type: "button", class: "link", "aria-label": "Delete this time block",
    onclick: () => {
      if (button.dataset.armed) {
        return action(() => pb.collection("activities").delete(slot.id), "Time deleted.").then((ok) => ok && render());
      }
      button.dataset.armed = "1";
      button.className = "danger";
      button.textContent = "Delete the time, its screenshots and apps";
    },
  }, "Delete");
  return button;
}

// level names an activity % the way the bar is coloured: low under 30%,
// fair under 60%, high above; manual time has none.
function level(slot) {
  if (slot.source === "manual") return "manual";
  const agent = slot.tracked_seconds;
  const pct = agent > 0 ? (100 * slot.active_seconds) / agent : 0;
  return pct < 30 ? "low" : pct < 60 ? "fair" : "high";
}

function activityBar(slot) {
  const x = sums([slot]);
  const pct = x.tracked - x.manual > 0 ? (100 * x.active) / (x.tracked - x.manual) : 0;
  return h("span", { class: `bar ${level(slot)}`, role: "img", "aria-label": `${activity(x)} activity` },
    styled(h("span"), { width: `${slot.source === "manual" ? 100 : Math.round(pct)}%` }));
}

function slotCard(slot, shots, apps, names, open, render) {
  const top = apps[0];
  return h("div", { class: "slot", "data-slot": slot.id },
    h("header", {},
      h("strong", {}, clock(parseDate(slot.slot_start), session.org.timezone)),
      h("span", { class: "activity", title: "Activity: seconds with keyboard or mouse input over tracked seconds" },
        slot.source === "manual" ? "manual" : `${activity(sums([slot]))} activity`),
      h("span", { class: "muted" }, duration(slot.tracked_seconds)),
      deleteTime(slot, render)),
    activityBar(slot),
    shots.length ? h("div", { class: "shots" }, shots.map((s) => thumbnail(s, open))) : h("p", { class: "noshot muted" }, "No screenshot"),
    h("p", { class: "meta" }, h("span", { class: "project" }, names.get(slot.project) || "—"),
      top ? h("span", { class: "app", title: top.url || top.title || "" }, top.app) : null));
}

// viewer shows shots[i] full size; Previous and Next (and the arrow keys)
// step through the day's screenshots without closing it.
async function viewer(dialog, shots, i, day, appsOf, reload) {
  const shot = shots[i];
  const tz = session.org.timezone;
  const allowed = reload && canOn("Delete Screenshots", { user: shot.user, project: shot.project });
  // A `limited` grant deletes a screenshot only with its time block (docs/PERMISSIONS.md, `limited`).
  const whole = limited("Delete Screenshots");
  const when = `${day} ${clock(parseDate(shot.taken_at), tz)}`;
  const img = h("img", { alt: `Screenshot of ${nameOf(shot.user)}, screen ${shot.screen + 1}, ${when}` });
  const step = (d) => { if (shots[i + d]) viewer(dialog, shots, i + d, day, appsOf, reload); };
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
  const apps = appsOf.get(shot.activity) || [];
  dialog.onkeydown = (e) => {
    if (e.key === "ArrowLeft") step(-1);
    if (e.key === "ArrowRight") step(1);
  };
  const focused = dialog.contains(document.activeElement) && document.activeElement.id || "close-shot";
  dialog.replaceChildren(h("div", { class: "viewer-body" },
    h("header", {},
      h("strong", { id: "viewer-when" }, `${nameOf(shot.user)} · ${when} · screen ${shot.screen + 1} · ${shot.width}×${shot.height}`),
      h("span", { class: "muted", id: "viewer-position" }, `${i + 1} of ${shots.length}`),
      shot.blurred ? h("span", { class: "badge" }, "blurred") : null,
      h("button", { type: "button", class: "secondary", id: "prev-shot", disabled: i === 0, onclick: () => step(-1) }, "← Previous"),
      h("button", { type: "button", class: "secondary", id: "next-shot", disabled: i === shots.length - 1, onclick: () => step(1) }, "Next →"),
      allowed ? h("button", { type: "button", class: "danger", id: "delete-shot", onclick: () => { confirmBox.hidden = false; } }, "Delete") : null,
      h("button", { type: "button", onclick: () => dialog.close(), id: "close-shot" }, "Close")),
    confirmBox,
    img,
    apps.length ? h("ul", { class: "apps", id: "viewer-apps" }, apps.map((a) => h("li", {},
      h("span", {}, a.app), a.url ? h("span", { class: "url" }, a.url) : a.title ? h("span", { class: "muted" }, a.title) : null,
      h("span", { class: "muted" }, duration(a.seconds))))) : null));
  if (!dialog.open) dialog.showModal();
  // Stepping replaced the focused button: focus its successor, so the arrow
  // keys and Tab keep working inside the dialog.
  const again = dialog.querySelector(`#${focused}:not([disabled])`) || dialog.querySelector("#close-shot");
  again.focus();
  try {
    const url = await image(shot.id, false);
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
  } catch {
    img.alt += " (could not be opened)";
  }
}

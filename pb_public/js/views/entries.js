// Entries behind a timesheet cell: the time blocks of one member in one
// project on one day (runs of 10-minute slots, tracked or manual), each with
// what the person may do to it — delete it, see its screenshots — and a way
// to add (or request) time on that day.
import { pb, session, nameOf, canOn } from "../api.js";
import { h, action, duration, clock, dayStart, addDays, parseDate, weekday } from "../ui.js";
import { activitiesSince, activity, sums } from "../lib/data.js";

const slotMs = 10 * 60 * 1000;

// blocks groups a day's slots into runs of adjacent slots of one source.
function blocks(slots) {
  const out = [];
  for (const s of slots) {
    const at = parseDate(s.slot_start), last = out.at(-1);
    if (last && last.source === s.source && at === last.end) {
      last.slots.push(s);
      last.end = at + slotMs;
    } else {
      out.push({ source: s.source, start: at, end: at + slotMs, slots: [s] });
    }
  }
  return out;
}

// openEntries shows the dialog for a cell; from is the cell's button, which
// gets the focus back when the dialog closes.
export async function openEntries({ user, project, day, projectName, from, render, addTime }) {
  const tz = session.org.timezone;
  const all = await activitiesSince(dayStart(day, tz), user, dayStart(addDays(day, 1), tz));
  const list = blocks(all.filter((s) => s.project === project));
  const mayDelete = canOn("Add/Edit/Delete Time", { user, project });
  const maySee = canOn("View Screenshots", { user, project });
  const dialog = h("dialog", { class: "entries", id: "entries", "aria-labelledby": "entries-title" });
  const close = () => dialog.close();
  dialog.addEventListener("close", () => { dialog.remove(); from?.focus(); });
  const remove = (b, button) => {
    // A first click asks; the second deletes the block's slots (with their screenshots and apps).
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = `Delete ${duration(sums(b.slots).tracked)} and its screenshots?`;
      return;
    }
    action(async () => {
      for (const s of b.slots) await pb.collection("activities").delete(s.id);
      close();
      render();
    }, "Time deleted.");
  };
  dialog.append(h("div", { class: "viewer-body" },
    h("header", {},
      h("strong", { id: "entries-title" }, `${nameOf(user)} · ${projectName} · ${weekday(day).split(" ")[0]} ${day}`),
      h("button", { type: "button", class: "secondary", onclick: close }, "Close")),
    list.length === 0 ? h("p", { class: "muted" }, "No entries you may see here.") :
      h("div", { class: "scroll" }, h("table", {},
        h("thead", {}, h("tr", {}, ["From", "To", "Kind", "Time", "Activity", ""].map((c) => h("th", {}, c)))),
        h("tbody", {}, list.map((b) => {
          const t = sums(b.slots);
          return h("tr", { "data-source": b.source },
            h("td", {}, clock(b.start, tz)), h("td", {}, clock(b.end, tz)),
            h("td", {}, b.source === "manual" ? "Manual" : "Tracked"),
            h("td", { class: "num" }, duration(t.tracked)),
            h("td", { class: "num" }, activity(t)),
            h("td", {},
              maySee && b.source !== "manual" ? h("a", { href: `#/screenshots?user=${user}&day=${day}`, onclick: close }, "Screenshots") : null, " ",
              mayDelete ? h("button", {
                type: "button", class: "danger", "aria-label": `Delete ${clock(b.start, tz)}–${clock(b.end, tz)}`,
                onclick: (e) => remove(b, e.currentTarget),
              }, "Delete") : null));
        })))),
    addTime ? h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => { close(); addTime(); } },
      "Add or request time on this day")) : null));
  document.getElementById("view").append(dialog);
  dialog.showModal();
}

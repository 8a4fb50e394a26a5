// Entries behind a timesheet cell: the time blocks of one member in one
// project on one day (runs of 10-minute slots, tracked or manual), each with
// what the person may do to it — edit it in place, delete it, see its
// screenshots — and a way to add (or request) time on that day.
import { pb, session, nameOf, canOn } from "../api.js";
import { h, field, select, action, say, errorText, duration, clock, dayStart, addDays, parseDate, weekday, instant } from "../ui.js";
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
export async function openEntries({ user, project, day, projectName, names, from, render, addTime }) {
  const tz = session.org.timezone;
  const mayDelete = canOn("Add/Edit/Delete Time", { user, project });
  const mayEdit = { manual: mayChangeManual(user, project), tracked: canOn("Modify (Move/Reassign/Delete) Screenshots", { user, project }) };
  const [all, tasks] = await Promise.all([
    activitiesSince(dayStart(day, tz), user, dayStart(addDays(day, 1), tz)),
    // The tasks a block may move to; someone who may see no task keeps "No task".
    mayEdit.manual || mayEdit.tracked ? pb.collection("tasks").getFullList({ fields: "id,title,project,completed", sort: "title", batch: 500 }).catch(() => []) : [],
  ]);
  const list = blocks(all.filter((s) => s.project === project));
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
              mayEdit[b.source] ? h("button", {
                type: "button", class: "secondary edit", "aria-label": `Edit ${clock(b.start, tz)}–${clock(b.end, tz)}`, "aria-expanded": "false",
                onclick: (e) => toggleEditor(e.currentTarget, { block: b, user, project, day, names, tasks, done: () => { close(); render(); } }),
              }, "Edit") : null, " ",
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

// mayChangeManual: the person may edit the member's manual time in project
// at once (where it waits for an approver, they delete it and ask again).
function mayChangeManual(user, project) {
  if (!canOn("Add/Edit/Delete Time", { user, project })) return false;
  const approver = canOn("Approve manual time requests", { user, project });
  return approver || !["approval", "off"].includes(session.org.manual_time);
}

// span is a block's exact start and end: manual time may start or end
// inside its first and last slot (the slot holds only the covered part).
function span(b) {
  if (b.source !== "manual") return { start: b.start, end: b.end };
  const first = b.slots[0], last = b.slots.at(-1);
  const end = parseDate(last.slot_start) + last.tracked_seconds * 1000;
  const start = b.slots.length > 1 ? parseDate(first.slot_start) + slotMs - first.tracked_seconds * 1000 : end - first.tracked_seconds * 1000;
  return { start, end };
}

// toggleEditor opens, under a block's row, the form that edits it in place
// (or closes it again): the project and task of any block, and the start
// and end of manual time.
function toggleEditor(button, ctx) {
  const row = button.closest("tr");
  if (row.nextElementSibling?.classList.contains("editor")) {
    row.nextElementSibling.remove();
    button.setAttribute("aria-expanded", "false");
    return;
  }
  button.setAttribute("aria-expanded", "true");
  const editor = h("tr", { class: "editor" }, h("td", { colspan: 6 }, editForm(ctx)));
  row.after(editor);
  editor.querySelector("select")?.focus();
}

function editForm({ block: b, user, project, day, names, tasks, done }) {
  const tz = session.org.timezone, manual = b.source === "manual";
  const { start, end } = span(b);
  const task = b.slots[0].task || "";
  const taskOptions = (p) => [["", "No task"], ...tasks.filter((t) => t.project === p && (!t.completed || t.id === task)).map((t) => [t.id, t.title])];
  const taskSelect = select("task", taskOptions(project), task);
  const problem = h("p", { class: "problem", role: "alert" });
  const form = h("form", {
    class: "row edit-entry",
    onsubmit: async (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const to = { project: d.get("project"), task: d.get("task") || "" };
      problem.textContent = "";
      try {
        const what = manual ? await changeManual(b, user, day, d, to, tz) : await reassign(b, to, names);
        done();
        say(what);
      } catch (err) {
        problem.textContent = errorText(err);
      }
    },
  },
  field("Project", select("project", [...names], project, {
    onchange: (e) => taskSelect.replaceChildren(...taskOptions(e.target.value).map(([v, t]) => h("option", { value: v }, t))),
  })),
  field("Task", taskSelect),
  manual ? [
    field("From", h("input", { type: "time", name: "from", value: clock(start, tz), required: true })),
    field("To", h("input", { type: "time", name: "to", value: clock(end, tz), required: true })),
  ] : null,
  h("button", { type: "submit" }, "Save"),
  problem);
  return form;
}

// changeManual replaces a manual block by the time the form says, in one
// request: the server deletes the block's slots and adds the new ones
// together, or changes nothing.
async function changeManual(b, user, day, d, to, tz) {
  const start = instant(day, d.get("from"), tz);
  const end = instant(day, d.get("to"), tz);
  await pb.send(`/api/tock/orgs/${session.org.id}/time`, {
    method: "POST",
    body: { user, ...to, start: new Date(start).toISOString(), end: new Date(end).toISOString(), replace: b.slots.map((s) => s.id) },
  });
  return `Time changed to ${clock(start, tz)}–${clock(end, tz)}.`;
}

// reassign moves each slot of a tracked block, with its screenshots and
// apps, to the chosen project and task.
async function reassign(b, to, names) {
  for (const s of b.slots) {
    if (s.project === to.project && (s.task || "") === to.task) continue;
    await pb.send(`/api/tock/activities/${s.id}/reassign`, { method: "POST", body: to });
  }
  return `Time moved to ${names.get(to.project)}.`;
}

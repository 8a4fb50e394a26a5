// Manual time, its requests, and timesheet approvals: the parts of the
// Timesheets page that change time.
import { pb, session, nameOf, userId, can, canOn } from "../api.js";
import { h, field, select, action, q, instant, duration, parseDate, clock, dayOf } from "../ui.js";

// manualTimeForm adds time (or asks for it, when the organization wants
// manual time approved) for oneself or, when allowed, for others.
export function manualTimeForm(names, day, forUser, render) {
  const me = userId();
  const people = [...session.people.values()].filter((p) => p.id === me || canOn("Add/Edit/Delete Time", { user: p.id }));
  const form = h("form", {
    class: "card", id: "manual-time",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form), tz = session.org.timezone;
      const body = {
        user: d.get("user"), project: d.get("project"), note: d.get("note"),
        start: new Date(instant(d.get("day"), d.get("from"), tz)).toISOString(),
        end: new Date(instant(d.get("day"), d.get("to"), tz)).toISOString(),
      };
      action(async () => {
        const res = await pb.send(`/api/tock/orgs/${session.org.id}/time`, { method: "POST", body });
        render();
        return res;
      }, session.org.manual_time === "approval" && !can("Approve manual time requests") ? "Time requested: an approver will review it." : "Time added.");
    },
  },
  h("h2", {}, "Add time"),
  h("div", { class: "row" },
    people.length > 1 ? field("Member", select("user", people.map((p) => [p.id, p.name]), people.some((p) => p.id === forUser) ? forUser : me)) : h("input", { type: "hidden", name: "user", value: me }),
    field("Project", select("project", [...names], names.keys().next().value)),
    field("Day", h("input", { type: "date", name: "day", value: day, required: true })),
    field("From", h("input", { type: "time", name: "from", value: "09:00", required: true })),
    field("To", h("input", { type: "time", name: "to", value: "10:00", required: true })),
    field("Note", h("input", { name: "note", maxlength: 500 })),
    h("button", { type: "submit" }, session.org.manual_time === "approval" && !can("Approve manual time requests") ? "Request time" : "Add time")));
  return form;
}

// requests lists pending manual-time requests: one's own, or everyone's for approvers.
export async function requests(names, render) {
  const approver = can("Approve manual time requests");
  const filter = `org = ${q(session.org.id)} && status = "pending"` + (approver ? "" : ` && user = ${q(userId())}`);
  const list = await pb.collection("time_requests").getFullList({ filter, sort: "start", batch: 200 });
  if (!list.length) return null;
  const tz = session.org.timezone;
  const decide = (r, verb) => action(async () => {
    const note = document.getElementById(`note-${r.id}`)?.value || "";
    // Each route spelt out whole, so pb_public/contract_test.go can check it.
    const url = verb === "approve" ? `/api/tock/time_requests/${r.id}/approve` : `/api/tock/time_requests/${r.id}/deny`;
    await pb.send(url, { method: "POST", body: { note } });
    render();
  }, verb === "approve" ? "Time approved." : "Request denied.");
  return h("section", {},
    h("h2", {}, "Manual time requests"),
    h("div", { class: "scroll" }, h("table", { id: "time-requests" },
      h("thead", {}, h("tr", {}, ["Member", "Project", "When", "Time", "Note", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, list.map((r) => {
        const s = parseDate(r.start), e = parseDate(r.end);
        return h("tr", { "data-request": r.id },
          h("td", {}, nameOf(r.user)), h("td", {}, names.get(r.project) || "—"),
          h("td", {}, `${dayOf(s, tz)} ${clock(s, tz)}–${clock(e, tz)}`), h("td", {}, duration((e - s) / 1000)), h("td", {}, r.note),
          h("td", {}, approver ? h("span", { class: "row" },
            h("input", { id: `note-${r.id}`, "aria-label": `Note to ${nameOf(r.user)}`, placeholder: "Note (optional)" }),
            h("button", { type: "button", onclick: () => decide(r, "approve") }, "Approve"),
            h("button", { type: "button", class: "danger", onclick: () => decide(r, "deny") }, "Deny")) : "pending"));
      })))));
}

// approval shows the approval state of a member's week, with the actions the
// person may take on it.
// payPeriodStart is the first day of the pay period that holds day, by the
// organization's pay period and anchor (the server's rule, hooks/timesheets.go).
function payPeriodStart(day) {
  const kind = session.org.pay_period || "weekly";
  const anchor = (session.org.pay_period_anchor || "2026-01-05").slice(0, 10);
  const ms = (d) => Date.parse(d + "T00:00:00Z");
  const iso = (t) => new Date(t).toISOString().slice(0, 10);
  if (kind === "monthly") {
    const a = Number(anchor.slice(8, 10));
    const [y, m, d] = day.split("-").map(Number);
    return iso(Date.UTC(y, d >= a ? m - 1 : m - 2, a));
  }
  const length = (kind === "biweekly" ? 14 : 7) * 86400000;
  return iso(ms(anchor) + Math.floor((ms(day) - ms(anchor)) / length) * length);
}

export async function approval(user, week, render) {
  if (!session.org.timesheet_approvals || !user) return null;
  const start = payPeriodStart(week);
  const list = await pb.collection("timesheets").getFullList({ filter: `user = ${q(user)} && period_start = ${q(start + " 00:00:00.000Z")}` });
  const sheet = list[0];
  const status = sheet?.status || "open";
  const mayApprove = canOn("Approve Timesheets", { user });
  const maySubmit = user === userId() || canOn("Submit timesheets for users", { user });
  const post = (path, body, done) => action(async () => {
    await pb.send(path, { method: "POST", body });
    render();
  }, done);
  const reason = h("input", { id: "reject-reason", "aria-label": "Reason for rejecting", placeholder: "Reason (required to reject)" });
  return h("section", { class: "card", id: "approval" },
    h("h2", {}, "Approval"),
    h("p", {}, `${nameOf(user)}'s timesheet for the pay period from ${start}: `, h("strong", { id: "approval-status" }, status),
      sheet?.reason ? ` — ${sheet.reason}` : ""),
    (status === "open" || status === "rejected") && maySubmit ?
      h("button", { type: "button", id: "submit-timesheet", onclick: () => post(`/api/tock/orgs/${session.org.id}/timesheets/submit`, { user, period_start: start }, "Timesheet submitted.") }, "Submit for approval") : null,
    status === "submitted" && mayApprove ? h("div", { class: "row" },
      h("button", { type: "button", id: "approve-timesheet", onclick: () => post(`/api/tock/timesheets/${sheet.id}/approve`, {}, "Timesheet approved.") }, "Approve"),
      reason,
      h("button", { type: "button", class: "danger", onclick: () => post(`/api/tock/timesheets/${sheet.id}/reject`, { reason: reason.value }, "Timesheet rejected.") }, "Reject")) : null,
    status === "approved" ? h("p", { class: "muted" }, "Approved time is locked: it can't be added, changed or deleted.") : null);
}

// breaks lists a member's breaks in a week, found in their tracked time.
export async function breaks(user, week, until) {
  if (!user || !canOn("View Work Breaks in Timesheets", { user })) return null;
  const list = await pb.send(`/api/tock/orgs/${session.org.id}/breaks?${new URLSearchParams({ user, from: week, to: until })}`, {});
  if (!list.length) return null;
  const tz = session.org.timezone;
  return h("section", {},
    h("h2", {}, "Work breaks"),
    h("ul", { class: "list", id: "breaks" }, list.map((b) => h("li", {},
      h("span", {}, `${b.date} ${clock(Date.parse(b.start), tz)}–${clock(Date.parse(b.end), tz)}`),
      h("span", {}, duration(b.seconds)), h("span", { class: "badge" }, b.paid ? "paid" : "unpaid")))));
}

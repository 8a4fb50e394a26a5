// Time off: one's balances and requests, approvals, members' balances, and
// the organization's time off and holiday policies. Balances are computed by
// the server (granted + accrued − approved), never here.
import { pb, session, nameOf, userId, can } from "../api.js";
import { h, field, select, action, q, dayOf, addDays } from "../ui.js";

const feature = "Approve/Request Time Off Requests";

function hours(n) {
  return (Math.round((n || 0) * 100) / 100).toString();
}

function balances(user) {
  return pb.send(`/api/tock/orgs/${session.org.id}/time_off/balances?${new URLSearchParams({ user })}`, {});
}

// approverScope: someone else's requests are reachable (all, or led teams).
function approverScope() {
  const s = session.me.features[feature];
  return !!s && (s.all || s.users.length > 0 || s.teams.length > 0);
}

function balanceTable(id, list, edit) {
  if (!list.length) return h("p", { class: "muted" }, "No time off policy applies.");
  return h("div", { class: "scroll" }, h("table", { id },
    h("thead", {}, h("tr", {}, ["Policy", "Granted", "Accrued", "Used", "Pending", "Balance", "Available"].map((c) => h("th", {}, c)), edit ? h("th", {}, "Grant") : null)),
    h("tbody", {}, list.map((b) => h("tr", { "data-policy": b.policy },
      h("td", {}, b.policy_name, b.paid ? "" : " (unpaid)"),
      h("td", { class: "num" }, hours(b.adjustment_hours)),
      h("td", { class: "num" }, hours(b.accrued_hours), b.capped ? " (capped)" : ""),
      h("td", { class: "num" }, hours(b.used_hours)),
      h("td", { class: "num" }, hours(b.pending_hours)),
      h("td", { class: "num balance" }, h("strong", {}, hours(b.balance_hours))),
      h("td", { class: "num" }, hours(b.available_hours)),
      edit ? h("td", {}, edit(b)) : null)))));
}

function requestForm(mine, render) {
  const today = dayOf(Date.now(), session.org.timezone);
  const form = h("form", {
    class: "card", id: "time-off-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        await pb.send(`/api/tock/orgs/${session.org.id}/time_off_requests`, {
          method: "POST",
          body: { policy: d.get("policy"), start: d.get("start"), end: d.get("end"), hours: Number(d.get("hours")), reason: d.get("reason") },
        });
        render();
      }, "Time off requested: an approver will review it.");
    },
  },
  h("h2", {}, "Request time off"),
  h("div", { class: "row" },
    field("Policy", select("policy", mine.map((b) => [b.policy, `${b.policy_name} (${hours(b.available_hours)} h available)`]), mine[0]?.policy)),
    field("First day", h("input", { type: "date", name: "start", value: addDays(today, 1), required: true })),
    field("Last day", h("input", { type: "date", name: "end", value: addDays(today, 1), required: true })),
    field("Hours", h("input", { type: "number", name: "hours", min: 0.25, step: 0.25, value: 8, required: true, class: "hours" })),
    field("Reason", h("input", { name: "reason", maxlength: 500 })),
    h("button", { type: "submit" }, "Request time off")));
  return form;
}

function requestRow(r, policies, actions) {
  return h("tr", { "data-request": r.id },
    h("td", {}, nameOf(r.user)), h("td", {}, policies.get(r.policy) || "—"),
    h("td", {}, r.start.slice(0, 10) === r.end.slice(0, 10) ? r.start.slice(0, 10) : `${r.start.slice(0, 10)} – ${r.end.slice(0, 10)}`),
    h("td", { class: "num" }, hours(r.hours)), h("td", {}, r.reason), h("td", { class: "status" }, r.status),
    h("td", {}, actions));
}

function requestTable(id, list, policies, actions) {
  return h("div", { class: "scroll" }, h("table", { id },
    h("thead", {}, h("tr", {}, ["Member", "Policy", "Days", "Hours", "Reason", "Status", ""].map((c) => h("th", {}, c)))),
    h("tbody", {}, list.map((r) => requestRow(r, policies, actions(r))))));
}

function post(path, body, done, render) {
  return action(async () => {
    await pb.send(path, { method: "POST", body });
    render();
  }, done);
}

async function memberBalances(params, render) {
  if (!can("Edit Time Off Balances")) return null;
  const people = [...session.people.values()];
  const who = params.get("member") || people[0]?.id;
  if (!who) return null;
  const list = (await balances(who)).balances;
  const grant = (b) => {
    const input = h("input", { type: "number", step: 0.25, value: b.adjustment_hours, class: "hours", "aria-label": `Hours granted to ${nameOf(who)} on ${b.policy_name}` });
    return h("span", { class: "row" }, input, h("button", {
      type: "button", class: "secondary",
      onclick: () => action(async () => {
        const body = { adjustment_hours: Number(input.value) };
        if (b.balance_record) await pb.collection("time_off_balances").update(b.balance_record, body);
        else await pb.collection("time_off_balances").create({ ...body, org: session.org.id, user: who, policy: b.policy });
        render();
      }, "Balance saved."),
    }, "Save"));
  };
  return h("section", {},
    h("h2", {}, "Members' balances"),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Member", select("member", people.map((p) => [p.id, p.name]), who, {
        onchange: (e) => { location.hash = `#/timeoff?${new URLSearchParams({ member: e.target.value })}`; },
      }))),
    balanceTable("member-balances", list, grant));
}

// whoFields picks who a policy covers: everyone, or the members selected.
function whoFields() {
  return [
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "all_members", checked: true }), " Everyone"),
    field("Or only", h("select", { name: "members", multiple: true, size: 3 },
      [...session.people.values()].map((p) => h("option", { value: p.id }, p.name)))),
  ];
}

function who(d) {
  return { all_members: d.get("all_members") === "on", members: d.getAll("members") };
}

function policyForm(render) {
  const form = h("form", {
    class: "row", id: "new-time-off-policy",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        await pb.collection("time_off_policies").create({
          org: session.org.id, name: d.get("name"), paid: d.get("paid") === "on", accrual: d.get("accrual"),
          accrual_rate: Number(d.get("accrual_rate")), max_balance_hours: Number(d.get("max_balance_hours")),
          starts_on: d.get("starts_on") ? d.get("starts_on") + " 00:00:00.000Z" : "", ...who(d),
        });
        render();
      }, "Policy added.");
    },
  },
  field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
  field("Accrual", select("accrual", [["none", "Granted only"], ["per_hour_worked", "Per hour worked"], ["yearly", "Per year"]], "none")),
  field("Rate (hours)", h("input", { type: "number", name: "accrual_rate", min: 0, step: "any", value: 0, class: "hours" }), "per hour worked, or per year"),
  field("Max balance (h)", h("input", { type: "number", name: "max_balance_hours", min: 0, value: 0, class: "hours" }), "0: no cap"),
  field("Starts on", h("input", { type: "date", name: "starts_on" })),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "paid", checked: true }), " Paid"),
  whoFields(),
  h("button", { type: "submit" }, "Add policy"));
  return form;
}

function holidayForm(render) {
  const form = h("form", {
    class: "row", id: "new-holiday-policy",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const holidays = String(d.get("days")).split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
        const [date, ...name] = l.split(/\s+/);
        return { date, name: name.join(" ") };
      });
      action(async () => {
        await pb.collection("holiday_policies").create({ org: session.org.id, name: d.get("name"), holidays, ...who(d) });
        render();
      }, "Holidays added.");
    },
  },
  field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
  field("Days", h("textarea", { name: "days", rows: 3, required: true, placeholder: "2026-12-25 Christmas" }), "one per line: YYYY-MM-DD name"),
  whoFields(),
  h("button", { type: "submit" }, "Add holidays"));
  return form;
}

export async function timeOff({ params, render }) {
  const me = userId();
  const [mine, policyList, holidayList] = await Promise.all([
    balances(me),
    pb.collection("time_off_policies").getFullList({ filter: `org = ${q(session.org.id)}`, sort: "name", batch: 200 }),
    pb.collection("holiday_policies").getFullList({ filter: `org = ${q(session.org.id)}`, sort: "name", batch: 200 }),
  ]);
  const policies = new Map(policyList.map((p) => [p.id, p.name]));
  const mayRequest = can(feature);
  const approver = approverScope();
  const [myRequests, pending] = await Promise.all([
    pb.collection("time_off_requests").getFullList({ filter: `org = ${q(session.org.id)} && user = ${q(me)}`, sort: "-start", batch: 200 }),
    approver ? pb.collection("time_off_requests").getFullList({ filter: `org = ${q(session.org.id)} && status = "pending" && user != ${q(me)}`, sort: "start", batch: 200 }) : [],
  ]);
  const decide = (r) => {
    const note = h("input", { id: `note-${r.id}`, "aria-label": `Note to ${nameOf(r.user)}`, placeholder: "Note (optional)" });
    return h("span", { class: "row" }, note,
      h("button", { type: "button", onclick: () => post(`/api/tock/time_off_requests/${r.id}/approve`, { note: note.value }, "Time off approved.", render) }, "Approve"),
      h("button", { type: "button", class: "danger", onclick: () => post(`/api/tock/time_off_requests/${r.id}/deny`, { note: note.value }, "Time off denied.", render) }, "Deny"));
  };
  const cancel = (r) => r.status === "pending" ?
    h("button", { type: "button", class: "secondary", "aria-label": `Cancel the request from ${r.start.slice(0, 10)}`, onclick: () => post(`/api/tock/time_off_requests/${r.id}/cancel`, {}, "Request cancelled.", render) }, "Cancel") : "";
  const mayPolicies = can("Add Time Off Policies"), mayHolidays = can("Add Holiday Policies");
  const remove = (collection, id, done) => action(() => pb.collection(collection).delete(id), done).then((ok) => ok && render());

  return h("section", {},
    h("h1", {}, "Time off"),
    h("h2", {}, "My balances"),
    balanceTable("my-balances", mine.balances),
    mayRequest && mine.balances.length ? requestForm(mine.balances, render) : null,
    h("h2", {}, "My requests"),
    myRequests.length ? requestTable("my-time-off", myRequests, policies, cancel) : h("p", { class: "muted" }, "No request yet."),
    approver ? h("section", {},
      h("h2", {}, "Requests to approve"),
      pending.length ? requestTable("time-off-approvals", pending, policies, decide) : h("p", { class: "muted" }, "Nothing waiting.")) : null,
    await memberBalances(params, render),
    h("section", {},
      h("h2", {}, "Time off policies"),
      policyList.length ? h("ul", { class: "list", id: "time-off-policies" }, policyList.map((p) => h("li", {},
        h("span", {}, `${p.name}: ${p.paid ? "paid" : "unpaid"}, ` +
          (p.accrual === "none" ? "granted only" : `${p.accrual_rate} h ${p.accrual === "yearly" ? "a year" : "per hour worked"}`) +
          (p.max_balance_hours ? `, at most ${p.max_balance_hours} h` : "") + (p.all_members ? ", everyone" : `, ${p.members.map(nameOf).join(", ") || "nobody yet"}`)),
        mayPolicies ? h("button", { type: "button", class: "danger", "aria-label": `Delete policy ${p.name}`, onclick: () => remove("time_off_policies", p.id, "Policy deleted.") }, "Delete") : null))) :
        h("p", { class: "muted" }, "No time off policy."),
      mayPolicies ? policyForm(render) : null),
    h("section", {},
      h("h2", {}, "Holidays"),
      holidayList.length ? h("ul", { class: "list", id: "holidays" }, holidayList.map((p) => h("li", {},
        h("span", {}, h("strong", {}, p.name), ": ", (p.holidays || []).map((d) => `${d.date} ${d.name}`).join(", ")),
        mayHolidays ? h("button", { type: "button", class: "danger", "aria-label": `Delete holidays ${p.name}`, onclick: () => remove("holiday_policies", p.id, "Holidays deleted.") }, "Delete") : null))) :
        h("p", { class: "muted" }, "No holidays."),
      mayHolidays ? holidayForm(render) : null));
}

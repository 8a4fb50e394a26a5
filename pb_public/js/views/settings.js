// Organization settings and the owners' audit log.
import { pb, session, nameOf, can, loadOrgs } from "../api.js";
import { h, field, select, action, q, go, clock, dayOf, parseDate, zonePicker } from "../ui.js";

// Toggles that widen what managers and team leads may do:
// `managers_<feature>` and `team_leads_<feature>`, read as a sentence.
function toggleLabel(name) {
  const [, who, what] = name.match(/^(managers|team_leads)_(.*)$/);
  const phrases = {
    approve_request_time_off_requests: "approve time-off requests",
    promote_demote_users_in_projects: "promote and demote users in projects",
    manage_pay_bill_rates: "manage pay and bill rates",
    mark_payment_on_team_invoice: "mark payments on team invoices",
    submit_timesheets_for_users: "submit timesheets for their members",
    remove_members_in_project: "remove members from projects",
  };
  return `${who === "managers" ? "Managers" : "Team leads"} may ${phrases[what] || what.replaceAll("_", " ")}`;
}

export async function settings({ render }) {
  const org = await pb.collection("organizations").getOne(session.org.id);
  const mayEdit = can("Edit Organization"), maySettings = can("Change Organization Settings");
  const toggles = Object.keys(org).filter((k) => /^(managers|team_leads)_/.test(k)).sort();

  const form = h("form", {
    class: "card", id: "settings",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form), body = {};
      if (mayEdit) {
        body.name = d.get("name");
        body.timezone = d.get("timezone");
        for (const t of toggles) body[t] = d.get(t) === "on";
      }
      if (maySettings) {
        body.screenshots_per_slot = Number(d.get("screenshots_per_slot"));
        body.blur_screenshots = d.get("blur_screenshots") === "on";
        body.idle_timeout_minutes = Number(d.get("idle_timeout_minutes"));
        body.idle_default = d.get("idle_default");
        body.retention_days = Number(d.get("retention_days"));
        body.allow_screenshot_delete = d.get("allow_screenshot_delete") === "on";
        body.manual_time = d.get("manual_time");
      }
      // Only fields that change are sent: each needs its own permission.
      if (can("Enable Timesheet Approvals") && (d.get("timesheet_approvals") === "on") !== !!org.timesheet_approvals) body.timesheet_approvals = d.get("timesheet_approvals") === "on";
      if (can("Manage Pay Periods") && d.get("pay_period") !== (org.pay_period || "weekly")) body.pay_period = d.get("pay_period");
      action(async () => {
        session.org = await pb.collection("organizations").update(org.id, body);
        await loadOrgs(org.id);
      }, "Settings saved.").then((ok) => ok && render());
    },
  },
  h("fieldset", { disabled: !mayEdit }, h("legend", {}, "Organization"),
    field("Name", h("input", { name: "name", value: org.name, required: true, maxlength: 200 })),
    zonePicker("timezone", org.timezone)),
  h("fieldset", { disabled: !maySettings }, h("legend", {}, "Screenshots and tracking"),
    field("Screenshots per 10 minutes", select("screenshots_per_slot", [["0", "None"], ["1", "1"], ["2", "2"], ["3", "3"]], String(org.screenshots_per_slot))),
    check("blur_screenshots", "Blur screenshots", org.blur_screenshots),
    field("Idle timeout (minutes)", h("input", { name: "idle_timeout_minutes", type: "number", min: 1, max: 240, value: org.idle_timeout_minutes, required: true })),
    field("When someone doesn't answer the idle question", select("idle_default", [["discard", "Discard the idle time"], ["keep", "Keep the idle time"]], org.idle_default || "discard"),
      "The desktop app asks people who come back after the idle timeout whether to keep the time they were away; this applies when they don't answer within a few minutes."),
    field("Keep screenshots for (days)", h("input", { name: "retention_days", type: "number", min: 1, max: org.plan_retention_days || 3650, value: org.retention_days, required: true }),
      org.plan_retention_days ? `The plan keeps screenshots at most ${org.plan_retention_days} days.` : null),
    check("allow_screenshot_delete", "Allow deleting screenshots (as the permission table allows each role)", org.allow_screenshot_delete),
    field("Manual time", select("manual_time", [["allowed", "Members add it"], ["approval", "Members request it; managers approve"], ["off", "Only approvers add it"]], org.manual_time || "allowed"))),
  h("fieldset", { disabled: !can("Enable Timesheet Approvals") && !can("Manage Pay Periods") }, h("legend", {}, "Timesheets"),
    h("fieldset", { disabled: !can("Enable Timesheet Approvals"), class: "plain" },
      check("timesheet_approvals", "Members submit timesheets for approval; approved time is locked", org.timesheet_approvals)),
    h("fieldset", { disabled: !can("Manage Pay Periods"), class: "plain" },
      field("Pay period", select("pay_period", [["weekly", "Weekly"], ["biweekly", "Every two weeks"], ["monthly", "Monthly"]], org.pay_period || "weekly")))),
  mayEdit ? h("fieldset", {}, h("legend", {}, "Permissions you may grant"),
    h("p", { class: "muted" }, "Each switch turns on a permission that Hubstaff's table marks “when enabled”."),
    h("div", { class: "toggles" }, toggles.map((t) => check(t, toggleLabel(t), org[t])))) : null,
  h("button", { type: "submit", disabled: !mayEdit && !maySettings && !can("Enable Timesheet Approvals") }, "Save settings"));

  return h("section", {},
    h("h1", {}, "Organization settings"),
    form,
    await breakPolicies(render),
    can("Delete Organization") ? h("section", { class: "card danger-zone" },
      h("h2", {}, "Delete the organization"),
      h("p", {}, "Deletes every record and screenshot of this organization. This can't be undone."),
      field("Type the organization's name to confirm", h("input", { id: "confirm-org-name", autocomplete: "off" })),
      h("button", {
        type: "button", class: "danger",
        onclick: () => {
          if (document.getElementById("confirm-org-name").value !== org.name) return action(() => { throw new Error("The name doesn't match."); });
          action(async () => {
            await pb.collection("organizations").delete(org.id);
            await loadOrgs();
            go(session.org ? "me" : "orgs/new");
          }, "Organization deleted.");
        },
      }, "Delete organization")) : null);
}

// breakPolicies lists the work-break policies; breaks are found in the
// tracked time (a gap after so many hours of work), never clocked by hand.
async function breakPolicies(render) {
  const list = await pb.collection("break_policies").getFullList({ filter: `org = ${q(session.org.id)}`, sort: "after_minutes", batch: 100 });
  const mayEdit = can("Edit Work Break policies"), mayCreate = can("Create Work Break policies");
  const form = h("form", {
    class: "row", id: "new-break-policy",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(() => pb.collection("break_policies").create({
        org: session.org.id, name: d.get("name"), after_minutes: Math.round(Number(d.get("after_hours")) * 60),
        break_minutes: Number(d.get("break_minutes")), paid: d.get("paid") === "on",
      }), "Break policy added.").then((ok) => ok && render());
    },
  },
  field("Name", h("input", { name: "name", required: true, maxlength: 100, value: "Lunch" })),
  field("After (hours of work)", h("input", { name: "after_hours", type: "number", min: 0.25, max: 24, step: 0.25, value: 4, required: true })),
  field("Break (minutes)", h("input", { name: "break_minutes", type: "number", min: 1, max: 240, value: 30, required: true })),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "paid" }), "Paid"),
  h("button", { type: "submit" }, "Add policy"));
  return h("section", { class: "card" },
    h("h2", {}, "Work breaks"),
    h("p", { class: "muted" }, "A break is the first pause of at least its length once a member has worked the given hours that day."),
    list.length ? h("ul", { class: "list", id: "break-policies" }, list.map((b) => h("li", {},
      h("span", {}, `${b.name}: ${b.break_minutes} min after ${b.after_minutes / 60} h, ${b.paid ? "paid" : "unpaid"}`),
      mayEdit ? h("button", {
        type: "button", class: "secondary", "aria-label": `Delete the policy ${b.name}`,
        onclick: () => action(() => pb.collection("break_policies").delete(b.id), "Break policy deleted.").then((ok) => ok && render()),
      }, "Delete") : null))) : h("p", { class: "muted" }, "No break policy."),
    mayCreate ? form : null);
}

function check(name, label, on) {
  return h("label", { class: "check" }, h("input", { type: "checkbox", name, checked: !!on }), label);
}

export async function auditLog() {
  const tz = session.org.timezone;
  const res = await pb.collection("audit_log").getList(1, 200, { filter: `org = ${q(session.org.id)}`, sort: "-created", skipTotal: true });
  const labels = await recordLabels(res.items);
  return h("section", {},
    h("h1", {}, "Audit log"),
    h("p", { class: "muted" }, "Deletions, moves and key rotations: who did what to whose data. The latest 200 entries."),
    res.items.length === 0 ? h("p", { class: "muted" }, "Nothing yet.") :
      h("div", { class: "scroll" }, h("table", { id: "audit" },
        h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Whose data", "What"].map((c) => h("th", {}, c)))),
        h("tbody", {}, res.items.map((a) => h("tr", {},
          h("td", {}, `${dayOf(parseDate(a.created), tz)} ${clock(parseDate(a.created), tz)}`),
          h("td", {}, a.actor ? nameOf(a.actor) : "server"),
          h("td", {}, a.action.replaceAll("_", " ")),
          h("td", {}, a.subject ? nameOf(a.subject) : ""),
          h("td", { title: `${a.target_collection} ${a.target_id}` }, labels(a))))))));
}

// recordLabels names each entry's record in words: a person by their name,
// a project or team by its name, anything else by its kind and time
// ("screenshot of 14:20"); raw ids stay in the tooltip.
async function recordLabels(items) {
  const tz = session.org.timezone;
  const named = { projects: new Map(), teams: new Map(), clients: new Map() };
  await Promise.all(Object.keys(named).map(async (c) => {
    if (!items.some((a) => a.target_collection === c)) return;
    const list = await pb.collection(c).getFullList({ fields: "id,name", batch: 500 }).catch(() => []);
    for (const r of list) named[c].set(r.id, r.name);
  }));
  const kinds = { screenshots: "Screenshot", activities: "Time", app_usage: "App use", memberships: "Membership", organizations: "Organization", invites: "Invitation" };
  return (a) => {
    const c = a.target_collection, id = a.target_id;
    if (c === "users" || session.people.has(id)) return nameOf(id);
    if (named[c]?.has(id)) return `${c.slice(0, -1).replace(/^./, (x) => x.toUpperCase())} ${named[c].get(id)}`;
    if (c === "organizations" && id === session.org.id) return `Organization ${session.org.name}`;
    const when = a.details?.taken_at || a.details?.slot_start;
    const kind = kinds[c] || c.replaceAll("_", " ").replace(/s$/, "").replace(/^./, (x) => x.toUpperCase());
    if (a.details?.email) return `${kind} for ${a.details.email}`;
    if (a.details?.number) return `${kind} ${a.details.number}`;
    return when ? `${kind} of ${dayOf(parseDate(when), tz)} ${clock(parseDate(when), tz)}` : kind;
  };
}

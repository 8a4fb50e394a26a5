// The organization itself: archive or restore it, leave it, its plan and
// what it uses (owners), its modules on or off (owners and managers), and
// moving a project to another organization one owns. Name, time zone and
// deletion stay on the Settings page.
import { pb, session, userId, can, loadOrgs } from "../api.js";
import { h, field, action, go, q, dayOf, parseDate } from "../ui.js";

// Module switches, in the order of the server's list (migrations.Modules).
export const modules = [
  ["invoices", "Invoices"], ["payroll", "Payroll"], ["time_off", "Time off"], ["schedules", "Schedules"],
  ["job_sites", "Job sites"], ["work_orders", "Work orders"], ["integrations", "Integrations"],
];

function bytes(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export async function organization({ render }) {
  const org = await pb.collection("organizations").getOne(session.org.id);
  const refresh = async () => {
    await loadOrgs(org.id);
    render();
  };
  return h("section", {},
    h("h1", {}, "Organization"),
    lifecycle(org, refresh),
    can("Billing") ? await billing(org, refresh) : null,
    can("Add/Remove Features") ? features(org, refresh) : null,
    can("Leave Organization") ? leave(org) : null);
}

function lifecycle(org, refresh) {
  const mayArchive = can("Archive Organization"), mayRestore = can("Restore Organization");
  if (!mayArchive && !mayRestore) return null;
  return h("section", { class: "card", id: "org-status" },
    h("h2", {}, org.archived ? "Archived" : "Active"),
    h("p", { class: "muted" }, org.archived
      ? "An archived organization keeps all its data; restore it to work in it again."
      : "Archiving keeps all data and can be undone."),
    org.archived && mayRestore ? h("button", {
      type: "button", onclick: () => action(() => pb.collection("organizations").update(org.id, { archived: false }), "Organization restored.").then((ok) => ok && refresh()),
    }, "Restore organization") : null,
    !org.archived && mayArchive ? h("button", {
      type: "button", class: "secondary", onclick: () => action(() => pb.collection("organizations").update(org.id, { archived: true }), "Organization archived.").then((ok) => ok && refresh()),
    }, "Archive organization") : null);
}

async function billing(org, refresh) {
  const b = await pb.send(`/api/tock/orgs/${org.id}/billing`, {});
  const mayChange = can("Change Subscription Plan");
  const form = h("form", {
    class: "row", id: "plan",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(() => pb.collection("organizations").update(org.id, {
        seat_limit: Number(d.get("seat_limit") || 0), plan_retention_days: Number(d.get("plan_retention_days") || 0),
      }), "Plan saved.").then((ok) => ok && refresh());
    },
  },
  field("Seats (0 = unlimited)", h("input", { name: "seat_limit", type: "number", min: 0, max: 100000, value: b.plan.seat_limit })),
  field("Keep screenshots at most (days, 0 = no cap)", h("input", { name: "plan_retention_days", type: "number", min: 0, max: 3650, value: b.plan.plan_retention_days })),
  h("button", { type: "submit" }, "Save plan"));
  const tz = session.org.timezone;
  return h("section", { class: "card", id: "billing" },
    h("h2", {}, "Plan and usage"),
    h("p", { class: "muted" }, "Tock is self-hosted: there is nothing to pay here. The plan sets this organization's limits."),
    h("dl", { class: "facts" },
      h("dt", {}, "Seats used"), h("dd", { id: "seats-used" }, b.seats.limit ? `${b.seats.used} of ${b.seats.limit}` : `${b.seats.used} (no limit)`),
      h("dt", {}, "Screenshots stored"), h("dd", { id: "screenshots-stored" }, `${b.screenshots} (${bytes(b.stored_bytes)} encrypted)`),
      h("dt", {}, "Oldest screenshot"), h("dd", {}, b.oldest_screenshot ? dayOf(parseDate(b.oldest_screenshot), tz) : "none"),
      h("dt", {}, "Screenshots kept for"), h("dd", {}, `${b.retention_days} days`)),
    mayChange ? form : null,
    h("details", {}, h("summary", {}, `Members holding a seat (${b.seats.used})`),
      h("ul", { class: "list", id: "billing-members" }, b.members.map((m) => h("li", {},
        h("span", {}, m.name || m.email), h("span", { class: "muted" }, `${m.role}, ${m.status}`))))));
}

function features(org, refresh) {
  const form = h("form", {
    class: "card", id: "features",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form), body = {};
      for (const [m] of modules) {
        const on = d.get(`feature_${m}`) === "on";
        if (on !== !!org[`feature_${m}`]) body[`feature_${m}`] = on;
      }
      action(() => pb.collection("organizations").update(org.id, body), "Features saved.").then((ok) => ok && refresh());
    },
  },
  h("h2", {}, "Features"),
  h("p", { class: "muted" }, "A feature that is off disappears from the app; nothing new can be created in it. Its data is kept."),
  h("div", { class: "toggles" }, modules.map(([m, label]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: `feature_${m}`, checked: !!org[`feature_${m}`] }), label))),
  h("button", { type: "submit" }, "Save features"));
  return form;
}

function leave(org) {
  // Two steps: leaving can only be undone by a new invitation.
  const confirm = h("button", {
    type: "button", class: "danger", id: "leave-confirm", hidden: true,
    onclick: () => action(async () => {
      const mine = await pb.collection("memberships").getFirstListItem(`org = ${q(org.id)} && user = ${q(userId())}`);
      await pb.collection("memberships").delete(mine.id);
      await loadOrgs();
      go(session.org ? "me" : "orgs/new");
    }, "You left the organization."),
  }, `Yes, leave ${org.name}`);
  return h("section", { class: "card danger-zone", id: "leave" },
    h("h2", {}, "Leave the organization"),
    h("p", {}, "You lose access to its projects and your time there; your tracked time stays with the organization. Only a new invitation brings you back."),
    h("button", {
      type: "button", class: "secondary", id: "leave-start",
      onclick: (e) => {
        e.target.hidden = true;
        confirm.hidden = false;
        confirm.focus();
      },
    }, `Leave ${org.name}…`),
    confirm);
}

// transferCard lets someone who owns this organization and another move a
// project there, with its tasks, time and screenshots.
export async function transferCard(project) {
  if (!can("Transfer Projects (Same Account)")) return null;
  const owned = await pb.collection("memberships").getFullList({ filter: `user = ${q(userId())} && role = "owner" && status = "active"`, batch: 200 });
  const targets = session.orgs.filter((o) => o.id !== project.org && owned.some((m) => m.org === o.id));
  if (targets.length === 0) return null;
  const form = h("form", {
    class: "card row danger-zone", id: "transfer-project",
    onsubmit: (e) => {
      e.preventDefault();
      const to = new FormData(form).get("org");
      action(async () => {
        await pb.send(`/api/tock/projects/${project.id}/transfer`, { method: "POST", body: { org: to } });
        await loadOrgs(to);
        go(`projects/${project.id}`);
      }, "Project moved with its tasks, time and screenshots.");
    },
  },
  h("h2", {}, "Move to another organization"),
  field("Organization", h("select", { name: "org" }, targets.map((o) => h("option", { value: o.id }, o.name)))),
  h("button", { type: "submit", class: "danger" }, "Move project"));
  return form;
}

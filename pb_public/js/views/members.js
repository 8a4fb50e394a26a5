// Members: the organization's people, their roles, and invitations.
import { pb, session, nameOf, byName, userId, can, canOn, loadOrgs } from "../api.js";
import { h, field, select, action, q, go, say, parseDate } from "../ui.js";

const roles = [["user", "User"], ["manager", "Manager"], ["owner", "Owner"]];

export async function members({ render }) {
  const org = session.org.id, me = session.me;
  const list = can("View Organization Members") || can("Remove Users") ?
    await pb.collection("memberships").getFullList({ filter: `org = ${q(org)}`, batch: 500 }) : [];
  list.sort((a, b) => byName(a.user, b.user));

  const rows = list.map((m) => {
    const self = m.user === userId();
    // Organization roles are owners' and managers' to set (project managers
    // and team leads change project roles, on the project's page); only an
    // owner makes or unmakes an owner.
    const setsRoles = me.role === "owner" || me.role === "manager";
    const mayRole = !self && setsRoles && canOn("Change User Roles", { user: m.user }) && (m.role !== "owner" || me.role === "owner");
    const roleCell = mayRole ?
      select("role", roles.filter(([r]) => r !== "owner" || me.role === "owner"), m.role, {
        "aria-label": `Role of ${nameOf(m.user)}`,
        onchange: (e) => action(() => pb.collection("memberships").update(m.id, { role: e.target.value }), "Role changed.").then((ok) => ok || render()),
      }) : m.role;
    const remove = self ?
      (can("Leave Organization") ? h("button", {
        type: "button", class: "secondary",
        onclick: () => action(async () => {
          await pb.collection("memberships").delete(m.id);
          await loadOrgs();
          go(session.org ? "me" : "orgs/new");
        }, "You left the organization."),
      }, "Leave") : null) :
      (canOn("Remove Users", { user: m.user }) ? h("button", {
        type: "button", class: "danger", "aria-label": `Remove ${nameOf(m.user)}`,
        onclick: () => action(() => pb.collection("memberships").delete(m.id), "Member removed.").then((ok) => ok && render()),
      }, "Remove") : null);
    return h("tr", { "data-user": m.user },
      h("td", {}, nameOf(m.user)), h("td", {}, session.people.get(m.user)?.email || ""),
      h("td", {}, roleCell), h("td", {}, m.status), h("td", {}, limits(m)), h("td", {}, tracking(m)), h("td", {}, remove));
  });

  return h("section", {},
    h("h1", {}, "Members"),
    can("Invite Users") ? await inviteForm() : null,
    rows.length ? h("div", { class: "scroll" }, h("table", { id: "members" },
      h("thead", {}, h("tr", {}, ["Name", "E-mail", "Role", "Status", "Limits (hours a day / week)", "Tracking", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, rows))) : null,
    can("View and Manage Invites") ? await invites(render) : null);
}

// limits shows a member's daily and weekly limits, editable by those who may set them.
function limits(m) {
  const show = (n) => (n ? `${n} h` : "No limit");
  if (!canOn("Set Daily/Weekly Limits", { user: m.user })) return `${show(m.daily_limit_hours)} / ${show(m.weekly_limit_hours)}`;
  const input = (name, max, label) => h("input", {
    // An empty box is no limit (stored as 0), which the placeholder says.
    type: "number", name, min: 0, max, step: "0.5", value: m[name] || "", placeholder: "No limit", class: "hours",
    "aria-label": `${label} of ${nameOf(m.user)} (empty: no limit)`,
    onchange: (e) => action(() => pb.collection("memberships").update(m.id, { [name]: Number(e.target.value) || 0 }),
      Number(e.target.value) ? "Limit saved." : "Limit removed: no limit."),
  });
  return h("span", { class: "row" }, input("daily_limit_hours", 24, "Daily limit"), input("weekly_limit_hours", 168, "Weekly limit"));
}

// tracking shows whether a member may track time, switchable by those allowed.
function tracking(m) {
  const on = m.tracking_enabled !== false;
  if (!canOn("Enable/Disable Time Tracking", { user: m.user })) return on ? "on" : "off";
  return h("input", {
    type: "checkbox", checked: on, "aria-label": `${nameOf(m.user)} may track time`,
    onchange: (e) => action(() => pb.collection("memberships").update(m.id, { tracking_enabled: e.target.checked }), e.target.checked ? "Tracking turned on." : "Tracking turned off."),
  });
}

async function inviteForm() {
  const me = session.me;
  // Team leads invite plain users into a team they lead (when the owner allows it).
  const leadOnly = !can("View Organization Members");
  const teams = (await pb.collection("teams").getFullList({ sort: "name", batch: 500 }))
    .filter((t) => !leadOnly || me.ledTeams.includes(t.id));
  const result = h("div", { id: "invite-result", "aria-live": "polite" });
  const form = h("form", {
    id: "invite-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const body = { email: d.get("email"), role: d.get("role") };
      if (d.get("team")) body.team = d.get("team");
      action(async () => {
        const inv = await pb.send(`/api/tock/orgs/${session.org.id}/invites`, { method: "POST", body });
        const link = new URL(inv.link, location.origin).href;
        result.replaceChildren(
          h("p", {}, inv.emailed ? `We e-mailed ${inv.email} an invitation. You can also send them this link:` : `Send ${inv.email} this link; it works once, for 7 days:`),
          h("div", { class: "row" },
            h("input", { readonly: true, value: link, id: "invite-link", "aria-label": "Invitation link", onfocus: (ev) => ev.target.select() }),
            h("button", { type: "button", class: "secondary", id: "copy-invite-link", onclick: () => copy(link) }, "Copy link")));
        form.reset();
      }, "Invitation created.");
    },
  },
  h("h2", {}, "Invite a member"),
  h("div", { class: "row" },
    field("E-mail", h("input", { name: "email", type: "email", required: true })),
    field("Role", leadOnly ? select("role", [["user", "User"]], "user") : select("role", roles.filter(([r]) => r !== "owner" || me.role === "owner"), "user")),
    teams.length ? field("Team", select("team", [...(leadOnly ? [] : [["", "No team"]]), ...teams.map((t) => [t.id, t.name])], leadOnly ? teams[0].id : "")) : null,
    h("button", { type: "submit" }, "Invite")));
  // The link sits outside the form, so that resetting the form keeps it.
  return h("div", { class: "card" }, form, result);
}

// copy puts text on the clipboard, with the old select-and-copy where the
// Clipboard API is missing (a page served over plain HTTP to another host).
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const box = document.getElementById("invite-link");
    box.select();
    if (!document.execCommand("copy")) return say("Copying isn't allowed here: select the link and copy it.", "error");
  }
  say("Link copied.");
}

// invites lists the invitations not yet accepted: the pending ones, and
// those whose week ran out (they no longer work; revoking clears them).
async function invites(render) {
  const list = await pb.collection("invites").getFullList({ filter: `org = ${q(session.org.id)} && status = "pending"`, sort: "-created", batch: 200 });
  if (!list.length) return null;
  const now = Date.now();
  const expired = (i) => parseDate(i.expires) <= now;
  list.sort((a, b) => expired(a) - expired(b));
  return h("section", {},
    h("h2", {}, "Invitations"),
    h("div", { class: "scroll" }, h("table", { id: "invites" },
      h("thead", {}, h("tr", {}, ["E-mail", "Role", "Status", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, list.map((i) => h("tr", { class: expired(i) ? "expired" : "" },
        h("td", {}, i.email), h("td", {}, i.role),
        h("td", {}, expired(i) ? h("span", { class: "badge" }, `Expired ${i.expires.slice(0, 10)}`) : `Pending until ${i.expires.slice(0, 10)}`),
        h("td", {}, h("button", {
          type: "button", class: "secondary", "aria-label": `${expired(i) ? "Remove" : "Revoke"} the invitation of ${i.email}`,
          onclick: () => action(() => pb.collection("invites").delete(i.id), "Invitation revoked.").then((ok) => ok && render()),
        }, expired(i) ? "Remove" : "Revoke"))))))));
}

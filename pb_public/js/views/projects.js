// Projects and their members.
import { pb, session, nameOf, byName, can, canOn } from "../api.js";
import { h, field, select, action, q } from "../ui.js";
import { transferCard } from "./organization.js";

const projectRoles = [["user", "User"], ["manager", "Manager"], ["viewer", "Viewer"]];

export async function projects({ params, render }) {
  const showArchived = params.get("archived") === "1";
  const list = await pb.collection("projects").getFullList({ filter: showArchived ? "" : "archived = false", sort: "name", batch: 500 });
  const teamChoices = await projectTeams();
  const form = h("form", {
    class: "card row", id: "new-project",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      // The route creates the project and joins it to the team at once: a
      // team lead may create projects only in the teams they lead.
      action(() => pb.send(`/api/tock/orgs/${session.org.id}/projects`, { method: "POST", body: { name: d.get("name"), team: d.get("team") || "" } }), "Project created.")
        .then((ok) => ok && render());
    },
  }, field("New project", h("input", { name: "name", required: true, maxlength: 200 })),
  teamChoices.length ? field("Team", select("team", teamChoices, teamChoices[0][0])) : null,
  h("button", { type: "submit" }, "Create project"));

  return h("section", {},
    h("h1", {}, "Projects"),
    can("Create Projects") ? form : null,
    h("p", {}, h("a", { href: showArchived ? "#/projects" : "#/projects?archived=1" }, showArchived ? "Hide archived projects" : "Show archived projects")),
    list.length === 0 ? h("p", { class: "muted" }, "No project you can see.") :
      h("ul", { class: "list", id: "projects" }, list.map((p) => h("li", {},
        h("a", { href: `#/projects/${p.id}` }, p.name),
        p.archived ? h("span", { class: "badge" }, "archived") : null,
        session.me.projectRoles[p.id] ? h("span", { class: "muted" }, `you: ${session.me.projectRoles[p.id]}`) : null,
        canOn("Archive Projects", { project: p.id }) ? h("button", {
          type: "button", class: "secondary",
          onclick: () => action(() => pb.collection("projects").update(p.id, { archived: !p.archived })).then((ok) => ok && render()),
        }, p.archived ? "Restore" : "Archive") : null,
        canOn("Delete Projects", { project: p.id }) ? h("button", {
          type: "button", class: "danger", "aria-label": `Delete ${p.name}`,
          onclick: () => action(() => pb.collection("projects").delete(p.id), "Project deleted.").then((ok) => ok && render()),
        }, "Delete") : null))));
}

export async function project({ id, render }) {
  const p = await pb.collection("projects").getOne(id);
  const at = { project: id };
  const seeMembers = canOn("View Project Members", at);
  const members = seeMembers ? await pb.collection("project_members").getFullList({ filter: `project = ${q(id)}`, batch: 500 }) : [];
  members.sort((a, b) => byName(a.user, b.user));

  const edit = canOn("Edit Projects", at);
  const budget = canOn("Manage Project Budget", at);
  // Clients are listed to those who manage them; a project's client says
  // whom its time is billed to.
  const clients = edit && can("Edit Clients") ? await pb.collection("clients").getFullList({ sort: "name", fields: "id,name", batch: 500 }) : null;
  const form = h("form", {
    class: "card", id: "edit-project",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form), body = {};
      if (edit) body.name = d.get("name");
      if (clients) body.client = d.get("client");
      if (budget) Object.assign(body, { budget_type: d.get("budget_type"), budget: Number(d.get("budget") || 0) });
      action(() => pb.collection("projects").update(id, body), "Project saved.").then((ok) => ok && render());
    },
  },
  field("Name", h("input", { name: "name", value: p.name, required: true, disabled: !edit })),
  clients ? field("Client", select("client", [["", "No client"], ...clients.map((c) => [c.id, c.name])], p.client || "")) : null,
  canOn("View Project Budget", at) ? h("div", { class: "row" },
    field("Budget type", select("budget_type", [["", "None"], ["hours", "Hours"], ["cost", "Cost"]], p.budget_type || "", { disabled: !budget })),
    field("Budget", h("input", { name: "budget", type: "number", min: 0, step: "any", value: p.budget ?? 0, disabled: !budget }))) : null,
  edit || budget ? h("button", { type: "submit" }, "Save") : null);

  const memberIds = new Set(members.map((m) => m.user));
  const candidates = [...session.people.values()].filter((u) => !memberIds.has(u.id) && (!u.status || u.status === "active"));
  const add = h("form", {
    class: "card row", id: "add-project-member",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(add);
      action(() => pb.collection("project_members").create({ org: session.org.id, project: id, user: d.get("user"), role: d.get("role") }), "Member added.")
        .then((ok) => ok && render());
    },
  },
  field("Person", select("user", candidates.map((u) => [u.id, u.name]), candidates[0]?.id)),
  field("Role", select("role", projectRoles, "user")),
  h("button", { type: "submit" }, "Add to project"));

  return h("section", {},
    h("p", {}, h("a", { href: "#/projects" }, "← Projects")),
    h("h1", {}, p.name),
    p.archived ? h("p", { class: "badge" }, "archived") : null,
    form,
    seeMembers ? [
      h("h2", {}, "Members"),
      (canOn("Add Project Members", at) || canOn("Manage Assigned Projects", at)) && candidates.length ? add : null,
      h("table", { id: "project-members" },
        h("thead", {}, h("tr", {}, ["Name", "Role", ""].map((c) => h("th", {}, c)))),
        h("tbody", {}, members.map((m) => h("tr", { "data-user": m.user },
          h("td", {}, nameOf(m.user)),
          h("td", {}, mayRole(m, at) ? select("role", projectRoles, m.role, {
            "aria-label": `Project role of ${nameOf(m.user)}`,
            onchange: (e) => action(() => pb.collection("project_members").update(m.id, { role: e.target.value }), "Role changed.").then((ok) => ok || render()),
          }) : m.role),
          h("td", {}, canOn("Remove Members In Project", at) || canOn("Manage Assigned Projects", at) ? h("button", {
            type: "button", class: "danger", "aria-label": `Remove ${nameOf(m.user)} from ${p.name}`,
            onclick: () => action(() => pb.collection("project_members").delete(m.id), "Removed from the project.").then((ok) => ok && render()),
          }, "Remove") : null))))),
    ] : null,
    await transferCard(p));
}

// projectTeams are the teams a new project may join: optional for those who
// create projects anywhere, one of their own teams for a team lead.
async function projectTeams() {
  const scope = session.me.features["Create Projects"];
  if (!scope) return [];
  const teams = can("Manage Teams") || scope.teams.length ? await pb.collection("teams").getFullList({ sort: "name", batch: 500 }) : [];
  if (scope.all) return teams.length ? [["", "No team"], ...teams.map((t) => [t.id, t.name])] : [];
  return teams.filter((t) => scope.teams.includes(t.id)).map((t) => [t.id, t.name]);
}

// mayRole: a project role is changed by whoever holds Change User Roles or
// Promote/Demote Users In Projects on the project (a team lead for their
// teams' projects, as a project manager for theirs), and never an
// organization manager's or owner's by anyone below them.
function mayRole(m, at) {
  const me = session.me;
  if (!canOn("Change User Roles", at) && !canOn("Promote/Demote Users In Projects", at)) return false;
  const theirs = session.people.get(m.user)?.role;
  const rank = { owner: 3, manager: 2 };
  return (rank[theirs] || 0) <= (rank[me.role] || 0);
}

// Teams: leads, members and projects.
import { pb, session, nameOf, byName, can, canOn } from "../api.js";
import { h, field, select, action, q, go } from "../ui.js";
import { projectNames } from "../lib/data.js";

export async function teams({ render }) {
  const list = await pb.collection("teams").getFullList({ sort: "name", batch: 500 });
  const form = h("form", {
    class: "card row", id: "new-team",
    onsubmit: (e) => {
      e.preventDefault();
      action(() => pb.collection("teams").create({ org: session.org.id, name: new FormData(form).get("name") }), "Team created.")
        .then((ok) => ok && render());
    },
  }, field("New team", h("input", { name: "name", required: true, maxlength: 200 })), h("button", { type: "submit" }, "Create team"));
  return h("section", {},
    h("h1", {}, "Teams"),
    can("Create Teams") ? form : null,
    list.length === 0 ? h("p", { class: "muted" }, "No team you can see.") :
      h("ul", { class: "list", id: "teams" }, list.map((t) => h("li", {},
        h("a", { href: `#/teams/${t.id}` }, t.name),
        session.me.ledTeams.includes(t.id) ? h("span", { class: "badge" }, "you lead") : null))));
}

export async function team({ id, render }) {
  const t = await pb.collection("teams").getOne(id);
  const at = { team: id };
  const [members, links, names] = await Promise.all([
    pb.collection("team_members").getFullList({ filter: `team = ${q(id)}`, batch: 500 }),
    pb.collection("team_projects").getFullList({ filter: `team = ${q(id)}`, batch: 500 }),
    projectNames(),
  ]);
  members.sort((a, b) => byName(a.user, b.user));
  const mayMembers = canOn("Modify Team members", at), mayLeads = canOn("Add/Remove Team Leads", at), mayProjects = canOn("Modify Team Projects", at);
  const reload = (ok) => ok && render();

  const inTeam = new Set(members.map((m) => m.user));
  const people = [...session.people.values()].filter((p) => !inTeam.has(p.id) && (!p.status || p.status === "active"));
  const addMember = h("form", {
    class: "card row", id: "add-team-member",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(addMember);
      action(() => pb.collection("team_members").create({ org: session.org.id, team: id, user: d.get("user"), is_lead: d.get("is_lead") === "on" }), "Member added.").then(reload);
    },
  }, field("Person", select("user", people.map((p) => [p.id, p.name]), people[0]?.id)),
  mayLeads ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "is_lead" }), "Team lead") : null,
  h("button", { type: "submit" }, "Add to team"));

  const linked = new Set(links.map((l) => l.project));
  const free = [...names].filter(([pid]) => !linked.has(pid));
  const addProject = h("form", {
    class: "card row", id: "add-team-project",
    onsubmit: (e) => {
      e.preventDefault();
      action(() => pb.collection("team_projects").create({ org: session.org.id, team: id, project: new FormData(addProject).get("project") }), "Project added.").then(reload);
    },
  }, field("Project", select("project", free, free[0]?.[0])), h("button", { type: "submit" }, "Add project"));

  return h("section", {},
    h("p", {}, h("a", { href: "#/teams" }, "← Teams")),
    h("h1", {}, t.name),
    h("h2", {}, "Members"),
    mayMembers && people.length ? addMember : null,
    h("table", { id: "team-members" },
      h("thead", {}, h("tr", {}, ["Name", "Lead", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, members.map((m) => h("tr", { "data-user": m.user },
        h("td", {}, nameOf(m.user)),
        h("td", {}, mayLeads ? h("input", {
          type: "checkbox", checked: m.is_lead, "aria-label": `${nameOf(m.user)} leads ${t.name}`,
          onchange: (e) => action(() => pb.collection("team_members").update(m.id, { is_lead: e.target.checked })).then((ok) => ok || render()),
        }) : m.is_lead ? "lead" : ""),
        h("td", {}, mayMembers ? h("button", {
          type: "button", class: "danger", "aria-label": `Remove ${nameOf(m.user)} from ${t.name}`,
          onclick: () => action(() => pb.collection("team_members").delete(m.id), "Removed from the team.").then(reload),
        }, "Remove") : null))))),
    h("h2", {}, "Projects"),
    mayProjects && free.length ? addProject : null,
    h("ul", { class: "list", id: "team-projects" }, links.map((l) => h("li", {},
      names.get(l.project) || "A project you can't see",
      mayProjects ? h("button", {
        type: "button", class: "secondary",
        onclick: () => action(() => pb.collection("team_projects").delete(l.id), "Project removed from the team.").then(reload),
      }, "Remove") : null))),
    canOn("Manage Teams", at) && can("Create Teams") ? h("p", {}, h("button", {
      type: "button", class: "danger",
      onclick: () => action(async () => {
        await pb.collection("teams").delete(id);
        go("teams");
      }, "Team deleted."),
    }, "Delete team")) : null);
}

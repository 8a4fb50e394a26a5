// Tasks of one project.
import { pb, session, nameOf, canOn } from "../api.js";
import { h, field, select, action, q, go } from "../ui.js";

export async function tasks({ params, render }) {
  const projects = await pb.collection("projects").getFullList({ filter: "archived = false", sort: "name", fields: "id,name", batch: 500 });
  const project = params.get("project") || projects[0]?.id;
  if (!project) return h("section", {}, h("h1", {}, "Tasks"), h("p", { class: "muted" }, "No project you can see."));
  const list = await pb.collection("tasks").getFullList({ filter: `project = ${q(project)}`, sort: "completed,title", batch: 500 });
  const at = { project };
  const edit = canOn("Add/Edit/Remove Tasks", at), complete = canOn("Mark Tasks as Complete", at);
  const reload = (ok) => ok && render();

  const form = h("form", {
    class: "card row", id: "new-task",
    onsubmit: (e) => {
      e.preventDefault();
      action(() => pb.collection("tasks").create({ org: session.org.id, project, title: new FormData(form).get("title") }), "Task added.").then(reload);
    },
  }, field("New task", h("input", { name: "title", required: true, maxlength: 500 })), h("button", { type: "submit" }, "Add task"));

  return h("section", {},
    h("h1", {}, "Tasks"),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Project", select("project", projects.map((p) => [p.id, p.name]), project, { onchange: (e) => go(`tasks?project=${e.target.value}`) }))),
    edit ? form : null,
    list.length === 0 ? h("p", { class: "muted" }, "No tasks yet.") :
      h("ul", { class: "list", id: "tasks" }, list.map((t) => h("li", { class: t.completed ? "done" : "" },
        h("label", { class: "check" },
          h("input", {
            type: "checkbox", checked: t.completed, disabled: !complete,
            onchange: (e) => action(() => pb.collection("tasks").update(t.id, { completed: e.target.checked })).then((ok) => ok || render()),
          }),
          t.title),
        t.assignees?.length ? h("span", { class: "muted" }, t.assignees.map(nameOf).join(", ")) : null,
        edit ? h("button", {
          type: "button", class: "secondary", "aria-label": `Delete task ${t.title}`,
          onclick: () => action(() => pb.collection("tasks").delete(t.id), "Task deleted.").then(reload),
        }, "Delete") : null))));
}

// Work orders and their jobs: who works where and when, and each job's status.
import { pb, session, nameOf, can, userId } from "../api.js";
import { h, field, select, action, dayOf, dayStart, instant, clock, parseDate, pbDate } from "../ui.js";

const statusNames = { open: "Open", in_progress: "In progress", done: "Done", scheduled: "Scheduled" };

// jobForm adds a job to a work order: who, where, when.
function jobForm(order, sites, render) {
  const tz = session.org.timezone;
  const form = h("form", {
    class: "row", id: `new-job-${order.id}`,
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const day = d.get("day");
      action(() => pb.collection("jobs").create({
        org: session.org.id, work_order: order.id, assignee: d.get("assignee"), job_site: d.get("job_site"),
        start: pbDate(instant(day, d.get("from"), tz)), end: pbDate(instant(day, d.get("to"), tz)), status: "scheduled",
      }), "Job added.").then((ok) => ok && render());
    },
  },
  field("Member", select("assignee", [...session.people.values()].map((p) => [p.id, p.name]), "")),
  field("Job site", select("job_site", [["", "No job site"], ...sites.map((s) => [s.id, s.name])], "")),
  field("Day", h("input", { type: "date", name: "day", required: true, value: dayOf(Date.now(), tz) })),
  field("From", h("input", { type: "time", name: "from", required: true, value: "09:00" })),
  field("To", h("input", { type: "time", name: "to", required: true, value: "17:00" })),
  h("button", { type: "submit", "aria-label": `Add job to ${order.title}` }, "Add job"));
  return form;
}

function jobRow(job, sites, addJobs, render) {
  const tz = session.org.timezone;
  const mine = job.assignee === userId();
  const setStatus = (status, done) => action(() => pb.send(`/api/tock/jobs/${job.id}/status`, { method: "POST", body: { status } }), done)
    .then((ok) => ok && render());
  const start = parseDate(job.start), end = parseDate(job.end);
  return h("tr", { "data-job": job.id },
    h("td", {}, nameOf(job.assignee)),
    h("td", {}, sites.get(job.job_site) || "—"),
    h("td", {}, `${dayOf(start, tz)} ${clock(start, tz)}–${clock(end, tz)}`),
    h("td", { class: "job-status" }, statusNames[job.status] || job.status),
    h("td", {},
      (mine || addJobs) && job.status === "scheduled" ? h("button", { type: "button", class: "secondary", onclick: () => setStatus("in_progress", "Job started.") }, "Start") : null,
      (mine || addJobs) && job.status !== "done" ? h("button", { type: "button", class: "mark-done", onclick: () => setStatus("done", "Job done.") }, "Mark done") : null,
      addJobs && job.status === "done" ? h("button", { type: "button", class: "secondary", onclick: () => setStatus("scheduled", "Job reopened.") }, "Reopen") : null,
      addJobs ? h("button", {
        type: "button", class: "secondary", "aria-label": `Remove job of ${nameOf(job.assignee)}`,
        onclick: () => action(() => pb.collection("jobs").delete(job.id), "Job removed.").then((ok) => ok && render()),
      }, "Remove") : null));
}

export async function workOrders({ render }) {
  const create = can("Create Work Orders"), addJobs = can("Add jobs");
  const [orders, jobs, siteList, clients] = await Promise.all([
    pb.collection("work_orders").getFullList({ sort: "status,due,title", batch: 500 }),
    pb.collection("jobs").getFullList({ sort: "start", batch: 500 }),
    pb.collection("job_sites").getFullList({ sort: "name", fields: "id,name", batch: 500 }),
    can("Edit Clients") ? pb.collection("clients").getFullList({ sort: "name", fields: "id,name", batch: 500 }) : [],
  ]);
  const sites = new Map(siteList.map((s) => [s.id, s.name]));
  const clientNames = new Map(clients.map((c) => [c.id, c.name]));
  const jobsOf = (order) => jobs.filter((j) => j.work_order === order.id);
  // Members are shown the orders they have jobs in (the server lets every
  // member read all of them: they hold no one's personal data).
  const mine = new Set(jobs.filter((j) => j.assignee === userId()).map((j) => j.work_order));
  const shown = create || addJobs ? orders : orders.filter((o) => mine.has(o.id));

  const form = h("form", {
    class: "card row", id: "new-work-order",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(() => pb.collection("work_orders").create({
        org: session.org.id, title: d.get("title"), description: d.get("description"), client: d.get("client"),
        status: "open", due: d.get("due") ? pbDate(dayStart(d.get("due"), session.org.timezone)) : "",
      }), "Work order created.").then((ok) => ok && render());
    },
  },
  field("Title", h("input", { name: "title", required: true, maxlength: 200 })),
  field("Description", h("input", { name: "description", maxlength: 5000 })),
  field("Client", select("client", [["", "No client"], ...clients.map((c) => [c.id, c.name])], "")),
  field("Due", h("input", { type: "date", name: "due" })),
  h("button", { type: "submit" }, "Create work order"));

  return h("section", {},
    h("h1", {}, "Work orders"),
    create ? form : null,
    shown.length === 0 ? h("p", { class: "muted" }, create ? "No work orders yet." : "No jobs assigned to you.") :
      h("div", { id: "work-orders" }, shown.map((o) => h("article", { class: "card", "data-order": o.id },
        h("h2", {}, o.title),
        h("p", { class: "muted" }, [
          clientNames.get(o.client), o.due ? `due ${dayOf(parseDate(o.due), session.org.timezone)}` : null,
        ].filter(Boolean).join(" · ")),
        o.description ? h("p", {}, o.description) : null,
        create ? h("div", { class: "row" },
          field("Status", select("status", Object.entries(statusNames).filter(([k]) => k !== "scheduled"), o.status, {
            "aria-label": `Status of ${o.title}`,
            onchange: (e) => action(() => pb.collection("work_orders").update(o.id, { status: e.target.value }), "Work order saved."),
          })),
          h("button", {
            type: "button", class: "secondary", "aria-label": `Delete work order ${o.title}`,
            onclick: () => action(() => pb.collection("work_orders").delete(o.id), "Work order deleted.").then((ok) => ok && render()),
          }, "Delete")) : h("p", {}, `Status: ${statusNames[o.status] || o.status}`),
        jobsOf(o).length === 0 ? h("p", { class: "muted" }, "No jobs you may see.") :
          h("div", { class: "scroll" }, h("table", { class: "jobs" },
            h("thead", {}, h("tr", {}, h("th", {}, "Member"), h("th", {}, "Job site"), h("th", {}, "When"), h("th", {}, "Status"), h("th", {}, "Actions"))),
            h("tbody", {}, jobsOf(o).map((j) => jobRow(j, sites, addJobs, render))))),
        addJobs ? jobForm(o, siteList, render) : null))));
}

// Field work: job sites with their visits, work orders with their jobs,
// and the locations members' phones record.
import { pb, session, nameOf, can, userId } from "../api.js";
import { h, field, select, action, go, q, dayOf, dayStart, addDays, weekOf, weekday, instant, clock, duration, parseDate, pbDate } from "../ui.js";

const statusNames = { open: "Open", in_progress: "In progress", done: "Done", scheduled: "Scheduled" };

function number(name, value, props = {}) {
  return h("input", { type: "number", name, value: value ?? "", required: true, step: "any", ...props });
}

// siteForm adds a job site, or edits one.
function siteForm(site, render) {
  const id = site ? `edit-site-${site.id}` : "new-site";
  const form = h("form", {
    class: "card row", id,
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const body = {
        name: d.get("name"), address: d.get("address"),
        lat: Number(d.get("lat")), lng: Number(d.get("lng")), radius_m: Number(d.get("radius_m")),
      };
      const save = site ? pb.collection("job_sites").update(site.id, body) :
        pb.collection("job_sites").create({ org: session.org.id, ...body });
      // A new site stays on this page: go() to the same address wouldn't re-render.
      action(() => save, site ? "Job site saved." : "Job site added.").then((ok) => ok && (site ? go("jobsites") : render()));
    },
  },
  field("Name", h("input", { name: "name", required: true, maxlength: 200, value: site?.name || "" })),
  field("Address", h("input", { name: "address", maxlength: 500, value: site?.address || "" })),
  field("Latitude", number("lat", site?.lat, { min: -90, max: 90 })),
  field("Longitude", number("lng", site?.lng, { min: -180, max: 180 })),
  field("Radius (m)", number("radius_m", site?.radius_m ?? 100, { min: 25, max: 5000, step: 1 })),
  h("button", { type: "submit" }, site ? "Save job site" : "Add job site"),
  site ? h("button", { type: "button", class: "secondary", onclick: () => go("jobsites") }, "Cancel") : null);
  return form;
}

export async function jobSites({ params, render }) {
  const tz = session.org.timezone;
  const sites = await pb.collection("job_sites").getFullList({ sort: "name", batch: 500 });
  const addRemove = can("Add/Remove Job Sites"), edit = can("Edit Job Sites");
  const editing = edit && sites.find((s) => s.id === params.get("edit"));
  const chosen = params.get("site") || sites[0]?.id || "";
  const from = params.get("from") || dayOf(Date.now(), tz), to = params.get("to") || from;
  const nav = (p) => go(`jobsites?${new URLSearchParams({ site: chosen, from, to, ...p })}`);

  let visits = null;
  if (chosen && can("View Locations")) {
    visits = await pb.send(`/api/tock/orgs/${session.org.id}/job_sites/${chosen}/visits`, { query: { from, to } });
  }
  return h("section", {},
    h("h1", {}, "Job sites"),
    addRemove && !editing ? siteForm(null, render) : null,
    editing ? siteForm(editing, render) : null,
    sites.length === 0 ? h("p", { class: "muted" }, "No job sites yet.") :
      h("div", { class: "scroll" }, h("table", { id: "job-sites" },
        h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Address"), h("th", { class: "num" }, "Latitude"),
          h("th", { class: "num" }, "Longitude"), h("th", { class: "num" }, "Radius (m)"), edit || addRemove ? h("th", {}, "Actions") : null)),
        h("tbody", {}, sites.map((s) => h("tr", { "data-site": s.id },
          h("td", {}, s.name), h("td", {}, s.address || "—"), h("td", { class: "num" }, s.lat), h("td", { class: "num" }, s.lng),
          h("td", { class: "num" }, s.radius_m),
          edit || addRemove ? h("td", {},
            edit ? h("button", { type: "button", class: "secondary", "aria-label": `Edit job site ${s.name}`, onclick: () => go(`jobsites?edit=${s.id}`) }, "Edit") : null,
            addRemove ? h("button", {
              type: "button", class: "secondary", "aria-label": `Remove job site ${s.name}`,
              onclick: () => action(() => pb.collection("job_sites").delete(s.id), "Job site removed.").then((ok) => ok && render()),
            }, "Remove") : null) : null))))),
    visits === null ? null : h("section", {},
      h("h2", {}, "Visits"),
      h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
        field("Job site", select("site", sites.map((s) => [s.id, s.name]), chosen, { onchange: (e) => nav({ site: e.target.value }) })),
        field("From", h("input", { type: "date", name: "from", value: from, onchange: (e) => e.target.value && nav({ from: e.target.value }) })),
        field("To", h("input", { type: "date", name: "to", value: to, onchange: (e) => e.target.value && nav({ to: e.target.value }) }))),
      visits.length === 0 ? h("p", { class: "muted", id: "no-visits" }, "No visits you may see in these days.") :
        h("div", { class: "scroll" }, h("table", { id: "visits" },
          h("thead", {}, h("tr", {}, h("th", {}, "Member"), h("th", {}, "Day"), h("th", {}, "Arrived"), h("th", {}, "Left"),
            h("th", { class: "num" }, "Time on site"), h("th", { class: "num" }, "Points"))),
          h("tbody", {}, visits.map((v) => h("tr", { "data-user": v.user },
            h("td", {}, nameOf(v.user)), h("td", {}, dayOf(Date.parse(v.start), tz)),
            h("td", {}, clock(Date.parse(v.start), tz)), h("td", {}, clock(Date.parse(v.end), tz)),
            h("td", { class: "num" }, duration(v.seconds)), h("td", { class: "num" }, v.points))))))));
}

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

// locations is a week of recorded locations, member by day: how many points
// and between which times, for the people whose locations one may view.
export async function locations({ params }) {
  const tz = session.org.timezone;
  const week = weekOf(params.get("week") || dayOf(Date.now(), tz));
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(week, i));
  const points = await pb.collection("locations").getFullList({
    filter: `recorded_at >= ${q(pbDate(dayStart(week, tz)))} && recorded_at < ${q(pbDate(dayStart(addDays(week, 7), tz)))}`,
    sort: "recorded_at", fields: "user,recorded_at", batch: 1000,
  });
  const rows = new Map();
  for (const p of points) {
    const t = parseDate(p.recorded_at);
    const i = days.indexOf(dayOf(t, tz));
    if (i < 0) continue;
    const r = rows.get(p.user) || days.map(() => null);
    r[i] = r[i] ? { n: r[i].n + 1, first: r[i].first, last: t } : { n: 1, first: t, last: t };
    rows.set(p.user, r);
  }
  const users = [...rows.keys()].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const nav = (w) => go(`locations?week=${w}`);
  return h("section", {},
    h("h1", {}, "Locations"),
    h("p", { class: "muted" }, "Recorded by members' phones while they track time; the desktop app records none."),
    h("form", { class: "toolbar", onsubmit: (e) => e.preventDefault() },
      field("Week of", h("input", { type: "date", name: "week", value: week, onchange: (e) => e.target.value && nav(e.target.value) })),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, -7)) }, "← Previous week"),
      h("button", { type: "button", class: "secondary", onclick: () => nav(addDays(week, 7)) }, "Next week →")),
    users.length === 0 ? h("p", { class: "muted" }, "No locations you may see in this week.") :
      h("div", { class: "scroll" }, h("table", { id: "locations" },
        h("thead", {}, h("tr", {}, h("th", {}, "Member"), days.map((d) => h("th", {}, weekday(d))))),
        h("tbody", {}, users.map((u) => h("tr", { "data-user": u },
          h("td", {}, nameOf(u)),
          rows.get(u).map((c) => h("td", {}, c ? `${c.n} point${c.n === 1 ? "" : "s"}, ${clock(c.first, tz)}–${clock(c.last, tz)}` : ""))))))));
}

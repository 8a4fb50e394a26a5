// Job sites: geofences members work at, and the visits derived from their
// recorded locations.
import { pb, session, nameOf, can } from "../api.js";
import { h, field, select, action, go, dayOf, clock, duration } from "../ui.js";

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

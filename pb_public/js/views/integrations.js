// Integrations (outgoing webhooks and their delivery log) and one's own
// work summary e-mails.
import { pb, session, userId, nameOf, can } from "../api.js";
import { h, field, select, action, q, duration, clock, dayOf, parseDate } from "../ui.js";

const events = [
  ["member.joined", "A member joined"],
  ["project.created", "A project was created"],
  ["timesheet.submitted", "A timesheet was submitted"],
  ["timesheet.approved", "A timesheet was approved"],
  ["timesheet.rejected", "A timesheet was rejected"],
  ["time_request.approved", "A manual time request was approved"],
];

function eventChecks(chosen, prefix) {
  return h("fieldset", { class: "events" }, h("legend", {}, "Events"),
    events.map(([v, label]) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "events", value: v, checked: chosen.includes(v), id: `${prefix}-${v}` }), label)));
}

// secretCard shows a new signing secret, the only time anyone sees it.
function secretCard(name, secret) {
  return h("section", { class: "card", id: "new-secret" },
    h("h2", {}, `Signing secret of ${name}`),
    h("p", {}, "Copy it into the receiver now: Tock won't show it again. Receivers check X-Tock-Signature, ",
      "sha256= followed by the hex HMAC-SHA256 of X-Tock-Timestamp, a dot and the body, keyed with this secret."),
    field("Secret", h("input", { id: "webhook-secret", readonly: true, value: secret, size: 70 })));
}

export async function integrations({ render }) {
  const org = session.org.id;
  const [hooks, log] = await Promise.all([
    pb.collection("webhooks").getFullList({ filter: `org = ${q(org)}`, sort: "name", batch: 200 }),
    pb.collection("webhook_deliveries").getList(1, 50, { filter: `org = ${q(org)}`, sort: "-created", skipTotal: true }),
  ]);
  const names = new Map(hooks.map((w) => [w.id, w.name]));
  const tz = session.org.timezone;
  const shown = [];
  // A secret just made is carried over one re-render in memory only.
  if (integrations.fresh) {
    shown.push(secretCard(integrations.fresh.name, integrations.fresh.secret));
    integrations.fresh = null;
  }

  const add = h("form", {
    class: "card", id: "new-webhook",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(add);
      action(async () => {
        const w = await pb.collection("webhooks").create({
          org, name: d.get("name"), url: d.get("url"), events: d.getAll("events"), active: d.get("active") === "on",
        });
        integrations.fresh = { name: w.name, secret: w.secret };
      }, "Integration added.").then((ok) => ok && render());
    },
  },
  h("h2", {}, "Add an integration"),
  field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
  field("Receiver URL", h("input", { name: "url", type: "url", required: true, maxlength: 2000, placeholder: "https://" }),
    "Tock POSTs JSON here, signed. Addresses on this machine or the LAN need TOCK_WEBHOOKS_ALLOW_PRIVATE on the server."),
  eventChecks(["project.created"], "new"),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "active", checked: true }), "Active"),
  h("button", { type: "submit" }, "Add integration"));

  const row = (w) => {
    const edit = h("form", {
      class: "webhook-settings", "aria-label": `Settings of ${w.name}`,
      onsubmit: (e) => {
        e.preventDefault();
        const d = new FormData(edit);
        action(() => pb.collection("webhooks").update(w.id, {
          name: d.get("name"), url: d.get("url"), events: d.getAll("events"), active: d.get("active") === "on",
        }), "Integration saved.").then((ok) => ok && render());
      },
    },
    h("div", { class: "row" },
      field("Name", h("input", { name: "name", value: w.name, required: true, maxlength: 100 })),
      field("Receiver URL", h("input", { name: "url", type: "url", value: w.url, required: true, maxlength: 2000, class: "wide" }))),
    eventChecks(w.events, w.id),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "active", checked: w.active }), "Active"),
    can("Change Integration Settings") ? h("button", { type: "submit" }, "Save") : null);
    return h("li", { class: "card webhook", "data-id": w.id },
      h("h3", {}, w.name, " ", h("span", { class: w.active ? "badge on" : "badge" }, w.active ? "Active" : "Off")),
      edit,
      h("div", { class: "row" },
        can("Re-authenticate integration") ? h("button", {
          type: "button", class: "secondary", "aria-label": `New signing secret for ${w.name}`,
          onclick: () => action(async () => {
            const r = await pb.send(`/api/tock/webhooks/${w.id}/rotate`, { method: "POST" });
            integrations.fresh = { name: w.name, secret: r.secret };
          }, "New secret made; the old one no longer signs.").then((ok) => ok && render()),
        }, "Rotate secret") : null,
        can("Remove integration") ? h("button", {
          type: "button", class: "danger", "aria-label": `Remove ${w.name}`,
          onclick: () => action(() => pb.collection("webhooks").delete(w.id), "Integration removed.").then((ok) => ok && render()),
        }, "Remove") : null));
  };

  return h("section", {},
    h("h1", {}, "Integrations"),
    h("p", { class: "muted" }, "Webhooks tell other systems what happens in Tock: ids, names and times, never screenshots, apps or URLs. ",
      "Failed deliveries are retried with growing pauses, up to 8 times."),
    shown,
    hooks.length ? h("ul", { class: "webhooks", id: "webhooks" }, hooks.map(row)) : h("p", { class: "muted" }, "No integration yet."),
    can("Add integration") ? add : null,
    h("section", { class: "card" },
      h("h2", {}, "Delivery log"),
      log.items.length === 0 ? h("p", { class: "muted" }, "No delivery yet.") :
        h("div", { class: "scroll" }, h("table", { id: "deliveries" },
          h("thead", {}, h("tr", {}, ["When", "Integration", "Event", "Status", "Attempts", "Answer", "Error"].map((c) => h("th", {}, c)))),
          h("tbody", {}, log.items.map((d) => h("tr", {},
            h("td", {}, `${dayOf(parseDate(d.created), tz)} ${clock(parseDate(d.created), tz)}`),
            h("td", {}, names.get(d.webhook) || "—"),
            h("td", {}, d.event),
            h("td", {}, h("span", { class: d.status === "delivered" ? "badge on" : "badge" }, d.status)),
            h("td", {}, String(d.attempts)),
            h("td", {}, d.response_code ? String(d.response_code) : ""),
            h("td", { class: "muted" }, d.last_error || "")))))),
      h("button", { type: "button", class: "secondary", onclick: () => render() }, "Refresh")));
}

// summaries: one's own choice of work summary e-mails, and what the next
// one would hold.
export async function summaries({ render, params }) {
  const org = session.org.id;
  const membership = await pb.collection("memberships").getFirstListItem(`org = ${q(org)} && user = ${q(userId())}`);
  // The preview shows the kind of e-mail chosen, unless the page asks for the other.
  const period = (params?.get("period") || membership.summary_emails) === "weekly" ? "weekly" : "daily";
  const preview = await pb.send(`/api/tock/orgs/${org}/summaries/preview?${new URLSearchParams({ period })}`, {});
  const choice = select("summary_emails", [["off", "Off"], ["daily", "Daily"], ["weekly", "Weekly"]], membership.summary_emails || "off", { id: "summary-emails" });
  const form = h("form", {
    class: "card row", id: "summary-choice",
    onsubmit: (e) => {
      e.preventDefault();
      action(() => pb.collection("memberships").update(membership.id, { summary_emails: choice.value }), "Saved.").then((ok) => ok && render());
    },
  }, field("Work summary e-mails", choice, "Sent in the morning, in the organization's time zone; weekly ones on Monday."),
  h("button", { type: "submit" }, "Save"));
  return h("section", {},
    h("h1", {}, "Work summaries"),
    form,
    h("section", { class: "card" },
      h("h2", {}, `Preview: ${preview.period} summary, ${preview.from === preview.to ? preview.from : `${preview.from} to ${preview.to}`}`),
      h("p", {}, h("a", { href: `#/summaries?period=${period === "daily" ? "weekly" : "daily"}` }, `Show the ${period === "daily" ? "weekly" : "daily"} one`)),
      preview.members.length === 0 ? h("p", { class: "muted" }, "No time to report: no e-mail is sent for an empty period.") :
        h("div", { class: "scroll" }, h("table", { id: "summary-preview" },
          h("thead", {}, h("tr", {}, ["Member", "Time", "Activity", "Top projects"].map((c) => h("th", {}, c)))),
          h("tbody", {}, preview.members.map((m) => h("tr", {},
            h("td", {}, m.name || nameOf(m.user)),
            h("td", {}, duration(m.tracked_seconds)),
            h("td", {}, m.tracked_seconds > m.manual_seconds ? `${m.activity_percent}%` : "–"),
            h("td", {}, m.projects.map((p) => `${p.name} (${duration(p.tracked_seconds)})`).join(", ")))))))));
}

// Money: pay and bill rates, client invoices, team invoices and payroll.
// Amounts travel as integer cents; the page converts "12.50" to 1250 and
// back without floating point, so what is typed is what is stored.
import { pb, session, nameOf, byName, userId, can, canAll, canOn, moduleOn } from "../api.js";
import { h, field, select, action, dayOf, weekOf, addDays } from "../ui.js";
import { projectNames, projectOrder } from "../lib/data.js";

// money formats cents: 123456 → "1234.56".
export function money(cents, currency) {
  const n = Math.abs(cents || 0);
  const s = `${(cents < 0 ? "-" : "")}${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}`;
  return currency ? `${s} ${currency}` : s;
}

// cents parses "12", "12.5" or "12.50" into 1250; NaN for anything else.
export function cents(text) {
  const m = /^\s*(\d{1,10})(?:[.,](\d{1,2}))?\s*$/.exec(text || "");
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0"));
}

const day = (d) => (d || "").slice(0, 10);

// amountField is a money input named name.
function amountField(label, name, value) {
  return field(label, h("input", { name, inputmode: "decimal", pattern: "\\d+([.,]\\d{1,2})?", value: value ?? "", class: "amount" }));
}

function periodFields(start, end) {
  return [
    field("From", h("input", { type: "date", name: "period_start", value: start, required: true })),
    field("To", h("input", { type: "date", name: "period_end", value: end, required: true })),
  ];
}

export async function moneyPage({ render }) {
  const tz = session.org.timezone;
  const monday = weekOf(dayOf(Date.now(), tz));
  const start = addDays(monday, -7), end = addDays(monday, -1); // last week: a whole, past week
  const reload = (ok) => ok && render();
  // A module turned off (Add/Remove Features) takes its section off the page.
  const invoicing = moduleOn("invoices"), payroll = moduleOn("payroll");
  const seeClientInvoices = invoicing && (can("View Client Invoices") || can("Create Client Invoices"));
  const seeTeamInvoices = invoicing && (can("View Team Invoices") || can("Create Team Invoices"));
  const [names, rates, clients, teams, clientInvoices, teamInvoices, runs, payments] = await Promise.all([
    projectNames(),
    pb.collection("rates").getFullList({ batch: 500 }),
    seeClientInvoices ? pb.send(`/api/tock/orgs/${session.org.id}/invoice_clients`, {}).then((r) => r.items) : [],
    pb.collection("teams").getFullList({ fields: "id,name", sort: "name", batch: 500 }),
    seeClientInvoices ? pb.collection("client_invoices").getFullList({ sort: "-number", batch: 500 }) : [],
    seeTeamInvoices ? pb.collection("team_invoices").getFullList({ sort: "-number", batch: 500 }) : [],
    payroll && can("View Past Team Payments") ? pb.collection("payroll_runs").getFullList({ sort: "-period_start", batch: 500 }) : [],
    payroll ? pb.collection("payments").getFullList({ sort: "-period_start", batch: 500 }) : [],
  ]);
  const clientName = new Map(clients.map((c) => [c.id, c.name]));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const people = [...session.people.values()].filter((p) => !p.status || p.status === "active");

  return h("section", {},
    h("h1", {}, "Money"),
    ratesSection(rates, names, people, reload),
    seeClientInvoices ? clientSection(clients, clientName, teams, teamName, clientInvoices, names, start, end, reload) : null,
    seeTeamInvoices ? teamSection(teamInvoices, people, names, start, end, reload) : null,
    payroll ? payrollSection(runs, payments, start, end, reload) : null);
}

function ratesSection(rates, names, people, reload) {
  const manage = can("Manage Pay/Bill Rates");
  if (!manage && rates.length === 0) return null;
  const byProject = projectOrder(names);
  rates.sort((a, b) => byName(a.user, b.user) || byProject(a.project, b.project));
  const form = h("form", {
    class: "card row", id: "rate-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      const pay = cents(d.get("pay")), bill = cents(d.get("bill"));
      if (Number.isNaN(pay) || Number.isNaN(bill)) return action(() => { throw new Error("Rates are amounts like 25 or 25.50."); });
      const fields = { org: session.org.id, user: d.get("user"), project: d.get("project"), pay_rate_cents: pay, bill_rate_cents: bill, currency: String(d.get("currency") || "").toUpperCase() };
      const existing = rates.find((r) => r.user === fields.user && (r.project || "") === fields.project);
      action(() => existing ? pb.collection("rates").update(existing.id, fields) : pb.collection("rates").create(fields), "Rate saved.").then(reload);
    },
  },
  field("Member", select("user", people.map((p) => [p.id, p.name]), people[0]?.id)),
  field("Project", select("project", [["", "Default (every project)"], ...names], "")),
  amountField("Pay per hour", "pay", "0"),
  amountField("Bill per hour", "bill", "0"),
  field("Currency", h("input", { name: "currency", value: "USD", maxlength: 3, pattern: "[A-Z]{3}", class: "currency" })),
  h("button", { type: "submit" }, "Save rate"));
  return h("section", {},
    h("h2", {}, manage ? "Pay and bill rates" : "My rates"),
    manage ? form : null,
    rates.length === 0 ? h("p", { class: "muted" }, "No rates yet: time without a rate is left off invoices and payroll.") :
      h("div", { class: "scroll" }, h("table", { id: "rates" },
        h("thead", {}, h("tr", {}, ["Member", "Project", "Pay / h", "Bill / h", ""].map((c) => h("th", {}, c)))),
        h("tbody", {}, rates.map((r) => h("tr", { "data-user": r.user },
          h("td", {}, nameOf(r.user)),
          h("td", {}, r.project ? names.get(r.project) || "A project" : "Default"),
          h("td", { class: "num" }, money(r.pay_rate_cents, r.currency)),
          h("td", { class: "num" }, money(r.bill_rate_cents, r.currency)),
          h("td", {}, manage ? h("button", {
            type: "button", class: "secondary", "aria-label": `Delete the rate of ${nameOf(r.user)}`,
            onclick: () => action(() => pb.collection("rates").delete(r.id), "Rate deleted.").then(reload),
          }, "Delete") : null)))))));
}

// paymentForm marks a payment of what remains due, or of a part of it.
function paymentForm(route, inv, label, reload) {
  const form = h("form", {
    class: "inline", "data-pay": inv.id,
    onsubmit: (e) => {
      e.preventDefault();
      const amount = cents(new FormData(form).get("amount"));
      if (Number.isNaN(amount)) return action(() => { throw new Error("The amount is like 25 or 25.50."); });
      action(() => pb.send(route.replace("{id}", inv.id), { method: "POST", body: { amount_cents: amount } }), "Payment marked.").then(reload);
    },
  },
  h("input", { name: "amount", value: money(inv.total_cents - inv.paid_cents), inputmode: "decimal", class: "amount", "aria-label": `Amount paid on ${label}` }),
  h("button", { type: "submit", class: "secondary", "aria-label": `Mark a payment on ${label}` }, "Mark paid"));
  return form;
}

function invoiceLines(inv, names) {
  return h("details", {}, h("summary", {}, `${(inv.lines || []).length} lines`),
    h("ul", { class: "lines" }, (inv.lines || []).map((l) => h("li", {},
      `${nameOf(l.user)} · ${names.get(l.project) || "a project"} · ${l.hours.toFixed(2)} h × ${money(l.rate_cents)} = ${money(l.amount_cents)}`))));
}

function clientSection(clients, clientName, teams, teamName, invoices, names, start, end, reload) {
  const mayCreate = can("Create Client Invoices");
  // The whole organization when the person may; else only the teams they lead.
  const reach = canAll("Create Client Invoices") ? [["", "Whole organization"], ...teams.map((t) => [t.id, t.name])] :
    teams.filter((t) => canOn("Create Client Invoices", { team: t.id })).map((t) => [t.id, t.name]);
  const form = h("form", {
    class: "card row", id: "client-invoice-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = Object.fromEntries(new FormData(form));
      action(() => pb.send(`/api/tock/orgs/${session.org.id}/client_invoices`, { method: "POST", body: d }), "Invoice created.").then(reload);
    },
  },
  field("Client", select("client", clients.map((c) => [c.id, c.has_email ? c.name : `${c.name} (no e-mail: can't be sent)`]), clients[0]?.id)),
  field("Time of", select("team", reach, reach[0]?.[0])),
  periodFields(start, end),
  h("button", { type: "submit" }, "Create invoice"));
  return h("section", {},
    h("h2", {}, "Client invoices"),
    mayCreate && clients.length && reach.length ? form : null,
    invoices.length === 0 ? h("p", { class: "muted" }, "No client invoices you can see.") :
      h("div", { class: "scroll" }, h("table", { id: "client-invoices" },
        h("thead", {}, h("tr", {}, ["#", "Client", "Time of", "Period", "Total", "Paid", "Status", "Lines", ""].map((c) => h("th", {}, c)))),
        h("tbody", {}, invoices.map((inv) => {
          const at = { team: inv.team || undefined };
          const label = `invoice ${inv.number}`;
          return h("tr", { "data-invoice": inv.id },
            h("td", {}, inv.number),
            h("td", {}, clientName.get(inv.client) || inv.client_name || "A client"),
            h("td", {}, inv.team ? teamName.get(inv.team) || "A team" : "Everyone"),
            h("td", {}, `${day(inv.period_start)} – ${day(inv.period_end)}`),
            h("td", { class: "num" }, money(inv.total_cents, inv.currency)),
            h("td", { class: "num" }, money(inv.paid_cents, inv.currency)),
            h("td", {}, h("span", { class: "badge status" }, inv.status)),
            h("td", {}, invoiceLines(inv, names)),
            h("td", { class: "actions" },
              canOn("Send Client Invoices", at) ? h("button", {
                type: "button", class: "secondary", "aria-label": `Send ${label} to the client`,
                onclick: () => action(() => pb.send(`/api/tock/client_invoices/${inv.id}/send`, { method: "POST" }), "Invoice sent.").then(reload),
              }, inv.sent_at ? "Send again" : "Send") : null,
              canOn("Mark Payment on Client Invoice", at) && inv.status !== "paid" ? paymentForm("/api/tock/client_invoices/{id}/payments", inv, label, reload) : null));
        })))));
}

function teamSection(invoices, people, names, start, end, reload) {
  const forAnyone = canAll("Create Team Invoices");
  const form = h("form", {
    class: "card row", id: "team-invoice-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = Object.fromEntries(new FormData(form));
      action(() => pb.send(`/api/tock/orgs/${session.org.id}/team_invoices`, { method: "POST", body: d }), "Invoice created.").then(reload);
    },
  },
  forAnyone ? field("Member", select("user", people.map((p) => [p.id, p.name]), userId())) : null,
  periodFields(start, end),
  h("button", { type: "submit" }, forAnyone ? "Create team invoice" : "Invoice my time"));
  return h("section", {},
    h("h2", {}, "Team invoices"),
    can("Create Team Invoices") ? form : null,
    invoices.length === 0 ? h("p", { class: "muted" }, "No team invoices you can see.") :
      h("div", { class: "scroll" }, h("table", { id: "team-invoices" },
        h("thead", {}, h("tr", {}, ["#", "Member", "Period", "Total", "Paid", "Status", "Lines", ""].map((c) => h("th", {}, c)))),
        h("tbody", {}, invoices.map((inv) => h("tr", { "data-invoice": inv.id },
          h("td", {}, inv.number),
          h("td", {}, nameOf(inv.user)),
          h("td", {}, `${day(inv.period_start)} – ${day(inv.period_end)}`),
          h("td", { class: "num" }, money(inv.total_cents, inv.currency)),
          h("td", { class: "num" }, money(inv.paid_cents, inv.currency)),
          h("td", {}, h("span", { class: "badge status" }, inv.status)),
          h("td", {}, invoiceLines(inv, names)),
          h("td", { class: "actions" }, canOn("Mark Payment on Team invoice", { user: inv.user }) && inv.status !== "paid" ?
            paymentForm("/api/tock/team_invoices/{id}/payments", inv, `${nameOf(inv.user)}'s invoice ${inv.number}`, reload) : null)))))));
}

function payrollSection(runs, payments, start, end, reload) {
  const manage = can("Manage Payroll");
  if (!manage && runs.length === 0 && payments.length === 0) return null;
  const form = h("form", {
    class: "card row", id: "payroll-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = Object.fromEntries(new FormData(form));
      action(() => pb.send(`/api/tock/orgs/${session.org.id}/payroll`, { method: "POST", body: d }), "Payroll ran.").then(reload);
    },
  }, periodFields(start, end), h("button", { type: "submit" }, "Run payroll"));
  return h("section", {},
    h("h2", {}, "Payroll"),
    manage ? form : null,
    runs.length ? h("div", { class: "scroll" }, h("table", { id: "payroll-runs" },
      h("thead", {}, h("tr", {}, ["Period", "Total"].map((c) => h("th", {}, c)))),
      h("tbody", {}, runs.map((r) => h("tr", {},
        h("td", {}, `${day(r.period_start)} – ${day(r.period_end)}`),
        h("td", { class: "num" }, money(r.total_cents, r.currency))))))) : null,
    h("h3", {}, "Past payments"),
    payments.length === 0 ? h("p", { class: "muted" }, "No payments you can see.") :
      h("div", { class: "scroll" }, h("table", { id: "payments" },
        h("thead", {}, h("tr", {}, ["Member", "Period", "Hours", "Rate / h", "Amount"].map((c) => h("th", {}, c)))),
        h("tbody", {}, payments.map((p) => h("tr", { "data-user": p.user },
          h("td", {}, nameOf(p.user)),
          h("td", {}, `${day(p.period_start)} – ${day(p.period_end)}`),
          h("td", { class: "num" }, (p.seconds / 3600).toFixed(2)),
          h("td", { class: "num" }, money(p.rate_cents, p.currency)),
          h("td", { class: "num" }, money(p.amount_cents, p.currency))))))));
}

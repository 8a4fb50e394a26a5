// Clients: whom the organization bills. Their e-mail receives the client
// invoices and their currency prices them (Money page).
import { pb, session, can } from "../api.js";
import { h, field, action } from "../ui.js";

export async function clients({ render }) {
  const list = await pb.collection("clients").getFullList({ sort: "name", batch: 500 });
  const edit = can("Edit Clients");
  const inputs = (c = {}) => [
    field("Name", h("input", { name: "name", value: c.name || "", required: true, maxlength: 200, disabled: c.id && !edit })),
    field("E-mail", h("input", { name: "email", type: "email", value: c.email || "", disabled: c.id && !edit })),
    field("Currency", h("input", { name: "currency", class: "currency", value: c.currency || "USD", pattern: "[A-Za-z]{3}", maxlength: 3, disabled: c.id && !edit })),
  ];
  const body = (form) => {
    const d = new FormData(form);
    return { name: d.get("name"), email: d.get("email"), currency: String(d.get("currency")).toUpperCase() };
  };

  const add = h("form", {
    class: "card row", id: "new-client",
    onsubmit: (e) => {
      e.preventDefault();
      action(() => pb.collection("clients").create({ org: session.org.id, ...body(add) }), "Client added.").then((ok) => ok && render());
    },
  }, inputs(), h("button", { type: "submit" }, "Add client"));

  const row = (c) => {
    const form = h("form", {
      class: "card row", "data-client": c.id, "aria-label": c.name,
      onsubmit: (e) => {
        e.preventDefault();
        action(() => pb.collection("clients").update(c.id, body(form)), "Client saved.").then((ok) => ok && render());
      },
    }, inputs(c),
    edit ? h("button", { type: "submit", "aria-label": `Save ${c.name}` }, "Save") : null,
    can("Remove Clients") ? h("button", {
      type: "button", class: "danger", "aria-label": `Remove ${c.name}`,
      onclick: () => action(() => pb.collection("clients").delete(c.id), "Client removed.").then((ok) => ok && render()),
    }, "Remove") : null);
    return h("li", {}, form);
  };

  return h("section", {},
    h("h1", {}, "Clients"),
    can("Add Clients") ? add : null,
    list.length === 0 ? h("p", { class: "muted" }, "No clients yet.") : h("ul", { class: "list", id: "clients" }, list.map(row)));
}

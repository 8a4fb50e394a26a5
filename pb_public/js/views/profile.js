// Profile: what a person changes on their own account — name, time zone,
// password and e-mail address (confirmed from a link mailed to the new one).
import { pb, userId } from "../api.js";
import { h, field, action, say, zonePicker } from "../ui.js";

export async function profile({ render }) {
  const me = await pb.collection("users").getOne(userId());
  return h("section", {},
    h("h1", {}, "Your profile"),
    details(me, render),
    password(me),
    email(me));
}

function details(me, render) {
  const form = h("form", {
    class: "card", id: "profile-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        const saved = await pb.collection("users").update(me.id, { name: d.get("name"), timezone: d.get("timezone") });
        pb.authStore.save(pb.authStore.token, saved);
      }, "Profile saved.").then((ok) => ok && render());
    },
  },
  h("h2", {}, "Name and time zone"),
  field("Name", h("input", { name: "name", value: me.name, autocomplete: "name", required: true, maxlength: 100 })),
  zonePicker("timezone", me.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone,
    "Your own time zone. Timesheets and reports keep the organization's days."),
  h("button", { type: "submit" }, "Save"));
  return form;
}

// password changes the password; PocketBase then ends every session of the
// account (its token key changes), so the app signs in again with the new one.
function password(me) {
  const form = h("form", {
    class: "card", id: "password-form",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      if (d.get("password") !== d.get("passwordConfirm")) return say("The two new passwords differ.", "error");
      action(async () => {
        await pb.collection("users").update(me.id, {
          oldPassword: d.get("oldPassword"), password: d.get("password"), passwordConfirm: d.get("passwordConfirm"),
        });
        await pb.collection("users").authWithPassword(me.email, d.get("password"));
        form.reset();
      }, "Password changed. Your other devices and the agent must sign in again.");
    },
  },
  h("h2", {}, "Password"),
  field("Current password", h("input", { name: "oldPassword", type: "password", autocomplete: "current-password", required: true })),
  field("New password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
  field("New password again", h("input", { name: "passwordConfirm", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
  h("button", { type: "submit" }, "Change password"));
  return form;
}

function email(me) {
  const form = h("form", {
    class: "card", id: "email-form",
    onsubmit: (e) => {
      e.preventDefault();
      const to = new FormData(form).get("newEmail");
      action(() => pb.collection("users").requestEmailChange(to),
        `We e-mailed ${to} a link; open it to confirm the change. Until then you sign in as ${me.email}.`);
    },
  },
  h("h2", {}, "E-mail address"),
  h("p", {}, "You sign in as ", h("strong", {}, me.email), "."),
  field("New e-mail address", h("input", { name: "newEmail", type: "email", autocomplete: "email", required: true })),
  h("button", { type: "submit" }, "Change e-mail"));
  return form;
}

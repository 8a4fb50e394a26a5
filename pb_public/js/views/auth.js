// Signing in and up, joining by invite and creating an organization.
import { pb, session, signedIn, loadOrgs } from "../api.js";
import { h, field, select, action, go, say } from "../ui.js";

function credentials(params, { withName }) {
  return [
    withName ? field("Name", h("input", { name: "name", autocomplete: "name", required: true, maxlength: 100 })) : null,
    field("E-mail", h("input", { name: "email", type: "email", autocomplete: "email", required: true, value: params.get("email") || "" })),
    field("Password", h("input", {
      name: "password", type: "password", required: true, minlength: withName ? 8 : false,
      autocomplete: withName ? "new-password" : "current-password",
    })),
  ];
}

// after signing in, go where the person was headed (an invite) or home.
async function after(params) {
  await loadOrgs();
  go(params.get("next") || (session.org ? "me" : "orgs/new"));
}

export function signIn({ params }) {
  const form = h("form", {
    class: "card narrow",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        await pb.collection("users").authWithPassword(d.get("email"), d.get("password"));
        await after(params);
      });
    },
  },
  h("h1", {}, "Sign in to Tock"),
  credentials(params, { withName: false }),
  h("button", { type: "submit" }, "Sign in"),
  h("p", {}, "No account yet? ", h("a", { href: `#/signup?${params}` }, "Sign up")));
  return form;
}

export function signUp({ params }) {
  const form = h("form", {
    class: "card narrow",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        await pb.collection("users").create({
          name: d.get("name"), email: d.get("email"),
          password: d.get("password"), passwordConfirm: d.get("password"),
        });
        await pb.collection("users").authWithPassword(d.get("email"), d.get("password"));
        await after(params);
      });
    },
  },
  h("h1", {}, "Create your Tock account"),
  credentials(params, { withName: true }),
  h("button", { type: "submit" }, "Sign up"),
  h("p", {}, "Have an account? ", h("a", { href: `#/signin?${params}` }, "Sign in")));
  return form;
}

export async function join({ id: token }) {
  let invite;
  try {
    invite = await pb.send(`/api/tock/invites/${encodeURIComponent(token)}`, {});
  } catch {
    return h("section", { class: "card narrow" }, h("h1", {}, "Invitation not found"),
      h("p", {}, "This invitation link has expired, was revoked or was already used. Ask for a new one."));
  }
  const back = new URLSearchParams({ next: `join/${token}`, email: invite.email });
  const intro = h("p", {}, `You are invited to join `, h("strong", {}, invite.org.name), ` as ${invite.role}.`);
  if (!signedIn()) {
    return h("section", { class: "card narrow" }, h("h1", {}, `Join ${invite.org.name}`), intro,
      h("p", {}, h("a", { class: "button", href: `#/signup?${back}` }, "Create an account"), " or ",
        h("a", { href: `#/signin?${back}` }, "sign in"), " to accept."), desktopLink());
  }
  return h("section", { class: "card narrow" }, h("h1", {}, `Join ${invite.org.name}`), intro,
    h("button", {
      type: "button",
      onclick: () => action(async () => {
        const res = await pb.send(`/api/tock/invites/${encodeURIComponent(token)}/accept`, { method: "POST" });
        await loadOrgs(res.org);
        say(`Welcome to ${invite.org.name}.`);
        go("me");
      }),
    }, "Accept invitation"), desktopLink());
}

// desktopLink leads from an invitation to the desktop app (after signing in).
function desktopLink() {
  const to = signedIn() ? "#/me/desktop" : `#/signin?${new URLSearchParams({ next: "me/desktop" })}`;
  return h("p", { class: "muted" }, "Once you have joined, ", h("a", { href: to, id: "get-desktop-app" }, "get the desktop app"), " to track your time.");
}

export function newOrg() {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [here];
  if (!zones.includes("UTC")) zones.unshift("UTC");
  const form = h("form", {
    class: "card narrow",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      action(async () => {
        const org = await pb.collection("organizations").create({ name: d.get("name"), timezone: d.get("timezone") });
        await loadOrgs(org.id);
        go("members");
      }, "Organization created.");
    },
  },
  h("h1", {}, "Create an organization"),
  h("p", {}, "You will be its owner. Invite your colleagues next."),
  field("Name", h("input", { name: "name", required: true, maxlength: 200 })),
  field("Time zone", select("timezone", zones.map((z) => [z, z]), here), "Days in timesheets and the gallery start at midnight here."),
  h("button", { type: "submit" }, "Create organization"));
  return form;
}

// Signing in and up, joining by invite and creating an organization.
import { pb, session, signedIn, signOut, loadOrgs } from "../api.js";
import { h, field, action, go, say, zonePicker } from "../ui.js";

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
  h("p", {}, h("a", { href: "#/reset-password", id: "forgot-password" }, "Forgot your password?")),
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
  zonePicker("timezone", here, "Days in timesheets and the gallery start at midnight here."),
  h("button", { type: "submit" }, "Create organization"));
  return form;
}

// resetPassword is both halves of "Forgot your password?": without a token
// it asks for the e-mail address and has the server mail a link; the link
// (#/reset-password/TOKEN, set in the users collection's mail template)
// comes back here to choose the new password.
export function resetPassword({ id: token }) {
  return token ? newPassword(token) : askReset();
}

function askReset() {
  const done = h("div", { id: "reset-sent", "aria-live": "polite" });
  const form = h("form", {
    class: "card narrow", id: "reset-request",
    onsubmit: (e) => {
      e.preventDefault();
      const email = new FormData(form).get("email");
      action(async () => {
        await pb.collection("users").requestPasswordReset(email);
        // The same answer whether or not the address has an account.
        done.replaceChildren(h("p", {}, `If ${email} has a Tock account, a link to choose a new password is on its way. It works for 30 minutes.`));
      });
    },
  },
  h("h1", {}, "Reset your password"),
  h("p", {}, "Enter your account's e-mail address; we'll e-mail you a link to choose a new password."),
  field("E-mail", h("input", { name: "email", type: "email", autocomplete: "email", required: true })),
  h("button", { type: "submit" }, "E-mail me a link"),
  done,
  h("p", {}, h("a", { href: "#/signin" }, "Back to sign in")));
  return form;
}

function newPassword(token) {
  const form = h("form", {
    class: "card narrow", id: "reset-confirm",
    onsubmit: (e) => {
      e.preventDefault();
      const d = new FormData(form);
      if (d.get("password") !== d.get("passwordConfirm")) return say("The two passwords differ.", "error");
      action(async () => {
        await pb.collection("users").confirmPasswordReset(token, d.get("password"), d.get("passwordConfirm"));
        go("signin");
      }, "Your password is changed. Sign in with it.");
    },
  },
  h("h1", {}, "Choose a new password"),
  field("New password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
  field("New password again", h("input", { name: "passwordConfirm", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
  h("button", { type: "submit" }, "Change password"),
  h("p", { class: "muted" }, "The link works once, for 30 minutes; if it has expired, ", h("a", { href: "#/reset-password" }, "ask for a new one"), "."));
  return form;
}

// confirmEmail finishes an e-mail change: the link mailed to the new
// address lands here, and the person confirms with their password.
export function confirmEmail({ id: token }) {
  const form = h("form", {
    class: "card narrow", id: "email-confirm",
    onsubmit: (e) => {
      e.preventDefault();
      action(async () => {
        await pb.collection("users").confirmEmailChange(token, new FormData(form).get("password"));
        // The old sign-in no longer holds: sign in with the new address.
        signOut();
        go("signin");
      }, "Your e-mail address is changed. Sign in with the new one.");
    },
  },
  h("h1", {}, "Confirm your new e-mail address"),
  field("Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
  h("button", { type: "submit" }, "Confirm"));
  return form;
}

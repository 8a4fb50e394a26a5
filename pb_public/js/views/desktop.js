// The employee's own pages under Me: "Get the desktop app" (the agent for
// this computer, its checksum, and a one-time enrolment code) and "What Tock
// records" (what is kept about you, who sees it, for how long).
import { pb, session } from "../api.js";
import { h, action, say, clock } from "../ui.js";
import { projectNames } from "../lib/data.js";
import { meDashboard } from "./dashboards.js";

// meDetail routes #/me/desktop and #/me/records; anything else is Me.
export function meDetail(ctx) {
  if (ctx.id === "desktop") return desktopApp();
  if (ctx.id === "records") return whatTockRecords();
  return meDashboard(ctx);
}

const platformNames = { "linux/amd64": "Linux (x86-64)", "linux/arm64": "Linux (ARM64)", "windows/amd64": "Windows (x86-64)" };

// visitorPlatform guesses the browser's platform from its user agent.
function visitorPlatform() {
  const ua = navigator.userAgent;
  if (/Windows/i.test(ua)) return "windows/amd64";
  if (/aarch64|arm64/i.test(ua)) return "linux/arm64";
  if (/Linux|X11/i.test(ua)) return "linux/amd64";
  return "";
}

function size(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

async function sha256Hex(buf) {
  const d = await crypto.subtle.digest("SHA-256", buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// download fetches the file with the session (a plain link can't carry
// it), checks its SHA-256 against the listing where the browser can hash,
// then hands it to the browser to save.
async function download(f, row) {
  const res = await fetch(f.url, { headers: { Authorization: pb.authStore.token } });
  if (!res.ok) throw new Error(`The download failed (${res.status}).`);
  const buf = await res.arrayBuffer();
  const check = row.querySelector(".verified");
  if (globalThis.crypto?.subtle) {
    const got = await sha256Hex(buf);
    if (got !== f.sha256) {
      check.textContent = "Checksum mismatch: the file was not saved.";
      throw new Error(`The downloaded file's SHA-256 is ${got}, not ${f.sha256}: it was not saved.`);
    }
    check.textContent = "Checksum verified.";
  }
  const a = h("a", { href: URL.createObjectURL(new Blob([buf])), download: f.file });
  document.body.append(a);
  a.click();
  a.remove();
  say(`Downloaded ${f.file}.`);
}

function downloadRow(f, mine) {
  const row = h("tr", { "data-platform": f.platform, class: mine ? "mine" : false },
    h("th", { scope: "row" }, platformNames[f.platform] || f.platform, mine ? h("small", {}, " (this computer)") : null));
  if (!f.available) {
    row.append(h("td", { colspan: 3 }, "Not available on this server."));
    return row;
  }
  row.append(
    h("td", {}, h("button", { type: "button", class: "download", onclick: () => action(() => download(f, row)) }, `Download ${f.file}`),
      h("br"), h("small", {}, size(f.size)), " ", h("small", { class: "verified" })),
    h("td", {}, h("code", { class: "sha256" }, f.sha256)),
  );
  return row;
}

function enrolSection() {
  const out = h("div", { id: "enrol-out" });
  const show = () => action(async () => {
    const c = await pb.send(`/api/tock/orgs/${session.org.id}/enrolments`, { method: "POST" });
    const command = `tock agent enrol ${c.code} --server ${c.server}`;
    out.replaceChildren(
      h("p", {}, "Your code: ", h("strong", { id: "enrol-code" }, c.code),
        ` — it works once, until ${clock(Date.parse(c.expires), Intl.DateTimeFormat().resolvedOptions().timeZone)}, and only for you in ${session.org.name}.`),
      h("p", {}, "In a terminal on the computer you installed the agent on:"),
      h("pre", {}, h("code", { id: "enrol-command" }, command)),
      h("p", {}, "Or, if the agent handles tock:// links on this computer: ", h("a", { id: "enrol-link", href: c.link }, "enrol this computer"), "."));
  });
  return h("section", {},
    h("h2", {}, "2. Sign the app in"),
    h("p", {}, "No password to type: show a one-time code here and give it to the app."),
    h("button", { type: "button", id: "enrol-new", onclick: show }, "Show an enrolment code"),
    out);
}

export async function desktopApp() {
  const list = await pb.send("/api/tock/downloads", {});
  const mine = visitorPlatform();
  const files = [...list.files].sort((a, b) => (b.platform === mine) - (a.platform === mine));
  return h("section", {},
    h("h1", {}, "Get the desktop app"),
    h("p", {}, "Tock's desktop app tracks your time on this computer while you choose to, and uploads it to ",
      session.org.name, ". ", h("a", { href: "#/me/records" }, "What Tock records"), " says what it keeps and who sees it."),
    h("h2", {}, "1. Download"),
    list.version ? h("p", { class: "muted" }, `Version ${list.version}`) : null,
    h("table", { id: "downloads" },
      h("thead", {}, h("tr", {}, h("th", {}, "Platform"), h("th", {}, "File"), h("th", {}, "SHA-256"))),
      h("tbody", {}, files.map((f) => downloadRow(f, f.platform === mine)))),
    h("p", { class: "muted" }, "Open the downloaded program (an archive holds it and its README; on Linux, make the file executable first, in its Properties or with chmod +x tock): it sets itself to start at every login and shows its icon in the tray, waiting to be signed in."),
    enrolSection(),
    h("section", {},
      h("h2", {}, "3. Track"),
      h("p", {}, "Pick a project in the tray icon's menu: tracking starts. Its “Start at login” box turns starting at login on and off."),
      h("p", { class: "muted" }, "In a terminal the same is:"),
      h("pre", {}, h("code", {}, "tock agent install\ntock agent start --project \"Your project\"")),
      h("p", { class: "muted" }, "tock agent uninstall undoes install and signs the app out; tock agent status shows what the app is doing.")));
}

const reachText = {
  all: () => "everyone's, yours included",
  own: () => "yours (that's you)",
  team: () => "yours, as lead of a team you are in",
};

async function viewerLine(v, names) {
  const how = v.reach === "projects"
    ? `your work in ${v.projects.map((p) => names.get(p) || "a project").join(", ")}`
    : reachText[v.reach]();
  return h("li", { "data-user": v.user, "data-reach": v.reach }, h("strong", {}, v.name || "A member"), ` (${v.role}): ${how}`);
}

export async function whatTockRecords() {
  const [r, names] = await Promise.all([pb.send(`/api/tock/orgs/${session.org.id}/me/records`, {}), projectNames()]);
  const kinds = await Promise.all(r.kinds.map(async (k) => h("section", { class: "card", id: `records-${k.kind}` },
    h("h2", {}, k.title),
    h("p", {}, k.recorded),
    h("p", {}, h("strong", {}, "Kept: "), k.kept),
    h("p", { class: "muted" }, `Stored about you now: ${k.stored}.`),
    h("h3", {}, "Who in your organization can see it"),
    h("ul", { class: "viewers" }, await Promise.all(k.viewers.map((v) => viewerLine(v, names)))))));
  return h("section", { id: "records" },
    h("h1", {}, "What Tock records"),
    h("p", {}, `What ${r.org.name} records about you with Tock, who there can see each part and how long it is kept. `,
      "This comes from the same rules the server applies to every request, with your organization's settings as they are now."),
    kinds,
    h("p", {}, h("a", { href: "#/me/desktop" }, "Get the desktop app"), " · ", h("a", { href: "#/me" }, "Back to Me")));
}

// Small DOM and formatting helpers shared by every view.

// h builds an element: h("button", {class: "x", onclick: f}, "Save").
// Attributes named on* become listeners; false/null attributes are left out.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// go navigates to a page of the app.
export function go(path) {
  location.hash = "#/" + path;
}

// field wraps a control in a label so every input has an accessible name.
export function field(label, control, hint) {
  return h("label", { class: "field" }, h("span", {}, label), control, hint ? h("small", {}, hint) : null);
}

export function select(name, options, value, props = {}) {
  return h("select", { name, ...props },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

// say shows a message in the live region; errors stay until the next
// message or until the person moves to another page.
export function say(text, kind = "info") {
  const box = document.getElementById("status");
  box.className = kind;
  box.textContent = text;
  box.dataset.page = pageOf(location.hash);
  box.dataset.at = String(Date.now());
  if (kind !== "error") setTimeout(() => { if (box.textContent === text) box.textContent = ""; }, 4000);
}

// forget clears a message that belongs to another page than page, so that
// "Time approved." doesn't follow the person around. A message said just
// before a navigation (an action that ends by going elsewhere) is kept.
export function forget(page) {
  const box = document.getElementById("status");
  if (!box?.textContent || box.dataset.page === page) return;
  if (Date.now() - Number(box.dataset.at || 0) < 500) return;
  box.textContent = "";
}

function pageOf(hash) {
  return hash.replace(/^#\/?/, "").split(/[/?]/)[0];
}

// errorText turns an SDK or fetch error into what the server said, in
// words a person reads: an e-mail already in use says so.
export function errorText(err) {
  const r = err?.response || err?.data;
  if (r?.data?.email?.code === "validation_not_unique") {
    return "An account with this e-mail address already exists. Sign in, or reset its password from the sign-in page.";
  }
  if (r?.message) {
    const fields = Object.entries(r.data || {}).map(([k, v]) => `${k}: ${v.message || v}`);
    return [r.message, ...fields].join(" ");
  }
  return err?.message || String(err);
}

// action runs fn for a button or form, reporting its error instead of throwing.
export async function action(fn, done) {
  try {
    await fn();
    if (done) say(done);
    return true;
  } catch (err) {
    say(errorText(err), "error");
    return false;
  }
}

export function duration(seconds) {
  const m = Math.floor((seconds || 0) / 60);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

export function percent(part, whole) {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : "–";
}

// Time zones: days and times are shown in the organization's time zone, so
// a manager abroad sees the same day as the people they manage.
//
// The organization's zone comes with the session as its offsets from UTC
// around today (knowZone): times within them are placed by arithmetic. The
// first Intl use in a page costs Chromium 40-60 ms (it reads its ICU data),
// a tenth of a page's load; other zones and times go through Intl.
const knownZones = new Map();

export function knowZone(zone) {
  if (zone?.name && zone.changes?.length) knownZones.set(zone.name, zone);
}

// knownOffset is tz's offset from UTC (ms) at instant t, or null when tz or t
// is outside what the server told.
function knownOffset(tz, t) {
  const z = knownZones.get(tz);
  if (!z || !(t >= z.from && t < z.to)) return null;
  const c = z.changes;
  let lo = 0, hi = c.length - 1; // the last change at or before t
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c[mid][0] <= t) lo = mid;
    else hi = mid - 1;
  }
  return c[lo][1] * 1000;
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const two = (n) => String(n).padStart(2, "0");

// parts is instant t on tz's wall clock, in Intl's formatToParts terms.
function parts(tz, t) {
  const known = knownOffset(tz, t);
  if (known === null) return intlParts(tz, t);
  const d = new Date(t + known);
  return {
    year: String(d.getUTCFullYear()), month: two(d.getUTCMonth() + 1), day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()), minute: two(d.getUTCMinutes()), second: two(d.getUTCSeconds()),
    weekday: weekdays[d.getUTCDay()],
  };
}

// formats keeps one formatter per zone: making one costs far more than
// using it, and a day's grid formats thousands of times.
const formats = new Map();

function intlParts(tz, t) {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short",
    });
    formats.set(tz, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
}

function offset(tz, t) {
  const known = knownOffset(tz, t);
  if (known !== null) return known;
  const p = intlParts(tz, t);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(t / 1000) * 1000;
}

// instant is the moment (ms) the wall-clock time "HH:MM" of day "YYYY-MM-DD" is in tz.
export function instant(day, hhmm, tz) {
  const [y, m, d] = day.split("-").map(Number);
  const [hh, mm] = hhmm.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  return guess - offset(tz, guess - offset(tz, guess));
}

// dayStart is the instant (ms) the day "YYYY-MM-DD" begins in tz.
export function dayStart(day, tz) {
  return instant(day, "00:00", tz);
}

export function dayOf(t, tz) {
  const p = parts(tz, t);
  return `${p.year}-${p.month}-${p.day}`;
}

export function addDays(day, n) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// weekOf is the Monday of day's week.
export function weekOf(day) {
  const [y, m, d] = day.split("-").map(Number);
  const wd = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(day, -wd);
}

export function clock(t, tz) {
  const p = parts(tz, t);
  return `${p.hour}:${p.minute}`;
}

// weekday names a day "Mon 5".
export function weekday(day) {
  const [y, m, d] = day.split("-").map(Number);
  return `${weekdays[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d}`;
}

// pbDate formats an instant the way PocketBase filters compare dates.
export function pbDate(t) {
  return new Date(t).toISOString().replace("T", " ");
}

export function parseDate(s) {
  return Date.parse(s.replace(" ", "T"));
}

// q quotes a value for a PocketBase filter.
export function q(v) {
  return JSON.stringify(String(v));
}

// csv renders rows as RFC 4180 text.
export function csv(rows) {
  return rows.map((r) => r.map((c) => {
    const s = String(c ?? "");
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(",")).join("\r\n") + "\r\n";
}

export function download(name, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Time zones. Browsers list some zones by names the tz database has since
// renamed (ICU keeps the old ones): the list shows the current names, and
// a zone saved under an old name is shown under its new one.
const renamedZones = {
  "Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon", "Europe/Kiev": "Europe/Kyiv", "Atlantic/Faeroe": "Atlantic/Faroe",
  "America/Godthab": "America/Nuuk", "Pacific/Truk": "Pacific/Chuuk", "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Enderbury": "Pacific/Kanton", "Africa/Asmera": "Africa/Asmara", "Asia/Dacca": "Asia/Dhaka",
  "Asia/Ulan_Bator": "Asia/Ulaanbaatar", "Asia/Thimbu": "Asia/Thimphu", "Asia/Macao": "Asia/Macau",
  "Asia/Chongqing": "Asia/Shanghai", "Asia/Harbin": "Asia/Shanghai", "Asia/Kashgar": "Asia/Urumqi",
  "Asia/Ujung_Pandang": "Asia/Makassar", "Asia/Tel_Aviv": "Asia/Jerusalem", "Europe/Uzhgorod": "Europe/Kyiv",
  "Europe/Zaporozhye": "Europe/Kyiv", "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca", "America/Cordoba": "America/Argentina/Cordoba",
  "America/Jujuy": "America/Argentina/Jujuy", "America/Mendoza": "America/Argentina/Mendoza",
  "America/Indianapolis": "America/Indiana/Indianapolis", "America/Louisville": "America/Kentucky/Louisville",
  "America/Coral_Harbour": "America/Atikokan", "America/Santa_Isabel": "America/Tijuana",
  "Australia/Currie": "Australia/Hobart", "Pacific/Johnston": "Pacific/Honolulu",
};

// currentZone is tz under its current name.
function currentZone(tz) {
  return renamedZones[tz] || tz;
}

// zones lists the time zones by their current names, UTC first.
export function zones() {
  const all = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...new Set(all.map(currentZone).filter((z) => z !== "UTC"))].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

// zonePicker is a time-zone select with a search box: typing part of a
// name ("kolk", "new york") narrows the list to the zones that match.
export function zonePicker(name, value, hint) {
  const chosen = currentZone(value || "UTC");
  const list = zones();
  if (!list.includes(chosen)) list.unshift(chosen);
  const options = list.map((z) => h("option", { value: z, selected: z === chosen }, z.replaceAll("_", " ")));
  const pick = h("select", { name, "aria-label": "Time zone" }, options);
  const search = h("input", {
    type: "search", class: "zone-search", placeholder: "Search time zones", "aria-label": "Search time zones",
    oninput: (e) => {
      const words = e.target.value.toLowerCase().replaceAll("_", " ").split(/\s+/).filter(Boolean);
      let first = null;
      for (const o of options) {
        const hit = words.every((w) => o.textContent.toLowerCase().includes(w));
        o.hidden = !hit;
        if (hit && !first) first = o;
      }
      if (first && pick.selectedOptions[0]?.hidden) pick.value = first.value;
    },
  });
  return h("div", { class: "field zone-picker", role: "group", "aria-label": "Time zone" },
    h("span", {}, "Time zone"), search, pick, hint ? h("small", {}, hint) : null);
}

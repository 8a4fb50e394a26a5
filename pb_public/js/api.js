// The session: the PocketBase client, the current organization and what the
// signed-in person may do there. The server enforces every permission; the
// app only reads them to leave out the controls a person can't use.
import PocketBase from "../vendor/pocketbase.es.mjs";
import { knowZone } from "./ui.js";

export const pb = new PocketBase(location.origin);
pb.autoCancellation(false);

const orgKey = "tock.org";

export const session = {
  orgs: [], // organizations the person is an active member of
  org: null, // the current one
  me: null, // GET /api/tock/orgs/{org}/me
  people: new Map(), // id → {id, name, email, role, status}
};

export function signedIn() {
  return pb.authStore.isValid && pb.authStore.record?.collectionName === "users";
}

export function userId() {
  return pb.authStore.record?.id;
}

export function signOut() {
  pb.authStore.clear();
  session.orgs = [];
  session.org = session.me = null;
  session.people = new Map();
}

// loadOrgs reads the person's organizations and picks the current one: the
// one asked for, else the last used, else the first.
// The session of the organization expected is asked for together with the
// list, not after it: one round trip less before every page.
export async function loadOrgs(wanted) {
  const pick = wanted || localStorage.getItem(orgKey);
  const early = takeEarly(pick);
  const asked = early?.session || (pick ? orgSession(pick) : null);
  asked?.catch(() => {}); // a stale pick: the list below decides
  session.orgs = await (early?.orgs || orgList());
  const org = session.orgs.find((o) => o.id === pick) || session.orgs[0] || null;
  await useOrg(org, org && org.id === pick ? asked : null);
}

const orgList = () => pb.collection("organizations").getFullList({ sort: "name", batch: 200 });

// takeEarly takes the session index.html asked for as the page was read,
// once, when it is for this sign-in and organization pick. An answer that
// failed is asked for again here, so that its error is the SDK's, which
// the app knows how to read (a 401 signs out).
function takeEarly(pick) {
  const early = window.tockEarly;
  window.tockEarly = null;
  if (!early || early.token !== pb.authStore.token || early.org !== pick) return null;
  return {
    // One page of 200: a person in more organizations gets the whole list.
    orgs: early.orgs.then((list) => list.items.length < 200 ? list.items : orgList(), orgList),
    session: Promise.all([early.me, early.people]).catch(() => orgSession(pick)),
  };
}

// useOrg makes org the current organization; asked is its session when
// already asked for (orgSession).
export async function useOrg(org, asked) {
  session.org = org;
  session.me = null;
  session.people = new Map();
  if (!org) return;
  localStorage.setItem(orgKey, org.id);
  const [me, people] = await (asked || orgSession(org.id));
  if (session.org !== org) return;
  session.me = me;
  session.people = peopleMap(people);
  knowZone(me.zone);
}

// orgSession asks at once for what the person may do in the organization
// and the names of its people.
function orgSession(id) {
  return Promise.all([pb.send(`/api/tock/orgs/${id}/me`, {}), pb.send(`/api/tock/orgs/${id}/people`, {})]);
}

// peopleMap keys the people by id; rank is their place in the list, which
// the server sorts by name.
function peopleMap(people) {
  return new Map(people.items.map((p, rank) => [p.id, { ...p, rank }]));
}

// reloadPeople reads the names of the organization's people again: someone
// may have joined since the page was opened.
export async function reloadPeople() {
  const org = session.org;
  const people = await pb.send(`/api/tock/orgs/${org.id}/people`, {});
  if (session.org === org) session.people = peopleMap(people);
}

export function nameOf(userID) {
  return session.people.get(userID)?.name || "Member";
}

// byName orders two user ids by their names, as the server sorted them
// (rather than with localeCompare, whose first use costs a page 40 ms: see
// ui.js on time zones); people the session doesn't know come last.
export function byName(a, b) {
  const ra = session.people.get(a)?.rank ?? Infinity, rb = session.people.get(b)?.rank ?? Infinity;
  return ra === rb ? 0 : ra < rb ? -1 : 1;
}

// Permission reads, mirroring perms.Scope on the server.

function scope(feature) {
  return session.me?.features?.[feature];
}

// can: the person may use feature somewhere in the organization.
export function can(feature) {
  return !!scope(feature);
}

export function canAll(feature) {
  return !!scope(feature)?.all;
}

// canOn: the person may use feature on data of user in project (either may be omitted).
export function canOn(feature, { user, project, team } = {}) {
  const s = scope(feature);
  if (!s) return false;
  return s.all ||
    (s.self && user && user === session.me.user) ||
    (user && s.users.includes(user)) ||
    (project && s.projects.includes(project)) ||
    (team && s.teams.includes(team));
}

export function limited(feature) {
  return !!scope(feature)?.limited;
}

// image fetches a screenshot (decrypted by the server) with the session's
// token in a header, never in a URL that could end up in a log.
export async function image(id, thumb) {
  const res = await fetch(`/api/tock/screenshots/${id}/${thumb ? "thumb" : "image"}`, {
    headers: { Authorization: pb.authStore.token },
  });
  if (!res.ok) throw new Error(`screenshot ${id}: ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

// moduleOn: the organization has module on (Add/Remove Features); pages of a
// module that is off stay out of the navigation.
export function moduleOn(module) {
  return session.me?.modules?.[module] !== false;
}

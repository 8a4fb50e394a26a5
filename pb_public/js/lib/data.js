// Data helpers shared by pages: the names of projects, the slots a person
// may see, and the sums and activity % every page computes the same way.
import { pb } from "../api.js";
import { percent, pbDate, q } from "../ui.js";

const slotFields = "id,user,project,task,slot_start,tracked_seconds,active_seconds,source";

export async function projectNames() {
  const list = await pb.collection("projects").getFullList({ fields: "id,name,archived", sort: "name", batch: 500 });
  return new Map(list.map((p) => [p.id, p.name]));
}

// projectOrder orders project ids by the names in names (from projectNames)
// whatever their capitals, "internal" before "Website", as localeCompare did
// (the server's list puts capitals first); ids it doesn't name come last.
export function projectOrder(names) {
  const key = new Map([...names].map(([id, name]) => [id, name.toLowerCase()]));
  const ids = [...key.keys()].sort((a, b) => key.get(a) < key.get(b) ? -1 : key.get(a) > key.get(b) ? 1 : 0);
  const rank = new Map(ids.map((id, i) => [id, i]));
  return (a, b) => (rank.get(a) ?? ids.length) - (rank.get(b) ?? ids.length);
}

// activitiesSince lists the slots visible to the person from an instant on,
// optionally for one member; the server narrows the list to what they may see.
export function activitiesSince(from, user, until) {
  const terms = [`slot_start >= ${q(pbDate(from))}`];
  if (until) terms.push(`slot_start < ${q(pbDate(until))}`);
  if (user) terms.push(`user = ${q(user)}`);
  return pb.collection("activities").getFullList({ filter: terms.join(" && "), sort: "slot_start", fields: slotFields, batch: 1000 });
}

// sums adds up slots. Activity % leaves manual time out (there was no input
// to measure), as Hubstaff and Tock's reports do: activity(x) = active / agent time.
export function sums(slots) {
  let tracked = 0, active = 0, manual = 0;
  for (const s of slots) {
    tracked += s.tracked_seconds;
    active += s.active_seconds;
    if (s.source === "manual") manual += s.tracked_seconds;
  }
  return { tracked, active, manual };
}

export function activity(x) {
  return percent(x.active, x.tracked - x.manual);
}

// Live pages: a page left open stays true while others work. The pages that
// list people or their time follow PocketBase's realtime events on the
// organization's records (the server sends each subscriber only the records
// they may view, hooks/realtime.go), and refresh when the tab comes back into
// focus, for what a person's rules keep them from following live.
import { pb, session, reloadPeople } from "./api.js";

let current = null; // { unsubscribe: [fn], timer, refresh, people }
let generation = 0;

// follow subscribes the page just shown to the collections it lists;
// refresh redraws the page. Whatever the previous page followed stops.
export async function follow(collections, refresh, { every = 0 } = {}) {
  stop();
  const mine = generation;
  if (!collections?.length || !session.org) return;
  const state = { unsubscribe: [], timer: 0, refresh };
  current = state;
  let pending = 0, people = false;
  const changed = (collection) => {
    people ||= collection === "memberships";
    clearTimeout(pending);
    // Events come in bursts (an upload is an activity and its apps): one redraw.
    pending = setTimeout(async () => {
      if (current !== state) return;
      if (people) await reloadPeople().catch(() => {});
      people = false;
      if (current === state) refresh();
    }, 250);
  };
  const filter = `org = ${JSON.stringify(session.org.id)}`;
  for (const c of collections) {
    try {
      const off = await pb.collection(c).subscribe("*", () => changed(c), { filter });
      if (mine !== generation) return off();
      state.unsubscribe.push(off);
    } catch {
      // Not allowed to follow it live: the refresh on focus covers it.
    }
  }
  if (every) state.timer = setInterval(() => changed(""), every * 1000);
}

// stop ends the current page's subscriptions, also those still under way:
// a subscription that lands after its page was left (the person moved on,
// or signed out, while it was being set up) is ended on arrival.
export function stop() {
  generation++;
  if (!current) return;
  clearInterval(current.timer);
  for (const off of current.unsubscribe) off().catch(() => {});
  current = null;
}

// Back in the tab: names may have changed and events may have been missed.
window.addEventListener("focus", async () => {
  const state = current;
  if (!state || !session.org) return;
  await reloadPeople().catch(() => {});
  if (current === state) state.refresh();
});

// A screenshot's thumbnail, decrypted by the server and shown from memory.
import { session, image } from "../api.js";
import { h, clock, parseDate } from "../ui.js";

export function thumbnail(shot, onOpen) {
  const img = h("img", { alt: `Screenshot of screen ${shot.screen + 1} at ${clock(parseDate(shot.taken_at), session.org.timezone)}`, width: 160, height: 100 });
  image(shot.id, true).then((url) => {
    // The decrypted bytes live only as long as the picture needs them.
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
  }, () => { img.alt += " (unavailable)"; });
  return onOpen ? h("button", { type: "button", class: "thumb", onclick: () => onOpen(shot) }, img) : img;
}

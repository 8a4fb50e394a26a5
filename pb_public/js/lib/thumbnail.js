// A screenshot's thumbnail, decrypted by the server and shown from memory.
import { session, image } from "../api.js";
import { h, clock, parseDate } from "../ui.js";

// thumbnail fetches the picture only once it comes near the screen: a full
// day is hundreds of thumbnails, of which a screen shows a few dozen.
export function thumbnail(shot, onOpen) {
  const img = h("img", { alt: `Screenshot of screen ${shot.screen + 1} at ${clock(parseDate(shot.taken_at), session.org.timezone)}`, width: 160, height: 100 });
  const near = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    near.disconnect();
    image(shot.id, true).then((url) => {
      // The decrypted bytes live only as long as the picture needs them.
      img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
      img.src = url;
    }, () => { img.alt += " (unavailable)"; });
  }, { rootMargin: "400px" });
  near.observe(img);
  return onOpen ? h("button", { type: "button", class: "thumb", onclick: () => onOpen(shot) }, img) : img;
}

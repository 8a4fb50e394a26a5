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
      img.src = url;
      releaseWhenGone(img, url);
    }, () => { img.alt += " (unavailable)"; });
  }, { rootMargin: "400px" });
  near.observe(img);
  return onOpen ? h("button", { type: "button", class: "thumb", onclick: () => onOpen(shot) }, img) : img;
}

// releaseWhenGone frees the decrypted bytes once the picture has left the
// page. Freeing them when the picture had loaded was too early: Chromium may
// read an image's URL again while it is shown (after in-app navigation it
// logged blob: ERR_FILE_NOT_FOUND). Pages leave only by navigating, so each
// navigation checks, once the next view had time to replace this one.
function releaseWhenGone(img, url) {
  const check = () => setTimeout(() => {
    if (img.isConnected) return;
    window.removeEventListener("hashchange", check);
    URL.revokeObjectURL(url);
  }, 1000);
  window.addEventListener("hashchange", check);
}

// Package screenshots owns the encrypted screenshots: the agent's envelope
// uploads (checked, then stored as sealed blobs), viewing (opened on the
// server for those allowed, as full image or thumbnail; the gallery route,
// a day of slots with their screenshots and apps in one request), deletion and its
// audit, the organizations' keys and their rotation under the master key,
// the in-memory key cache, and retention with the orphan sweep of the blob
// store.
package screenshots

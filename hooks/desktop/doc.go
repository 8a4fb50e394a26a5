// Package desktop owns what gets the desktop agent onto a member's machine:
// enrolment codes an administrator hands out and the enrolment that turns one
// into a signed-in agent, and the "Get the desktop app" downloads with their
// checksums.
package desktop

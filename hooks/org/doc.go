// Package org owns organizations and the people in them: creating an
// organization with its owner, memberships and the rules that keep an
// active owner, the users' organization lists, invitations, the plan with its
// seats and module switches, the people list, and "me" (what the signed-in
// person may do, so the web app shows only controls that will work).
package org

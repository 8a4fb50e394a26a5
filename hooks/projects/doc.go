// Package projects owns clients, projects, tasks and teams with their
// memberships and roles, creating a project (in a team, for a client), and
// moving a project to another organization: its time, screenshots (re-sealed
// for the new organization's key) and people, in named phases inside one
// transaction. The screenshots a transfer moves are reached through Sealed.
package projects

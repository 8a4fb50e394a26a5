// Package reply is the request plumbing every route shares: client faults
// (4xx with a message a person can act on) told apart from server faults
// (logged, 500), validation merged with PocketBase's, body bounds, record ids
// spliced safely into filters, and dates in an organization's time zone.
package reply

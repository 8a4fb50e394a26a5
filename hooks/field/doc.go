// Package field owns work away from a desk: the agent's location batches and
// their retention, job sites with the visits derived from locations, and
// work orders with their jobs' statuses.
package field

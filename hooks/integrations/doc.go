// Package integrations owns what Tock sends out: webhooks (events queued in an
// outbox once the change has committed, delivered and retried by a worker)
// and the work summary e-mails.
package integrations

// Package ledger reads recorded time the way every domain that counts hours
// must: activities as 10-minute slots, split between local days at
// midnight in the organization's zone (DayRange.Each, the one place that
// decides it), scoped to what the requester may see, and the timesheet
// locks that freeze approved periods. Reports, dashboards, time off,
// payroll, invoices, job sites and summaries all add up time through it, so
// they agree to the second.
package ledger

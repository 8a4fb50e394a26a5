// Package audit records who deleted or changed what in the audit log: a
// failure to record is logged loudly but never undoes what the person was
// allowed to do.
package audit

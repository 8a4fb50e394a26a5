package schema

// Field names. A constant names a field wherever a collection has one of
// that name (FieldUser is the user of an activity, a screenshot, a
// membership…), so one constant serves every collection; the comments say
// which of the busiest collections have it.

// Fields most collections share.
const (
	FieldOrg      = "org"       // every organization-scoped collection
	FieldUser     = "user"      // memberships, activities, screenshots, app_usage, …
	FieldProject  = "project"   // activities, screenshots, app_usage, …
	FieldTask     = "task"      // activities, screenshots
	FieldActivity = "activity"  // screenshots, app_usage
	FieldClientID = "client_id" // the agent's idempotency key: activities, screenshots, app_usage
	FieldName     = "name"      // organizations, projects, users, …
	FieldArchived = "archived"  // organizations, projects, clients
	FieldStatus   = "status"    // memberships, invites, requests, timesheets, …
	FieldRole     = "role"      // memberships, project_members, invites
	FieldTitle    = "title"     // app_usage, tasks
	FieldCreated  = "created"
	FieldUpdated  = "updated"
)

// UserOrgsField is the users field listing a person's active organizations.
const UserOrgsField = "tock_orgs"

// UserTimezoneField is the users field holding a person's own time zone.
const UserTimezoneField = "timezone"

// Organization settings.
const (
	FieldTimezone           = "timezone"
	FieldScreenshotsPerSlot = "screenshots_per_slot" // also a membership's override
	FieldBlurScreenshots    = "blur_screenshots"
	FieldIdleTimeoutMinutes = "idle_timeout_minutes"
	FieldRetentionDays      = "retention_days"
	FieldKeyID              = "key_id" // the current key pair; on screenshots, the pair that sealed it
	FieldPublicKey          = "public_key"
	FieldManualTime         = "manual_time"
	FieldTimesheetApprovals = "timesheet_approvals"
	FieldPayPeriod          = "pay_period"
	FieldPayPeriodAnchor    = "pay_period_anchor"
	FieldSeatLimit          = "seat_limit"
	FieldPlanRetentionDays  = "plan_retention_days"
)

// IdleDefaultField is the organizations field holding the answer to the
// agent's idle question when the member gives none in time.
const IdleDefaultField = "idle_default"

// Membership fields beyond the shared ones.
const (
	FieldDailyLimitHours  = "daily_limit_hours"
	FieldWeeklyLimitHours = "weekly_limit_hours"
	FieldTrackingEnabled  = "tracking_enabled"
	FieldSummaryEmails    = "summary_emails"
	FieldSummarySent      = "summary_sent"
)

// Project fields beyond the shared ones.
const (
	FieldClient     = "client"
	FieldBudgetType = "budget_type"
	FieldBudget     = "budget"
)

// Activity fields: one record is one member's slot of SlotSeconds on one project.
const (
	FieldSlotStart       = "slot_start"
	FieldTrackedSeconds  = "tracked_seconds"
	FieldKeyboardSeconds = "keyboard_seconds"
	FieldMouseSeconds    = "mouse_seconds"
	FieldActiveSeconds   = "active_seconds"
	FieldSource          = "source"
	FieldCaptureErrors   = "capture_errors"
)

// ActivityCounters are the activity fields counting seconds of a slot.
func ActivityCounters() []string {
	return []string{FieldTrackedSeconds, FieldKeyboardSeconds, FieldMouseSeconds, FieldActiveSeconds}
}

// Screenshot fields beyond the shared ones.
const (
	FieldTakenAt    = "taken_at"
	FieldScreen     = "screen"
	FieldWidth      = "width"
	FieldHeight     = "height"
	FieldBlurred    = "blurred"
	FieldSize       = "size"
	FieldSHA256     = "sha256"
	FieldStorageKey = "storage_key" // where the ciphertext lives in the blob store
)

// App usage fields beyond the shared ones.
const (
	FieldApp     = "app"
	FieldURL     = "url"
	FieldSeconds = "seconds"
)

// PlanFields are the organization fields of its plan ("Change Subscription Plan").
func PlanFields() []string { return []string{FieldSeatLimit, FieldPlanRetentionDays} }

// Fields of job_marks: a job's mark, by name.
const FieldMark = "mark"

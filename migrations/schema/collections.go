package schema

// Collection names shared by the migrations, the hooks and the tests.
const (
	Users          = "users"
	Organizations  = "organizations"
	Memberships    = "memberships"
	Clients        = "clients"
	Projects       = "projects"
	ProjectMembers = "project_members"
	Teams          = "teams"
	TeamMembers    = "team_members"
	TeamProjects   = "team_projects"
	Tasks          = "tasks"
	Activities     = "activities"
	Screenshots    = "screenshots"
	AppUsage       = "app_usage"
	Invites        = "invites"
	BreakPolicies  = "break_policies"
	TimeRequests   = "time_requests"
	Timesheets     = "timesheets"
	Rates          = "rates"
	ClientInvoices = "client_invoices"
	TeamInvoices   = "team_invoices"
	PayrollRuns    = "payroll_runs"
	Payments       = "payments"

	TimeOffPolicies = "time_off_policies"
	HolidayPolicies = "holiday_policies"
	TimeOffBalances = "time_off_balances"
	TimeOffRequests = "time_off_requests"
	Schedules       = "schedules"
)

// Integration collections (outgoing webhooks and their delivery log).
const (
	Webhooks          = "webhooks"
	WebhookDeliveries = "webhook_deliveries"
	Locations         = "locations"
	JobSites          = "job_sites"
	WorkOrders        = "work_orders"
	Jobs              = "jobs"
)

// Collections of the encrypted screenshot pipeline.
const (
	OrgKeys  = "org_keys"
	AuditLog = "audit_log"
)

// Enrolments holds the one-time codes that sign a desktop agent in without
// a password (hooks/desktop).
const Enrolments = "enrolments"

// JobMarks holds where Tock's background jobs got to (the orphan sweep's
// place in the blob store, how far each organization's app usage has
// expired), so a run resumes rather than starts over (hooks/screenshots).
const JobMarks = "job_marks"

// CoreCollections returns the core collections (README, "Data model") in dependency order.
func CoreCollections() []string {
	return []string{
		Organizations, Memberships, Clients, Projects, ProjectMembers, Teams,
		TeamMembers, TeamProjects, Tasks, Activities, Screenshots, AppUsage,
	}
}

package schema

// Organization roles of a membership (and of an invitation).
const (
	RoleOwner   = "owner"
	RoleManager = "manager"
	RoleUser    = "user"
)

// InviteRoles are the organization roles an invitation may carry.
func InviteRoles() []string { return []string{RoleOwner, RoleManager, RoleUser} }

// Project roles of a project member.
const (
	ProjectRoleManager = "manager"
	ProjectRoleUser    = "user"
	ProjectRoleViewer  = "viewer"
)

// Membership statuses: an invited member holds a seat but is not yet active.
const (
	MemberActive  = "active"
	MemberInvited = "invited"
)

// Sources of an activity: the agent's slots, or time added by hand.
const (
	SourceTracked = "tracked"
	SourceManual  = "manual"
)

// Budget types of a project.
const (
	BudgetHours = "hours"
	BudgetCost  = "cost"
)

// Invitation statuses.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteRevoked  = "revoked"
)

// Manual time modes of an organization (its manual_time setting).
const (
	ManualTimeAllowed  = "allowed"  // members add their own time
	ManualTimeApproval = "approval" // members request it, approvers add it
	ManualTimeOff      = "off"      // only approvers add time
)

// Pay periods, and the default first day of one: a Monday, so weekly periods
// are calendar weeks as Hubstaff's default.
const (
	PayPeriodWeekly        = "weekly"
	PayPeriodBiweekly      = "biweekly"
	PayPeriodMonthly       = "monthly"
	DefaultPayPeriodAnchor = "2026-01-05"
	DefaultManualTime      = ManualTimeAllowed
	DefaultPayPeriod       = PayPeriodWeekly
)

// Statuses of manual time requests and of timesheets.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestDenied   = "denied"

	TimesheetOpen      = "open"
	TimesheetSubmitted = "submitted"
	TimesheetApproved  = "approved"
	TimesheetRejected  = "rejected"
)

// Statuses of invoices.
const (
	InvoiceOpen = "open" // created, not sent (client) or not yet paid (team)
	InvoiceSent = "sent" // e-mailed to the client
	InvoicePaid = "paid" // payments add up to the total
)

// Modules an organization can switch off ("Add/Remove Features"). Each is a
// bool organization field named FeatureField(module), on by default.
const (
	ModuleInvoices     = "invoices"
	ModulePayroll      = "payroll"
	ModuleTimeOff      = "time_off"
	ModuleSchedules    = "schedules"
	ModuleJobSites     = "job_sites"
	ModuleWorkOrders   = "work_orders"
	ModuleIntegrations = "integrations"
)

// Modules lists every module an organization can turn off, in display order.
func Modules() []string {
	return []string{ModuleInvoices, ModulePayroll, ModuleTimeOff, ModuleSchedules, ModuleJobSites, ModuleWorkOrders, ModuleIntegrations}
}

// FeatureField names the organization field that turns module on or off.
func FeatureField(module string) string { return "feature_" + module }

// ModuleCollections maps each module to the collections whose records it
// creates; creation there is refused while the module is off.
func ModuleCollections() map[string][]string {
	return map[string][]string{
		ModuleInvoices:     {ClientInvoices, TeamInvoices},
		ModulePayroll:      {PayrollRuns, Payments},
		ModuleTimeOff:      {TimeOffPolicies, HolidayPolicies, TimeOffBalances, TimeOffRequests},
		ModuleSchedules:    {Schedules},
		ModuleJobSites:     {JobSites, Locations},
		ModuleWorkOrders:   {WorkOrders, Jobs},
		ModuleIntegrations: {Webhooks},
	}
}

// Accrual kinds of a time off policy.
const (
	AccrualNone          = "none"            // balances are granted by hand only
	AccrualPerHourWorked = "per_hour_worked" // accrual_rate hours per hour tracked
	AccrualYearly        = "yearly"          // accrual_rate hours per year, earned day by day
)

// Statuses of a time off request; cancelled is the requester withdrawing a
// pending one.
const (
	TimeOffPending   = "pending"
	TimeOffApproved  = "approved"
	TimeOffDenied    = "denied"
	TimeOffCancelled = "cancelled"
)

// Statuses of jobs and work orders.
const (
	JobScheduled        = "scheduled"
	JobInProgress       = "in_progress"
	JobDone             = "done"
	WorkOrderOpen       = "open"
	WorkOrderInProgress = "in_progress"
	WorkOrderDone       = "done"
)

// Webhook events (what happened, after its transaction committed), the
// statuses of a delivery, and the frequencies of work summary e-mails.
const (
	EventMemberJoined        = "member.joined"
	EventTimesheetSubmitted  = "timesheet.submitted"
	EventTimesheetApproved   = "timesheet.approved"
	EventTimesheetRejected   = "timesheet.rejected"
	EventTimeRequestApproved = "time_request.approved"
	EventProjectCreated      = "project.created"
	DeliveryPending          = "pending"
	DeliveryDelivered        = "delivered"
	DeliveryFailed           = "failed"
	SummaryOff               = "off"
	SummaryDaily             = "daily"
	SummaryWeekly            = "weekly"
)

// WebhookEvents lists every event a webhook may subscribe to.
func WebhookEvents() []string {
	return []string{EventMemberJoined, EventTimesheetSubmitted, EventTimesheetApproved, EventTimesheetRejected,
		EventTimeRequestApproved, EventProjectCreated}
}

// Answers an organization gives to the agent's idle question when the member
// gives none in time (its idle_default setting). An empty setting reads as
// IdleDiscard, so organizations made before the setting keep the agent's old
// behaviour.
const (
	IdleDiscard = "discard" // the idle time is not counted
	IdleKeep    = "keep"    // the idle time is counted as tracked
)

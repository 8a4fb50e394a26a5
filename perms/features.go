package perms

// One constant per row of permissions.tsv, so that callers refer to a feature by a
// name the compiler checks instead of by its free-text label. The values are the
// labels verbatim because they are the matrix keys; TestFeatureConstants keeps this
// list, its names and the TSV in step.
const (
	// Organization
	CreateAnOrganization Feature = "Create an Organization"
	EditOrganization     Feature = "Edit Organization"
	ArchiveOrganization  Feature = "Archive Organization"
	RestoreOrganization  Feature = "Restore Organization"
	LeaveOrganization    Feature = "Leave Organization"
	DeleteOrganization   Feature = "Delete Organization"
	Billing              Feature = "Billing"

	// Dashboard
	ViewMeDashboard   Feature = "View Me Dashboard"
	ViewTeamDashboard Feature = "View Team Dashboard"

	// Members
	ViewOrganizationMembers   Feature = "View Organization Members"
	InviteUsers               Feature = "Invite Users"
	ViewAndManageInvites      Feature = "View and Manage Invites"
	ChangeUserRoles           Feature = "Change User Roles"
	ManageTeams               Feature = "Manage Teams"
	ManageAssignedProjects    Feature = "Manage Assigned Projects"
	ManagePayPeriods          Feature = "Manage Pay Periods"
	ManagePayBillRates        Feature = "Manage Pay/Bill Rates"
	EnableTimesheetApprovals  Feature = "Enable Timesheet Approvals"
	SetDailyWeeklyLimits      Feature = "Set Daily/Weekly Limits"
	EnableDisableTimeTracking Feature = "Enable/Disable Time Tracking"
	RemoveUsers               Feature = "Remove Users"

	// Teams
	CreateTeams        Feature = "Create Teams"
	ModifyTeamMembers  Feature = "Modify Team members"
	AddRemoveTeamLeads Feature = "Add/Remove Team Leads"
	ModifyTeamProjects Feature = "Modify Team Projects"

	// Projects
	CreateProjects               Feature = "Create Projects"
	ViewProjects                 Feature = "View Projects"
	EditProjects                 Feature = "Edit Projects"
	ArchiveProjects              Feature = "Archive Projects"
	DeleteProjects               Feature = "Delete Projects"
	AddProjectMembers            Feature = "Add Project Members"
	PromoteDemoteUsersInProjects Feature = "Promote/Demote Users In Projects"
	RemoveMembersInProject       Feature = "Remove Members In Project"
	ViewProjectMembers           Feature = "View Project Members"
	ViewProjectBudget            Feature = "View Project Budget"
	ManageProjectBudget          Feature = "Manage Project Budget"
	TransferProjects             Feature = "Transfer Projects (Same Account)"

	// Tasks
	AddEditRemoveTasks  Feature = "Add/Edit/Remove Tasks"
	MarkTasksAsComplete Feature = "Mark Tasks as Complete"

	// Activity
	ViewScreenshots   Feature = "View Screenshots"
	DeleteScreenshots Feature = "Delete Screenshots"
	ModifyScreenshots Feature = "Modify (Move/Reassign/Delete) Screenshots"
	ViewApps          Feature = "View Apps"
	ViewURLs          Feature = "View URLs"
	ViewLocations     Feature = "View Locations"

	// Timesheets
	ViewTimesheets            Feature = "View Timesheets"
	AddEditDeleteTime         Feature = "Add/Edit/Delete Time"
	ApproveManualTimeRequests Feature = "Approve manual time requests"
	SubmitTimesheetsForUsers  Feature = "Submit timesheets for users"
	ApproveTimesheets         Feature = "Approve Timesheets"

	// Reports
	GenerateReports Feature = "Generate Reports"

	// Invoices
	CreateClientInvoices       Feature = "Create Client Invoices"
	ViewClientInvoices         Feature = "View Client Invoices"
	MarkPaymentOnClientInvoice Feature = "Mark Payment on Client Invoice"
	SendClientInvoices         Feature = "Send Client Invoices"
	CreateTeamInvoices         Feature = "Create Team Invoices"
	ViewTeamInvoices           Feature = "View Team Invoices"
	MarkPaymentOnTeamInvoice   Feature = "Mark Payment on Team invoice"

	// Schedules
	ViewSchedules   Feature = "View Schedules"
	AddSchedules    Feature = "Add Schedules"
	ModifySchedules Feature = "Modify Schedules"

	// Time Off
	AddTimeOffPolicies            Feature = "Add Time Off Policies"
	AddHolidayPolicies            Feature = "Add Holiday Policies"
	EditTimeOffBalances           Feature = "Edit Time Off Balances"
	ApproveRequestTimeOffRequests Feature = "Approve/Request Time Off Requests"

	// Job Sites
	AddRemoveJobSites Feature = "Add/Remove Job Sites"
	EditJobSites      Feature = "Edit Job Sites"

	// Clients
	AddClients    Feature = "Add Clients"
	RemoveClients Feature = "Remove Clients"
	EditClients   Feature = "Edit Clients"

	// Integration
	AddIntegration            Feature = "Add integration"
	RemoveIntegration         Feature = "Remove integration"
	ReAuthenticateIntegration Feature = "Re-authenticate integration"
	ChangeIntegrationSettings Feature = "Change Integration Settings"

	// Payments
	ManagePayroll              Feature = "Manage Payroll"
	ViewPastTeamPayments       Feature = "View Past Team Payments"
	ChangeOrganizationSettings Feature = "Change Organization Settings"
	ChangeSubscriptionPlan     Feature = "Change Subscription Plan"
	AddRemoveFeatures          Feature = "Add/Remove Features"

	// Work Breaks
	CreateWorkBreakPolicies    Feature = "Create Work Break policies"
	EditWorkBreakPolicies      Feature = "Edit Work Break policies"
	ViewWorkBreaksInTimesheets Feature = "View Work Breaks in Timesheets"
	ViewWorkBreaksInReports    Feature = "View Work Breaks in Reports"

	// Work Orders
	CreateWorkOrders Feature = "Create Work Orders"
	AddJobs          Feature = "Add jobs"

	// Work Summaries
	ReceiveWorkSummaryEmails Feature = "Receive Work Summary Emails"
)

// AllFeatures returns every feature constant in TSV order. It is a function rather
// than a package-level slice so that no caller can mutate the shared list.
func AllFeatures() []Feature {
	return []Feature{
		CreateAnOrganization,
		EditOrganization,
		ArchiveOrganization,
		RestoreOrganization,
		LeaveOrganization,
		DeleteOrganization,
		Billing,
		ViewMeDashboard,
		ViewTeamDashboard,
		ViewOrganizationMembers,
		InviteUsers,
		ViewAndManageInvites,
		ChangeUserRoles,
		ManageTeams,
		ManageAssignedProjects,
		ManagePayPeriods,
		ManagePayBillRates,
		EnableTimesheetApprovals,
		SetDailyWeeklyLimits,
		EnableDisableTimeTracking,
		RemoveUsers,
		CreateTeams,
		ModifyTeamMembers,
		AddRemoveTeamLeads,
		ModifyTeamProjects,
		CreateProjects,
		ViewProjects,
		EditProjects,
		ArchiveProjects,
		DeleteProjects,
		AddProjectMembers,
		PromoteDemoteUsersInProjects,
		RemoveMembersInProject,
		ViewProjectMembers,
		ViewProjectBudget,
		ManageProjectBudget,
		TransferProjects,
		AddEditRemoveTasks,
		MarkTasksAsComplete,
		ViewScreenshots,
		DeleteScreenshots,
		ModifyScreenshots,
		ViewApps,
		ViewURLs,
		ViewLocations,
		ViewTimesheets,
		AddEditDeleteTime,
		ApproveManualTimeRequests,
		SubmitTimesheetsForUsers,
		ApproveTimesheets,
		GenerateReports,
		CreateClientInvoices,
		ViewClientInvoices,
		MarkPaymentOnClientInvoice,
		SendClientInvoices,
		CreateTeamInvoices,
		ViewTeamInvoices,
		MarkPaymentOnTeamInvoice,
		ViewSchedules,
		AddSchedules,
		ModifySchedules,
		AddTimeOffPolicies,
		AddHolidayPolicies,
		EditTimeOffBalances,
		ApproveRequestTimeOffRequests,
		AddRemoveJobSites,
		EditJobSites,
		AddClients,
		RemoveClients,
		EditClients,
		AddIntegration,
		RemoveIntegration,
		ReAuthenticateIntegration,
		ChangeIntegrationSettings,
		ManagePayroll,
		ViewPastTeamPayments,
		ChangeOrganizationSettings,
		ChangeSubscriptionPlan,
		AddRemoveFeatures,
		CreateWorkBreakPolicies,
		EditWorkBreakPolicies,
		ViewWorkBreaksInTimesheets,
		ViewWorkBreaksInReports,
		CreateWorkOrders,
		AddJobs,
		ReceiveWorkSummaryEmails,
	}
}

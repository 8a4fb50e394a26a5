package migrations

import (
	"github.com/tock-app/tock/perms"

	"github.com/tock-app/tock/migrations/schema"
)

// Access describes how one collection meets the permission matrix. The hooks
// decide each request from it (first line) and the API rules are generated
// from it (second line), so the two can't drift apart.
type Access struct {
	// OrgField holds the record's organization: "org", or "id" on organizations.
	OrgField string
	// Owner, Project and Team name the fields that make up a perms.Target;
	// "id" stands for the record itself.
	Owner, Project, Team string

	// View lists and shows records; empty lets every member see them.
	View perms.Feature
	// OwnField also shows members the records where it names them.
	OwnField string
	// OwnTeamsField also shows members the records of the teams they belong to.
	OwnTeamsField string

	// Create, Update and Delete list every feature an action may need; the
	// hooks pick the exact ones per request, the rules allow what any allows.
	// Empty means only superusers (and Tock's own routes) may do it.
	Create, Update, Delete []perms.Feature
}

func fs(f ...perms.Feature) []perms.Feature { return f }

// AccessOf returns the access description of every Tock collection.
func AccessOf() map[string]Access {
	data := func(view perms.Feature) Access {
		return Access{OrgField: "org", Owner: "user", Project: "project", View: view}
	}
	activities := data(perms.ViewTimesheets)
	activities.Create = fs(perms.AddEditDeleteTime)
	activities.Update = fs(perms.AddEditDeleteTime)
	activities.Delete = fs(perms.AddEditDeleteTime)

	screenshots := data(perms.ViewScreenshots)
	screenshots.Delete = fs(perms.DeleteScreenshots)

	appUsage := data(perms.ViewApps)

	return map[string]Access{
		schema.Organizations: {
			OrgField: "id",
			Create:   fs(perms.CreateAnOrganization),
			Update: fs(perms.EditOrganization, perms.ArchiveOrganization, perms.RestoreOrganization, perms.ChangeOrganizationSettings,
				perms.EnableTimesheetApprovals, perms.ManagePayPeriods,
				perms.ChangeSubscriptionPlan, perms.AddRemoveFeatures),
			Delete: fs(perms.DeleteOrganization),
		},
		schema.Memberships: {
			OrgField: "org", Owner: "user", View: perms.ViewOrganizationMembers, OwnField: "user",
			Create: fs(perms.InviteUsers),
			Update: fs(perms.ChangeUserRoles, perms.ChangeOrganizationSettings, perms.SetDailyWeeklyLimits, perms.EnableDisableTimeTracking,
				perms.ReceiveWorkSummaryEmails),
			Delete: fs(perms.RemoveUsers, perms.LeaveOrganization),
		},
		schema.Clients: {
			OrgField: "org", View: perms.EditClients,
			Create: fs(perms.AddClients), Update: fs(perms.EditClients), Delete: fs(perms.RemoveClients),
		},
		schema.Projects: {
			OrgField: "org", Project: "id", View: perms.ViewProjects,
			Create: fs(perms.CreateProjects),
			Update: fs(perms.EditProjects, perms.ArchiveProjects, perms.ManageProjectBudget),
			Delete: fs(perms.DeleteProjects),
		},
		schema.ProjectMembers: {
			OrgField: "org", Project: "project", View: perms.ViewProjectMembers, OwnField: "user",
			Create: fs(perms.AddProjectMembers, perms.ManageAssignedProjects),
			// A role is Change User Roles' (a team lead's, for their teams'
			// projects, without a toggle); anything else Promote/Demote's.
			Update: fs(perms.PromoteDemoteUsersInProjects, perms.ChangeUserRoles),
			Delete: fs(perms.RemoveMembersInProject, perms.ManageAssignedProjects),
		},
		schema.Teams: {
			OrgField: "org", Team: "id", View: perms.ManageTeams, OwnTeamsField: "id",
			Create: fs(perms.CreateTeams), Update: fs(perms.ManageTeams), Delete: fs(perms.ManageTeams),
		},
		schema.TeamMembers: {
			OrgField: "org", Team: "team", View: perms.ManageTeams, OwnTeamsField: "team",
			Create: fs(perms.ModifyTeamMembers),
			Update: fs(perms.AddRemoveTeamLeads),
			Delete: fs(perms.ModifyTeamMembers),
		},
		schema.TeamProjects: {
			OrgField: "org", Team: "team", View: perms.ManageTeams, OwnTeamsField: "team",
			Create: fs(perms.ModifyTeamProjects), Update: fs(perms.ModifyTeamProjects), Delete: fs(perms.ModifyTeamProjects),
		},
		schema.Tasks: {
			OrgField: "org", Project: "project", View: perms.ViewProjects,
			Create: fs(perms.AddEditRemoveTasks),
			Update: fs(perms.AddEditRemoveTasks, perms.MarkTasksAsComplete),
			Delete: fs(perms.AddEditRemoveTasks),
		},
		// The audit log is the owners' to read (Edit Organization is theirs
		// alone) and only Tock writes it.
		schema.AuditLog: {OrgField: "org", View: perms.EditOrganization},
		// Invitations are made and accepted only through Tock's routes, which
		// mint the token and keep only its hash; revoking one is deleting it.
		schema.Invites: {OrgField: "org", View: perms.ViewAndManageInvites, Delete: fs(perms.ViewAndManageInvites)},
		// Every member reads the policies, so everyone can see the rule their
		// breaks are derived by; the breaks themselves are gated by the routes.
		schema.BreakPolicies: {
			OrgField: "org",
			Create:   fs(perms.CreateWorkBreakPolicies),
			Update:   fs(perms.EditWorkBreakPolicies),
			Delete:   fs(perms.EditWorkBreakPolicies),
		},
		// Manual time requests and timesheets change only through Tock's
		// routes, which add the time and lock approved periods; requesters
		// and the timesheet's member always see their own.
		schema.TimeRequests: {
			OrgField: "org", Owner: "user", Project: "project", View: perms.ApproveManualTimeRequests, OwnField: "user",
		},
		schema.Timesheets: {OrgField: "org", Owner: "user", View: perms.ViewTimesheets, OwnField: "user"},

		// Rates are managed over the API by whoever may manage them; everyone
		// sees their own (Hubstaff shows members their own pay rate).
		schema.Rates: {
			OrgField: "org", Owner: "user", View: perms.ManagePayBillRates, OwnField: "user",
			Create: fs(perms.ManagePayBillRates), Update: fs(perms.ManagePayBillRates), Delete: fs(perms.ManagePayBillRates),
		},
		// Invoices and payroll are computed, sent and paid only through
		// Tock's routes (hooks/money.go); the API reads them.
		schema.ClientInvoices: {OrgField: "org", Team: "team", View: perms.ViewClientInvoices},
		schema.TeamInvoices:   {OrgField: "org", Owner: "user", View: perms.ViewTeamInvoices},
		schema.PayrollRuns:    {OrgField: "org", View: perms.ViewPastTeamPayments},
		// Members see what they were paid, like a pay slip.
		schema.Payments: {OrgField: "org", Owner: "user", View: perms.ViewPastTeamPayments, OwnField: "user"},
		// Time off: every member reads the policies and holidays that may
		// apply to them; balances and requests are their member's and the
		// approvers'. Requests change only through Tock's routes, which check
		// the balance, overlaps and who may approve.
		schema.TimeOffPolicies: {
			OrgField: "org",
			Create:   fs(perms.AddTimeOffPolicies), Update: fs(perms.AddTimeOffPolicies), Delete: fs(perms.AddTimeOffPolicies),
		},
		schema.HolidayPolicies: {
			OrgField: "org",
			Create:   fs(perms.AddHolidayPolicies), Update: fs(perms.AddHolidayPolicies), Delete: fs(perms.AddHolidayPolicies),
		},
		schema.TimeOffBalances: {
			OrgField: "org", Owner: "user", View: perms.EditTimeOffBalances, OwnField: "user",
			Create: fs(perms.EditTimeOffBalances), Update: fs(perms.EditTimeOffBalances), Delete: fs(perms.EditTimeOffBalances),
		},
		schema.TimeOffRequests: {OrgField: "org", Owner: "user", View: perms.ApproveRequestTimeOffRequests, OwnField: "user"},
		schema.Schedules: {
			OrgField: "org", Owner: "user", Project: "project", View: perms.ViewSchedules,
			Create: fs(perms.AddSchedules), Update: fs(perms.ModifySchedules), Delete: fs(perms.ModifySchedules),
		},
		// Integrations are for those who may change their settings; their
		// deliveries are written by Tock alone and read as the delivery log.
		schema.Webhooks: {
			OrgField: "org", View: perms.ChangeIntegrationSettings,
			Create: fs(perms.AddIntegration), Update: fs(perms.ChangeIntegrationSettings), Delete: fs(perms.RemoveIntegration),
		},
		schema.WebhookDeliveries: {OrgField: "org", View: perms.ChangeIntegrationSettings},
		// Locations are written only by Tock's upload route, for the
		// uploader alone; no one edits or deletes a recorded point.
		schema.Locations: {OrgField: "org", Owner: "user", Project: "project", View: perms.ViewLocations},
		// Every member sees the job sites: they show where work happens.
		schema.JobSites: {
			OrgField: "org",
			Create:   fs(perms.AddRemoveJobSites), Update: fs(perms.EditJobSites), Delete: fs(perms.AddRemoveJobSites),
		},
		// Every member sees the work orders (no personal data; who works
		// where and when is in the jobs); one row governs all their changes.
		schema.WorkOrders: {
			OrgField: "org",
			Create:   fs(perms.CreateWorkOrders), Update: fs(perms.CreateWorkOrders), Delete: fs(perms.CreateWorkOrders),
		},
		// An assignee sees their own jobs and marks them started or done
		// through Tock's route (hooks/workorders.go); any other change is
		// "Add jobs".
		schema.Jobs: {
			OrgField: "org", Owner: "assignee", View: perms.AddJobs, OwnField: "assignee",
			Create: fs(perms.AddJobs), Update: fs(perms.AddJobs), Delete: fs(perms.AddJobs),
		},

		schema.Activities:  activities,
		schema.Screenshots: screenshots,
		schema.AppUsage:    appUsage,
	}
}

package org

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps the organization's own collections onto the matrix:
// organizations, memberships and invitations.
func Policies(m *perms.Matrix) gate.Policies {
	toggles := map[string]bool{}
	for _, t := range m.Toggles() {
		toggles[t] = true
	}
	return gate.Policies{
		schema.Organizations: {
			Create: gate.Always(perms.CreateAnOrganization),
			Update: func(before, after *core.Record) []perms.Feature {
				var out []perms.Feature
				for _, name := range gate.ChangedFields(before, after) {
					switch {
					case name == "archived" && after.GetBool(name):
						out = gate.AppendUnique(out, perms.ArchiveOrganization)
					case name == "archived":
						out = gate.AppendUnique(out, perms.RestoreOrganization)
					case name == "name" || name == "timezone":
						out = gate.AppendUnique(out, perms.EditOrganization)
					case name == "timesheet_approvals":
						out = gate.AppendUnique(out, perms.EnableTimesheetApprovals)
					case name == "pay_period" || name == "pay_period_anchor":
						out = gate.AppendUnique(out, perms.ManagePayPeriods)
					case isPlanField(name):
						out = gate.AppendUnique(out, perms.ChangeSubscriptionPlan)
					case isFeatureField(name):
						out = gate.AppendUnique(out, perms.AddRemoveFeatures)
					case toggles[name] && name != perms.SettingAllowScreenshotDelete:
						// A toggle widens what managers and team leads may do:
						// only owners grant it, or a manager could raise their own role.
						out = gate.AppendUnique(out, perms.EditOrganization)
					default:
						out = gate.AppendUnique(out, perms.ChangeOrganizationSettings)
					}
				}
				if len(out) == 0 {
					out = append(out, perms.EditOrganization)
				}
				return out
			},
			Delete: gate.AlwaysDelete(perms.DeleteOrganization),
			Guard:  guardOrgKeys,
		},
		schema.Memberships: {
			Create: func(r *core.Record) []perms.Feature {
				// A member who starts with a limit had it set by whoever added them.
				if r.GetFloat(schema.FieldDailyLimitHours) != 0 || r.GetFloat(schema.FieldWeeklyLimitHours) != 0 {
					return []perms.Feature{perms.InviteUsers, perms.SetDailyWeeklyLimits}
				}
				return []perms.Feature{perms.InviteUsers}
			},
			Update: gate.ByChangedField(membershipSettings(), perms.ChangeUserRoles),
			Delete: func(a perms.Actor, r *core.Record) []perms.Feature {
				if r.GetString(schema.FieldUser) == a.UserID {
					return []perms.Feature{perms.LeaveOrganization}
				}
				return []perms.Feature{perms.RemoveUsers}
			},
			Guard: guardOrgRoles,
		},
		// Invitations are created and accepted through Tock's routes only;
		// revoking one is deleting it.
		schema.Invites: {
			Delete: gate.AlwaysDelete(perms.ViewAndManageInvites),
		},
	}
}

// MembershipSettings are the fields of a membership that are the member's
// settings, each with its feature; every other field is the membership
// itself, Change User Roles' (see setsOrgRole).
func membershipSettings() map[string]perms.Feature {
	return map[string]perms.Feature{
		"screenshots_per_slot": perms.ChangeOrganizationSettings,
		"daily_limit_hours":    perms.SetDailyWeeklyLimits,
		"weekly_limit_hours":   perms.SetDailyWeeklyLimits,
		"tracking_enabled":     perms.EnableDisableTimeTracking,
		"summary_emails":       perms.ReceiveWorkSummaryEmails,
	}
}

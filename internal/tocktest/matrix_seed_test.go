package tocktest

import (
	"testing"

	"github.com/tock-app/tock/migrations"
)

// The matrix seed holds, in the organization each test expects, the records
// its named ids stand for: a probe aimed at a missing record would read as a
// denial and pass for the wrong reason.
func TestMatrixSeed(t *testing.T) {
	f, err := NewFixture(Matrix)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	app := f.App(t)
	defer app.Cleanup()

	for _, tc := range []struct{ collection, id, org string }{
		{migrations.Projects, ProjA, Acme}, {migrations.Projects, ProjB, Acme}, {migrations.Projects, ProjG, Globex},
		{migrations.Teams, TeamT, Acme}, {migrations.Teams, TeamU, Acme}, {migrations.Teams, TeamG, Globex},
		{migrations.Clients, Cli, Acme}, {migrations.Clients, CliG, Globex},
		{migrations.Invites, InvA, Acme}, {migrations.Invites, InvG, Globex},
		{migrations.BreakPolicies, BrkA, Acme}, {migrations.BreakPolicies, BrkG, Globex},
		{migrations.ClientInvoices, CInvA, Acme}, {migrations.ClientInvoices, CInvT, Acme}, {migrations.ClientInvoices, CInvU, Acme},
		{migrations.ClientInvoices, CInvG, Globex},
		{migrations.PayrollRuns, RunA, Acme}, {migrations.PayrollRuns, RunG, Globex},
		{migrations.TimeOffPolicies, PolA, Acme}, {migrations.TimeOffPolicies, PolG, Globex},
		{migrations.HolidayPolicies, HolA, Acme}, {migrations.HolidayPolicies, HolG, Globex},
		{migrations.JobSites, JobSiteA, Acme}, {migrations.JobSites, JobSiteG, Globex},
		{migrations.WorkOrders, WorkOrderA, Acme}, {migrations.WorkOrders, WorkOrderG, Globex},
		{migrations.Jobs, JobA, Acme}, {migrations.Jobs, JobG, Globex},
		{migrations.Webhooks, WhkA, Acme}, {migrations.Webhooks, WhkG, Globex},
		{migrations.Memberships, AliceInInitech, Initech}, {migrations.Memberships, WaltInInitech, Initech},
		{migrations.Memberships, BobInInitech, Initech},
	} {
		r, err := app.FindRecordById(tc.collection, tc.id)
		if err != nil {
			t.Errorf("%s %s: %v", tc.collection, tc.id, err)
			continue
		}
		if got := r.GetString("org"); got != tc.org {
			t.Errorf("%s %s belongs to %s, want %s", tc.collection, tc.id, got, tc.org)
		}
	}
	initech, err := app.FindRecordById(migrations.Organizations, Initech)
	if err != nil {
		t.Fatalf("Initech: %v", err)
	}
	if initech.GetString("key_id") == "" {
		t.Error("Initech has no encryption key, so nothing can be transferred to it")
	}
}

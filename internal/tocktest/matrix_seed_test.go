package tocktest

import (
	"testing"

	"github.com/tock-app/tock/migrations/schema"
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
		{schema.Projects, ProjA, Acme}, {schema.Projects, ProjB, Acme}, {schema.Projects, ProjG, Globex},
		{schema.Teams, TeamT, Acme}, {schema.Teams, TeamU, Acme}, {schema.Teams, TeamG, Globex},
		{schema.Clients, Cli, Acme}, {schema.Clients, CliG, Globex},
		{schema.Invites, InvA, Acme}, {schema.Invites, InvG, Globex},
		{schema.BreakPolicies, BrkA, Acme}, {schema.BreakPolicies, BrkG, Globex},
		{schema.ClientInvoices, CInvA, Acme}, {schema.ClientInvoices, CInvT, Acme}, {schema.ClientInvoices, CInvU, Acme},
		{schema.ClientInvoices, CInvG, Globex},
		{schema.PayrollRuns, RunA, Acme}, {schema.PayrollRuns, RunG, Globex},
		{schema.TimeOffPolicies, PolA, Acme}, {schema.TimeOffPolicies, PolG, Globex},
		{schema.HolidayPolicies, HolA, Acme}, {schema.HolidayPolicies, HolG, Globex},
		{schema.JobSites, JobSiteA, Acme}, {schema.JobSites, JobSiteG, Globex},
		{schema.WorkOrders, WorkOrderA, Acme}, {schema.WorkOrders, WorkOrderG, Globex},
		{schema.Jobs, JobA, Acme}, {schema.Jobs, JobG, Globex},
		{schema.Webhooks, WhkA, Acme}, {schema.Webhooks, WhkG, Globex},
		{schema.Memberships, AliceInInitech, Initech}, {schema.Memberships, WaltInInitech, Initech},
		{schema.Memberships, BobInInitech, Initech},
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
	initech, err := app.FindRecordById(schema.Organizations, Initech)
	if err != nil {
		t.Fatalf("Initech: %v", err)
	}
	if initech.GetString("key_id") == "" {
		t.Error("Initech has no encryption key, so nothing can be transferred to it")
	}
}

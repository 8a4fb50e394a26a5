package money

import (
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps pay and bill rates onto the matrix; invoices and payroll
// change only through the routes.
func Policies() gate.Policies {
	return gate.Policies{
		schema.Rates: {
			Create: gate.Always(perms.ManagePayBillRates),
			Update: gate.ByChangedField(nil, perms.ManagePayBillRates),
			Delete: gate.AlwaysDelete(perms.ManagePayBillRates),
		},
	}
}

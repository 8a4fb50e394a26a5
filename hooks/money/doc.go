// Package money owns what time is worth: pay and bill rates, client and team
// invoices with their payments, and payroll, all priced from the ledger's
// hours.
package money

// Package hooks binds Tock's rules to PocketBase. It only wires: Register builds
// the shared dependencies (the configuration with its defaults, the permission
// matrix and the authorizer) and calls each domain's Register, in an order
// that matters where two domains hook the same event. Beside the wiring it
// serves the web app and refreshes the query planner's statistics.
//
// The domains (org, projects, tracking, screenshots, timeoff, field, money,
// integrations) each own their routes, record hooks and permission policies;
// what they share lives in gate (who may do what), reply (request plumbing),
// audit, ledger (recorded time), api (the JSON contract) and config. No
// domain imports another: a cross-domain need is a small interface or
// function type declared by the domain that needs it, given by Register.
// The tests of the whole system (the permission matrix over HTTP, body
// bounds, query plans) live here too.
package hooks

// Package api is the contract of Tock's own routes with the web app and the
// agent: route paths, the JSON types they take and answer, the codes in
// refusals' data and the bounds a client must respect. It holds no logic and
// imports nothing of Tock's, so the web app's contract test, the agent and
// every domain can read it.
package api

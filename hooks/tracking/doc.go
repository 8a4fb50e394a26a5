// Package tracking owns time: the agent's activity uploads (one per slot and
// project, with app usage), daily and weekly limits and the tracking switch,
// manual time and its requests, reassigning time, timesheets and their
// approval, reports (JSON and CSV), work breaks, and the dashboards.
package tracking

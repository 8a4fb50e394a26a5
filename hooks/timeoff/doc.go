// Package timeoff owns time off and work schedules: time off and holiday
// policies, balances and their accrual, requests with approval, and
// schedules with the attendance they yield (on time, late, missed, on
// holiday or time off).
package timeoff

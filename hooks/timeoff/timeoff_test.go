package timeoff

import (
	"testing"
	"time"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/migrations/schema"
)

// TestComputeBalance is the arithmetic of a balance, figure by figure.
func TestComputeBalance(t *testing.T) {
	jan1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		in   accrualInput
		want api.Balance // only the figures
	}{
		{"granted only", accrualInput{accrual: schema.AccrualNone, adjustment: 40}, api.Balance{Adjustment: 40, Balance: 40, Available: 40}},
		{"granted, taken and pending", accrualInput{accrual: schema.AccrualNone, adjustment: 40, approved: 16, pend: 8}, api.Balance{Adjustment: 40, Used: 16, Pending: 8, Balance: 24, Available: 16}},
		{"a rate on a none policy earns nothing", accrualInput{accrual: schema.AccrualNone, rate: 5, workedSeconds: 36000}, api.Balance{}},
		{"per hour worked: 0.05 h per hour, 40 h worked", accrualInput{accrual: schema.AccrualPerHourWorked, rate: 0.05, workedSeconds: 40 * 3600}, api.Balance{Accrued: 2, Balance: 2, Available: 2}},
		{"per hour worked rounds the accrual once, half up", accrualInput{accrual: schema.AccrualPerHourWorked, rate: 0.0385, workedSeconds: 10 * 3600}, api.Balance{Accrued: 0.39, Balance: 0.39, Available: 0.39}},
		{"per hour worked plus a grant minus time taken", accrualInput{accrual: schema.AccrualPerHourWorked, rate: 0.1, workedSeconds: 80 * 3600, adjustment: 4, approved: 10}, api.Balance{Adjustment: 4, Accrued: 8, Used: 10, Balance: 2, Available: 2}},
		{"yearly, pro rata by whole days: 146 h a year, 73 days in", accrualInput{accrual: schema.AccrualYearly, rate: 146, start: jan1, now: jan1.AddDate(0, 0, 73).Add(20 * time.Hour)}, api.Balance{Accrued: 29.2, Balance: 29.2, Available: 29.2}},
		{"yearly, a whole year", accrualInput{accrual: schema.AccrualYearly, rate: 80, start: jan1, now: jan1.AddDate(0, 0, 365)}, api.Balance{Accrued: 80, Balance: 80, Available: 80}},
		{"yearly before the policy starts", accrualInput{accrual: schema.AccrualYearly, rate: 80, start: jan1, now: jan1.Add(-time.Hour)}, api.Balance{}},
		{"the cap applies to what was earned", accrualInput{accrual: schema.AccrualYearly, rate: 80, maxHours: 100, adjustment: 40, start: jan1, now: jan1.AddDate(0, 0, 365)}, api.Balance{Adjustment: 40, Accrued: 80, Capped: true, Balance: 100, Available: 100}},
		{"time taken comes off the capped balance", accrualInput{accrual: schema.AccrualYearly, rate: 80, maxHours: 100, adjustment: 40, approved: 30, pend: 20, start: jan1, now: jan1.AddDate(0, 0, 365)}, api.Balance{Adjustment: 40, Accrued: 80, Capped: true, Used: 30, Pending: 20, Balance: 70, Available: 50}},
		{"under the cap nothing is cut", accrualInput{accrual: schema.AccrualNone, maxHours: 100, adjustment: 60}, api.Balance{Adjustment: 60, Balance: 60, Available: 60}},
		{"a negative grant takes hours back", accrualInput{accrual: schema.AccrualPerHourWorked, rate: 1, workedSeconds: 3 * 3600, adjustment: -5}, api.Balance{Adjustment: -5, Accrued: 3, Balance: -2, Available: -2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := computeBalance(tc.in)
			got.Accrual = ""
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseHolidays(t *testing.T) {
	cases := []struct {
		raw  string
		n    int
		fail bool
	}{
		{`[]`, 0, false},
		{`null`, 0, false},
		{`[{"date":"2026-12-25","name":"Christmas"},{"date":"2026-12-26","name":"Boxing day"}]`, 2, false},
		{`{"date":"2026-12-25"}`, 0, true},
		{`[{"date":"25/12/2026","name":"Christmas"}]`, 0, true},
		{`[{"date":"2026-12-25","name":"  "}]`, 0, true},
		{`[{"date":"2026-12-25","name":"A"},{"date":"2026-12-25","name":"B"}]`, 0, true},
	}
	for _, tc := range cases {
		hs, err := parseHolidays([]byte(tc.raw))
		if (err != nil) != tc.fail || len(hs) != tc.n {
			t.Errorf("%s: got %d holidays, error %v; want %d, failure %v", tc.raw, len(hs), err, tc.n, tc.fail)
		}
	}
}

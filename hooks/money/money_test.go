package money

import (
	"errors"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAmountCentsRoundsHalfUpOnce(t *testing.T) {
	for _, tc := range []struct {
		name          string
		seconds, rate int64
		want          int64
	}{
		{"an hour", 3600, 5000, 5000},
		{"nothing", 0, 5000, 0},
		{"no rate", 3600, 0, 0},
		{"ten minutes at $20", 600, 2000, 333},             // 333.33 → 333
		{"half a cent rounds up", 18, 100, 1},              // 0.5 → 1
		{"just under half a cent rounds down", 17, 100, 0}, // 0.47 → 0
		{"twenty minutes at $20", 1200, 2000, 667},         // 666.67 → 667
		{"a month at the maximum rate", 744 * 3600, 1_000_000, 744_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := amountCents(tc.seconds, tc.rate); got != tc.want {
				t.Errorf("amountCents(%d, %d) = %d, want %d", tc.seconds, tc.rate, got, tc.want)
			}
		})
	}
}

func TestRateForPrefersTheProjectRate(t *testing.T) {
	rates := []rate{
		{User: "walt", Pay: 2000, Bill: 5000},
		{User: "walt", Project: "pa", Pay: 3000, Bill: 8000},
		{User: "nia", Project: "pa", Pay: 1500, Bill: 4000},
	}
	for _, tc := range []struct {
		name, user, project string
		ok                  bool
		pay                 int64
	}{
		{"the project's own rate", "walt", "pa", true, 3000},
		{"the default elsewhere", "walt", "pb", true, 2000},
		{"only a project rate: it prices that project", "nia", "pa", true, 1500},
		{"only a project rate: nothing elsewhere", "nia", "pb", false, 0},
		{"no rate at all", "zoe", "pa", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := rateFor(rates, tc.user, tc.project)
			if ok != tc.ok || r.Pay != tc.pay {
				t.Errorf("rateFor(%s, %s) = %+v, %v; want pay %d, %v", tc.user, tc.project, r, ok, tc.pay, tc.ok)
			}
		})
	}
}

func TestPriceWork(t *testing.T) {
	rates := []rate{
		{User: "walt", Pay: 2000, Bill: 5000, Currency: "USD"},
		{User: "walt", Project: "pa", Pay: 3000, Bill: 8000, Currency: "USD"},
		{User: "carol", Pay: 1000, Bill: 0},
		{User: "euro", Pay: 1000, Bill: 1000, Currency: "EUR"},
	}
	work := map[workKey]int64{
		{"walt", "pa"}: 5400, {"walt", "pb"}: 600, {"carol", "pa"}: 1800, {"zoe", "pa"}: 600, {"walt", "pc"}: 0,
	}
	t.Run("bill rates, per project, with unpriced time", func(t *testing.T) {
		lines, cur, unpriced, err := priceWork(work, rates, true, "USD")
		if err != nil {
			t.Fatal(err)
		}
		want := []api.MoneyLine{
			{User: "walt", Project: "pa", Seconds: 5400, Hours: 1.5, RateCents: 8000, AmountCents: 12000},
			{User: "walt", Project: "pb", Seconds: 600, Hours: 0.17, RateCents: 5000, AmountCents: 833},
		}
		if cur != "USD" || len(lines) != len(want) {
			t.Fatalf("got %s %+v, want USD %+v", cur, lines, want)
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Errorf("line %d = %+v, want %+v", i, lines[i], want[i])
			}
		}
		if totalOf(lines) != 12833 {
			t.Errorf("total %d, want the sum of the rounded lines 12833", totalOf(lines))
		}
		// Carol's bill rate is 0, Zoe has none: both are unpriced.
		if len(unpriced) != 2 || unpriced[0] != (workKey{"carol", "pa"}) || unpriced[1] != (workKey{"zoe", "pa"}) {
			t.Errorf("unpriced = %v", unpriced)
		}
	})
	t.Run("pay rates, a rate without currency is the default one", func(t *testing.T) {
		lines, cur, _, err := priceWork(map[workKey]int64{{"carol", "pa"}: 1800}, rates, false, "")
		if err != nil || cur != "USD" || len(lines) != 1 || lines[0].AmountCents != 500 {
			t.Fatalf("got %+v %s %v", lines, cur, err)
		}
	})
	t.Run("one invoice, one currency", func(t *testing.T) {
		_, _, _, err := priceWork(map[workKey]int64{{"euro", "pa"}: 3600, {"walt", "pa"}: 3600}, rates, false, "")
		var apiErr *router.ApiError
		if !errors.As(err, &apiErr) || apiErr.Status != 400 {
			t.Fatalf("mixed currencies: got %v, want a 400", err)
		}
	})
}

func TestCountableFollowsApprovals(t *testing.T) {
	week := []dayPeriod{{day("2026-11-02"), day("2026-11-08")}}
	for _, tc := range []struct {
		name      string
		day       string
		approvals bool
		sheets    []dayPeriod
		want      bool
	}{
		{"without approvals every day counts", "2026-11-20", false, nil, true},
		{"with approvals, a day in an approved week", "2026-11-02", true, week, true},
		{"its last day", "2026-11-08", true, week, true},
		{"the day after", "2026-11-09", true, week, false},
		{"no approved timesheet", "2026-11-03", true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := countable(day(tc.day), tc.approvals, tc.sheets); got != tc.want {
				t.Errorf("countable(%s) = %v, want %v", tc.day, got, tc.want)
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		name, start, end string
		ok               bool
	}{
		{"a week", "2026-11-02", "2026-11-08", true},
		{"one day", "2026-11-02", "2026-11-02", true},
		{"a leap year", "2028-01-01", "2028-12-31", true},
		{"backwards", "2026-11-08", "2026-11-02", false},
		{"more than a year", "2026-01-01", "2027-01-02", false},
		{"not a day", "yesterday", "2026-11-02", false},
		{"no end", "2026-11-02", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePeriod(tc.start, tc.end)
			if (err == nil) != tc.ok {
				t.Fatalf("parsePeriod(%q, %q) = %v, %v", tc.start, tc.end, p, err)
			}
		})
	}
}

func TestPayByMember(t *testing.T) {
	lines := []api.MoneyLine{
		{User: "nia", Project: "pa", Seconds: 3600, RateCents: 2000, AmountCents: 2000},
		{User: "walt", Project: "pa", Seconds: 3600, RateCents: 3000, AmountCents: 3000},
		{User: "walt", Project: "pb", Seconds: 1800, RateCents: 2000, AmountCents: 1000},
	}
	got := payByMember(lines)
	if len(got) != 2 {
		t.Fatalf("got %d payments, want 2", len(got))
	}
	if p := got[0]; p.user != "nia" || p.seconds != 3600 || p.rateCents != 2000 || p.amount != 2000 {
		t.Errorf("nia: %+v", p)
	}
	// 1.5 h for $40: the effective rate is $26.67 an hour.
	if p := got[1]; p.user != "walt" || p.seconds != 5400 || p.rateCents != 2667 || p.amount != 4000 || len(p.lines) != 2 {
		t.Errorf("walt: %+v", p)
	}
}

func TestFormatCents(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00 USD", 5: "0.05 USD", 123456: "1234.56 USD"} {
		if got := formatCents(cents, "USD"); got != want {
			t.Errorf("formatCents(%d) = %q, want %q", cents, got, want)
		}
	}
}

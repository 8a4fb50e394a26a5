package schema

// SlotSeconds is the length of one activity slot; per-slot counters can't exceed it.
const SlotSeconds = 600

// MaxEmailLen is the longest e-mail address a collection takes (RFC 5321's
// limit on a path).
const MaxEmailLen = 254

// Organization setting defaults: the privacy-respecting choice a small company
// expects (docs/PERMISSIONS.md, "Cells and scopes"). Boolean toggles not listed here default to off.
const (
	DefaultScreenshotsPerSlot = 1
	DefaultIdleTimeoutMinutes = 5
	DefaultRetentionDays      = 90
	DefaultTimezone           = "UTC"
)

// Per-member limits: 0 means no limit; a day has 24 hours, a week 168.
const (
	MaxDailyLimitHours  = 24
	MaxWeeklyLimitHours = 168
)

// MaxManualTimeNoteLength bounds the note of manual time and its requests.
const MaxManualTimeNoteLength = 500

// Limits of a work break policy: a break may start after at most a day of
// work and last at most four hours.
const (
	MaxBreakAfterMinutes = 1440
	MaxBreakMinutes      = 240
)

// Money: every amount is an integer number of cents and every rate an
// integer number of cents per hour, so no sum ever drifts by a fraction of a
// cent.
const (
	// MaxRateCents is $10,000 an hour: far above any real rate, low enough
	// that seconds x rate never comes near overflowing an int64.
	MaxRateCents = 1_000_000
	// MaxAmountCents bounds an invoice, a payment and a payroll line.
	MaxAmountCents = 1_000_000_000_000
	// DefaultCurrency is used where neither the client nor the rate says.
	DefaultCurrency = "USD"
	MaxMoneyNote    = 500
)

// Plan limits of a self-hosted appliance: no payment provider, the owner
// sets them. Zero means "no limit" for both.
const (
	MaxSeatLimit         = 100000
	MaxPlanRetentionDays = 3650
)

// Bounds of time off and schedules.
const (
	MaxTimeOffHours      = 10000 // a balance or a request, in hours: ample for any career
	MaxAccrualRate       = 8760  // hours per hour worked, or per year (a year's hours)
	MaxShiftHours        = 24
	MaxTimeOffTextLength = 500
	MaxHolidaysPerPolicy = 366
	MaxPolicyMembers     = 10000
)

// Limits of field work (Hubstaff's job sites and work orders).
const (
	MinJobSiteRadius    = 25   // metres: below a phone's usual GPS accuracy
	MaxJobSiteRadius    = 5000 // metres
	MaxLocationBatch    = 500  // points per upload
	MaxWorkOrderText    = 5000
	MaxLocationClientID = 100    // characters
	MaxLocationAccuracy = 100000 // metres: a fix vaguer than 100 km locates nothing
)

package config

import (
	"net/http"
	"path/filepath"
	"time"

	"github.com/tock-app/tock/blobstore"
)

// Config is what `tock serve` is told about keys and storage.
type Config struct {
	// MasterKey is the base64 (or hex) 32-byte key from TOCK_MASTER_KEY; when
	// empty, MasterKeyFile holds it, created with mode 0600 when `tock serve` first starts.
	MasterKey     string
	MasterKeyFile string

	// Storage is "local" (LocalDir, default <data dir>/screenshots) or "s3".
	Storage  string
	LocalDir string
	S3       blobstore.S3Config
	// Store, when set, is used as it is (tests wrap stores to simulate crashes).
	Store blobstore.Store

	// SlotSeconds is the activity slot length: 600 in production, shorter in tests.
	SlotSeconds int
	// MaxEnvelopeBytes bounds one uploaded screenshot.
	MaxEnvelopeBytes int64
	// ClockSkew is how far in the future an agent's clock may run.
	ClockSkew time.Duration
	// OrphanGrace is how old a blob without a record must be before the
	// sweep removes it: younger ones may belong to an upload in flight.
	OrphanGrace time.Duration
	// TempGrace is how old a temporary file of the local store must be before
	// it counts as a crash's leftover: younger ones may be writes in flight.
	TempGrace time.Duration
	// OrphanSweepRuns and OrphanSweepMin size each run's share of the orphan
	// sweep's pass (see DefaultOrphanSweepRuns); tests make them small.
	OrphanSweepRuns, OrphanSweepMin int

	// WebhooksAllowPrivate lets webhooks reach loopback, private and
	// link-local addresses (TOCK_WEBHOOKS_ALLOW_PRIVATE); off by default.
	WebhooksAllowPrivate bool
	// WebhookClient, when set, replaces the deliveries' HTTP client (tests).
	WebhookClient *http.Client
	// WebhookJitter, when set, replaces the retry jitter source (tests).
	WebhookJitter func() float64
	// Now, when set, replaces the clock the dashboards read "today" and
	// "working now" from (tests that need a moment just after midnight).
	Now func() time.Time

	// Downloads is the release directory `make release` wrote, whose
	// archives the "Get the desktop app" page offers (downloads.go).
	Downloads string
	// Version is the build's version (`make release` sets it), shown with them.
	Version string
}

// Defaults for what Config leaves unset.
const (
	DefaultSlotSeconds      = 600
	DefaultMaxEnvelopeBytes = 10 << 20
	DefaultClockSkew        = 2 * time.Minute
	DefaultOrphanGrace      = time.Hour
	DefaultTempGrace        = 5 * time.Minute
)

// DefaultMasterKeyFile keeps the key beside, not inside, the data directory:
// PocketBase backups archive the data directory, and a backup must never
// carry the key that opens the screenshots it also carries.
func DefaultMasterKeyFile(dataDir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(dataDir)), "tock-master.key")
}

func (c Config) WithDefaults(dataDir string) Config {
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = DefaultMasterKeyFile(dataDir)
	}
	if c.Storage == "" {
		c.Storage = "local"
	}
	if c.LocalDir == "" {
		c.LocalDir = filepath.Join(dataDir, "screenshots")
	}
	if c.SlotSeconds <= 0 {
		c.SlotSeconds = DefaultSlotSeconds
	}
	if c.MaxEnvelopeBytes <= 0 {
		c.MaxEnvelopeBytes = DefaultMaxEnvelopeBytes
	}
	if c.ClockSkew <= 0 {
		c.ClockSkew = DefaultClockSkew
	}
	if c.OrphanGrace <= 0 {
		c.OrphanGrace = DefaultOrphanGrace
	}
	if c.TempGrace <= 0 {
		c.TempGrace = DefaultTempGrace
	}
	if c.OrphanSweepRuns <= 0 {
		c.OrphanSweepRuns = DefaultOrphanSweepRuns
	}
	if c.OrphanSweepMin <= 0 {
		c.OrphanSweepMin = DefaultOrphanSweepMin
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// SlotLen is the length of one activity slot.
func (c Config) SlotLen() time.Duration { return time.Duration(c.SlotSeconds) * time.Second }

// RetentionBatch bounds one transaction of the retention jobs (screenshots,
// app usage, locations), so the
// database is never locked for long and a crash loses at most one batch's
// progress (which the next run redoes).
const RetentionBatch = 500

// The orphan sweep checks the blob store a slice at a time, resuming each
// hourly run where the last stopped, so a run costs a fraction of the store,
// not the whole of it: each run lists the larger of OrphanSweepMin blobs and
// 1/OrphanSweepRuns of the blobs the last complete pass listed, so a pass
// over the whole store takes about OrphanSweepRuns runs (a day).
const (
	DefaultOrphanSweepRuns = 24
	DefaultOrphanSweepMin  = 20 * RetentionBatch
)

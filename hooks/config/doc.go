// Package config is what `tock serve` is told about keys, storage, slots and
// webhooks, with the defaults of what it leaves unset, and the few sizes
// shared by several domains' jobs.
package config

package api

// Every input Tock accepts is bounded: collection fields by their schema
// (see migrations: every text field has a Max, every JSON field a MaxSize),
// the bodies of Tock's own routes by bodyLimits, and the agent's uploads by
// the limits of the ingest protocol. Beyond a bound the request is refused
// and nothing of it is stored. Tock's routes read their bodies into structs
// and store only the fields they name, so unknown JSON fields are ignored,
// never stored.

// DefaultBodyBytes bounds the JSON body of every Tock route not listed in
// bodyLimits: each takes a handful of ids, dates and short texts.
const DefaultBodyBytes = 64 << 10

// MaxLocationBodyBytes bounds a batch of locations: 500 points of a few
// hundred bytes each.
const MaxLocationBodyBytes = 256 << 10

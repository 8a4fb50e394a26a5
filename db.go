package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// durableDBConnect opens the databases as PocketBase does, except that the
// data database commits with synchronous=FULL: PocketBase's NORMAL keeps a
// commit safe from a crash of the process but not from a power loss, and an
// agent deletes its copy of a screenshot or slot once the server has
// answered. FULL syncs the write-ahead log at every commit, so an answered
// upload's row is on disk, as its blob already is. The logs database
// (auxiliary.db) keeps PocketBase's setting: losing its last lines is fine.
func durableDBConnect(dbPath string) (*dbx.DB, error) {
	if filepath.Base(dbPath) != "data.db" {
		return core.DefaultDBConnect(dbPath)
	}
	// PocketBase's pragmas (core.DefaultDBConnect, v0.40.4) with synchronous
	// raised; busy_timeout must come first so WAL mode waits for the lock.
	pragmas := []string{
		"busy_timeout(10000)", "journal_mode(WAL)", "journal_size_limit(200000000)", "synchronous(FULL)",
		"foreign_keys(ON)", "temp_store(MEMORY)", "cache_size(-32000)",
	}
	db, err := dbx.Open("sqlite", dbPath+"?_pragma="+strings.Join(pragmas, "&_pragma=")+"&_defensive=1")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	return db, nil
}

package main

import (
	"path/filepath"
	"testing"
)

// TestDataDBCommitsDurably: every connection of the data database syncs at
// each commit (synchronous=FULL is 2) and keeps PocketBase's other settings;
// the logs database keeps PocketBase's NORMAL (1).
func TestDataDBCommitsDurably(t *testing.T) {
	dir := t.TempDir()
	for name, want := range map[string]int{"data.db": 2, "auxiliary.db": 1} {
		db, err := durableDBConnect(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		db.DB().SetMaxOpenConns(4)
		for i := range 4 { // distinct connections of the pool: pragmas are per connection
			var sync, fk int
			var mode string
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := tx.NewQuery("PRAGMA synchronous").Row(&sync); err != nil {
				t.Fatal(err)
			}
			tx.NewQuery("PRAGMA foreign_keys").Row(&fk)
			tx.NewQuery("PRAGMA journal_mode").Row(&mode)
			if sync != want || fk != 1 || mode != "wal" {
				t.Errorf("%s connection %d: synchronous=%d foreign_keys=%d journal_mode=%s, want %d, 1, wal", name, i, sync, fk, mode, want)
			}
		}
		db.Close()
	}
}

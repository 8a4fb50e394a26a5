package spool

import (
	"errors"
	"slices"
	"testing"
)

// Requeue moves an item to the back, also across a re-Open; Rejected lists
// what was set aside with its reason.
func TestRequeueAndRejected(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 0)
	put(t, s, KindScreenshot, "shot", []byte("s"))
	put(t, s, KindActivity, "act", []byte("a"))
	put(t, s, KindActivity, "other", []byte("o"))
	it, _, _ := s.Oldest()
	moved, ok, err := s.Requeue(it)
	if err != nil || !ok || moved.Name <= it.Name {
		t.Fatalf("Requeue = %+v, %v, %v", moved, ok, err)
	}
	want := []string{"activity/act", "activity/other", "screenshot/shot"}
	if got := keys(s); !slices.Equal(got, want) {
		t.Fatalf("queue = %v", got)
	}
	if _, ok, err := s.Requeue(it); ok || err != nil { // the old name is gone
		t.Fatalf("Requeue of a gone item = %v, %v", ok, err)
	}
	s2, _ := open(t, dir, 0)
	if got := keys(s2); !slices.Equal(got, want) {
		t.Fatalf("queue after re-Open = %v", got)
	}
	if b, err := s2.Read(moved); err != nil || string(b) != "s" {
		t.Fatalf("Read = %q, %v", b, err)
	}

	first, _, _ := s2.Oldest()
	if err := s2.Reject(first, "HTTP 409: Daily limit reached.\n"); err != nil {
		t.Fatal(err)
	}
	r, err := s2.Rejected()
	if err != nil || len(r) != 1 || r[0].Kind != KindActivity || r[0].ID != "act" || r[0].Reason != "HTTP 409: Daily limit reached." {
		t.Fatalf("Rejected = %+v, %v", r, err)
	}
}

// Replace writes over the version Oldest saw, never over a newer one.
func TestReplaceOnlyTheVersionSeen(t *testing.T) {
	s, _ := open(t, t.TempDir(), 0)
	put(t, s, KindActivity, "act", []byte("v1"))
	seen, _, _ := s.Oldest()
	if err := s.Replace(seen, []byte("v1-repaired")); err != nil {
		t.Fatal(err)
	}
	seen, _, _ = s.Oldest()
	put(t, s, KindActivity, "act", []byte("v2")) // a newer report meanwhile
	if err := s.Replace(seen, []byte("v1-repaired-again")); !errors.Is(err, ErrReplaced) {
		t.Fatalf("Replace over a newer version = %v", err)
	}
	if b, _ := s.Read(seen); string(b) != "v2" {
		t.Fatalf("payload = %q, want v2", b)
	}
}

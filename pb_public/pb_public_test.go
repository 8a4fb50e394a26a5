package pbpublic

import (
	"io/fs"
	"strings"
	"testing"
)

func TestFSHasIndex(t *testing.T) {
	b, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatalf("index.html not embedded: %v", err)
	}
	if !strings.Contains(string(b), "<title>Tock</title>") {
		t.Fatalf("unexpected index.html: %.100s", b)
	}
}

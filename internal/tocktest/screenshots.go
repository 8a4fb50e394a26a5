package tocktest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations/schema"
)

// JPEG encodes a w x h test picture whose pixels depend on seed.
func JPEG(t testing.TB, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{byte(x) ^ seed, byte(y), byte(x + y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// OrgPublicKey is org's current public key, as members read it.
func OrgPublicKey(t testing.TB, app core.App, org string) [32]byte {
	t.Helper()
	r, err := app.FindRecordById(schema.Organizations, org)
	if err != nil {
		t.Fatal(err)
	}
	var pub [32]byte
	b, err := base64.StdEncoding.DecodeString(r.GetString("public_key"))
	if err != nil || len(b) != len(pub) {
		t.Fatalf("public key of %s: %v (%d bytes)", org, err, len(b))
	}
	copy(pub[:], b)
	return pub
}

// Seal encrypts img for org's current key as the agent does.
func Seal(t testing.TB, app core.App, md envelope.Metadata, img []byte) []byte {
	t.Helper()
	env, err := envelope.Seal(rand.Reader, OrgPublicKey(t, app, md.Org), md, img)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// ScreenshotRequest is the agent's multipart upload of one screenshot.
func ScreenshotRequest(t testing.TB, token string, meta ingest.Screenshot, env []byte) *http.Request {
	t.Helper()
	m, _ := json.Marshal(meta)
	return RawScreenshotRequest(t, token, string(m), env)
}

// RawScreenshotRequest is ScreenshotRequest with the meta field as given.
func RawScreenshotRequest(t testing.TB, token, meta string, env []byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("meta", meta); err != nil {
		t.Fatal(err)
	}
	if env != nil {
		f, err := w.CreateFormFile("envelope", "envelope.tock")
		if err != nil {
			t.Fatal(err)
		}
		f.Write(env)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, ingest.ScreenshotsRoute, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	return req
}

// ActivityBody is the JSON of an activity upload.
func ActivityBody(in ingest.Activity) string {
	b, _ := json.Marshal(in)
	return string(b)
}

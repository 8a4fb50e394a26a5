package capture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/tock-app/tock/internal/screentest"
)

func solid(w, h int, c color.Color) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return m
}

// noise is uniformly random grey levels (seeded: deterministic).
func noise(w, h int) *image.RGBA {
	r := rand.New(rand.NewPCG(1, 2))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		v := uint8(r.IntN(256))
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = v, v, v, 255
	}
	return m
}

// gradient runs from black at the left to white at the right, with some
// colour variation down the image.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(x * 255 / max(1, w-1))
			m.SetRGBA(x, y, color.RGBA{v, uint8(y * 255 / max(1, h-1)), 255 - v, 255})
		}
	}
	return m
}

// synthetic is a screenshot-like image: a gradient with noise and sharp
// "text" bars, which blur visibly changes.
func synthetic(w, h int) *image.RGBA {
	m := gradient(w, h)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i+1] ^= uint8(r.IntN(32))
	}
	for y := 40; y < h; y += 24 {
		for x := 20; x < w-20; x += 9 {
			draw.Draw(m, image.Rect(x, y, x+5, y+12), image.Black, image.Point{}, draw.Src)
		}
	}
	return m
}

func TestIsBlank(t *testing.T) {
	withDot := solid(1280, 800, color.Black)
	withDot.SetRGBA(640, 400, color.RGBA{255, 255, 255, 255}) // one bright pixel: still blank
	// A small white window on black: range is large, std-dev too.
	withWindow := solid(1280, 800, color.Black)
	draw.Draw(withWindow, image.Rect(100, 100, 500, 400), image.White, image.Point{}, draw.Src)
	// Barely varying: std-dev above 2 would need ±2 levels; this is ±1.
	faint := solid(1280, 800, color.RGBA{100, 100, 100, 255})
	for y := 0; y < 800; y += 2 {
		for x := 0; x < 1280; x++ {
			faint.SetRGBA(x, y, color.RGBA{101, 101, 101, 255})
		}
	}
	// 1-pixel checkerboard: a grid of step multiple of 2 would alias to
	// uniform; the jittered grid must not.
	checker := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1280; x++ {
			c := color.RGBA{0, 0, 0, 255}
			if (x+y)%2 == 0 {
				c = color.RGBA{255, 255, 255, 255}
			}
			checker.SetRGBA(x, y, c)
		}
	}
	// Vertical stripes 10 px wide, period 20 = 1280/64, the grid's cell
	// width: sampling each cell at the same offset would see one colour.
	stripes := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1280; x++ {
			c := color.RGBA{0, 0, 0, 255}
			if x%20 < 10 {
				c = color.RGBA{255, 255, 255, 255}
			}
			stripes.SetRGBA(x, y, c)
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 300, 200)) // non-RGBA path, all 0
	offset := solid(200, 200, color.White).SubImage(image.Rect(50, 50, 150, 150))

	tests := []struct {
		name string
		img  image.Image
		want bool
	}{
		{"black", solid(1280, 800, color.Black), true},
		{"white", solid(1280, 800, color.White), true},
		{"single colour", solid(1920, 1080, color.RGBA{30, 120, 200, 255}), true},
		{"black with one bright pixel", withDot, true},
		{"faint stripes", faint, true},
		{"black gray image", gray, true},
		{"offset sub-image, white", offset, true},
		{"empty", image.NewRGBA(image.Rectangle{}), true},
		{"noise", noise(1280, 800), false},
		{"gradient", gradient(1280, 800), false},
		{"small gradient (fewer pixels than the grid)", gradient(16, 8), false},
		{"black with a white window", withWindow, false},
		{"checkerboard", checker, false},
		{"stripes at the grid period", stripes, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsBlank(tt.img); got != tt.want {
				t.Errorf("IsBlank = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		blur    bool
		quality int
	}{
		{"default quality", false, 0},
		{"quality 90", false, 90},
		{"blurred", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := synthetic(640, 400)
			e := Encoder{Quality: tt.quality}
			b, err := e.Encode(src, tt.blur)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) {
				t.Fatalf("output starts % x, want JPEG magic ff d8 ff", b[:min(4, len(b))])
			}
			m, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if m.Bounds().Size() != src.Bounds().Size() {
				t.Fatalf("decoded size %v, want %v", m.Bounds().Size(), src.Bounds().Size())
			}
		})
	}
}

// TestEncoderReusesItsBuffers: after a first capture, encoding (and
// blurring) another allocates no frame-sized buffers: what a capture moment
// adds to the agent's memory is the frame itself.
func TestEncoderReusesItsBuffers(t *testing.T) {
	src := screentest.Image(1920, 1080, 1)
	frame := image.NewRGBA(src.Bounds())
	var e Encoder
	for _, blur := range []bool{false, true} {
		e.Encode(src, blur) // warm up
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		copy(frame.Pix, src.Pix)
		if _, err := e.Encode(frame, blur); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&ms1)
		if got := ms1.TotalAlloc - ms0.TotalAlloc; got > 64<<10 {
			t.Errorf("blur=%v: a second 1920x1080 Encode allocated %d KB, want under 64 KB", blur, got>>10)
		}
	}
}

// meanAbsDiff is the mean absolute difference of the green channel.
func meanAbsDiff(a, b image.Image) float64 {
	var sum float64
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			_, ga, _, _ := a.At(x, y).RGBA()
			_, gb, _, _ := b.At(x, y).RGBA()
			d := int(ga>>8) - int(gb>>8)
			if d < 0 {
				d = -d
			}
			sum += float64(d)
			n++
		}
	}
	return sum / float64(n)
}

// encodeDecode is img through Encode at quality 90 and back.
func encodeDecode(t *testing.T, img *image.RGBA, blur bool) image.Image {
	t.Helper()
	e := Encoder{Quality: 90}
	b, err := e.Encode(img, blur)
	if err != nil {
		t.Fatal(err)
	}
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func clone(m *image.RGBA) *image.RGBA {
	c := *m
	c.Pix = bytes.Clone(m.Pix)
	return &c
}

func TestEncodeBlurChangesPixels(t *testing.T) {
	src := synthetic(640, 400)
	plain, blurred := encodeDecode(t, clone(src), false), encodeDecode(t, clone(src), true)
	dPlain, dBlur := meanAbsDiff(src, plain), meanAbsDiff(src, blurred)
	t.Logf("mean |Δgreen| vs source: plain JPEG %.2f, blurred %.2f", dPlain, dBlur)
	if dBlur < 3*dPlain || dBlur < 5 {
		t.Errorf("blur barely changed the image: mean diff %.2f (plain JPEG %.2f)", dBlur, dPlain)
	}
	// The sharp bars must be gone: a blurred row varies far less locally.
	if lp, lb := localVariation(plain), localVariation(blurred); lb > lp/4 {
		t.Errorf("blurred local variation %.2f, want well under plain %.2f", lb, lp)
	}
	// And the capture itself is untouched.
	cp := clone(src)
	encodeDecode(t, cp, true)
	if !bytes.Equal(cp.Pix, src.Pix) {
		t.Error("Encode with blur modified its input")
	}
}

// TestBlurHidesText: on a 1920x1080 screen with a window full of text,
// the blurred JPEG no longer tells which letters are written. Two screens
// whose text differs only in its letters (each rotated 13 places: the same
// words' lengths, lines and layout) differ clearly in plain JPEGs and barely
// once blurred; the text's strokes (edge energy) are gone. Both are held to
// what a true Gaussian blur of sigma width/120 (16 pixels) leaves.
func TestBlurHidesText(t *testing.T) {
	body := image.Rect(400, 200, 1500, 900)
	var text, rotated []string
	for l := range body.Dy() / 16 {
		line := fmt.Sprintf("%d. the invoice for march is attached, please review the totals before friday", l)
		text, rotated = append(text, line), append(rotated, rot13(line))
	}
	screen := func(lines []string) *image.RGBA {
		m := screentest.Image(1920, 1080, 1)
		draw.Draw(m, body, image.White, image.Point{}, draw.Src)
		screentest.Lines(m, body, color.Black, lines)
		return m
	}
	a, b := screen(text), screen(rotated)
	crop := func(m image.Image) image.Image {
		return m.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(body)
	}
	gaussian := func(m *image.RGBA) image.Image {
		return clone(opaque(imaging.Blur(m, blurSigma(m.Bounds().Dx()))))
	}
	plainA, plainB := encodeDecode(t, clone(a), false), encodeDecode(t, clone(b), false)
	blurA, blurB := encodeDecode(t, clone(a), true), encodeDecode(t, clone(b), true)
	refA, refB := encodeDecode(t, gaussian(a).(*image.RGBA), false), encodeDecode(t, gaussian(b).(*image.RGBA), false)

	dPlain, dBlur := meanAbsDiff(crop(plainA), crop(plainB)), meanAbsDiff(crop(blurA), crop(blurB))
	dRef := meanAbsDiff(crop(refA), crop(refB))
	t.Logf("text vs its letters rotated: plain %.2f, blurred %.2f, Gaussian %.2f", dPlain, dBlur, dRef)
	if dBlur > dPlain/8 || dBlur > 1.25*dRef {
		t.Errorf("blurred screens still differ by their letters: %.2f (plain %.2f, Gaussian %.2f)", dBlur, dPlain, dRef)
	}
	lp, lb, lr := localVariation(crop(plainA)), localVariation(crop(blurA)), localVariation(crop(refA))
	t.Logf("edge energy in the text: plain %.2f, blurred %.2f, Gaussian %.2f", lp, lb, lr)
	if lb > lp/50 || lb > 1.25*lr {
		t.Errorf("blurred text keeps edges: local variation %.2f (plain %.2f, Gaussian %.2f)", lb, lp, lr)
	}
}

// opaque views an opaque NRGBA image as RGBA (the same bytes).
func opaque(m *image.NRGBA) *image.RGBA {
	return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
}

// rot13 rotates s's letters 13 places.
func rot13(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return 'a' + (r-'a'+13)%26
		}
		return r
	}, s)
}

// localVariation is the mean absolute difference between horizontally
// adjacent pixels' luminance.
func localVariation(m image.Image) float64 {
	r := m.Bounds()
	var sum float64
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X + 1; x < r.Max.X; x++ {
			d := luminance(m, x, y) - luminance(m, x-1, y)
			if d < 0 {
				d = -d
			}
			sum += d
			n++
		}
	}
	return sum / float64(n)
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		img     *image.RGBA
		quality int
	}{
		{"quality too high", solid(10, 10, color.White), 101},
		{"negative quality", solid(10, 10, color.White), -5},
		{"empty image", image.NewRGBA(image.Rectangle{}), 0},
		{"nil image", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Encoder{Quality: tt.quality}
			if b, err := e.Encode(tt.img, false); err == nil {
				t.Fatalf("Encode succeeded (%d bytes), want an error", len(b))
			}
		})
	}
}

// BenchmarkEncode1920x1080: one monitor's frame of a screen full of
// windows and text, JPEG-encoded as the tracker does, plain and blurred.
func BenchmarkEncode1920x1080(b *testing.B) {
	src := screentest.Image(1920, 1080, 1)
	for _, blur := range []bool{false, true} {
		name := "plain"
		if blur {
			name = "blur"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var e Encoder
			var size int
			for b.Loop() {
				out, err := e.Encode(src, blur)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "jpeg-bytes")
		})
	}
}

func BenchmarkIsBlank(b *testing.B) {
	src := synthetic(1920, 1080)
	for b.Loop() {
		IsBlank(src)
	}
}

// BenchmarkBlur1920x1080: the blur alone, into JPEG's planes.
func BenchmarkBlur1920x1080(b *testing.B) {
	src := screentest.Image(1920, 1080, 1)
	var s blurScratch
	b.ReportAllocs()
	for b.Loop() {
		s.blurred(src)
	}
}

package capture

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"testing"
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
	src := synthetic(640, 400)
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
			b, err := Encode(src, tt.blur, tt.quality)
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

func TestEncodeBlurChangesPixels(t *testing.T) {
	src := synthetic(640, 400)
	decode := func(blur bool) image.Image {
		t.Helper()
		b, err := Encode(src, blur, 90)
		if err != nil {
			t.Fatal(err)
		}
		m, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	plain, blurred := decode(false), decode(true)
	dPlain, dBlur := meanAbsDiff(src, plain), meanAbsDiff(src, blurred)
	t.Logf("mean |Δgreen| vs source: plain JPEG %.2f, blurred %.2f", dPlain, dBlur)
	if dBlur < 3*dPlain || dBlur < 5 {
		t.Errorf("blur barely changed the image: mean diff %.2f (plain JPEG %.2f)", dBlur, dPlain)
	}
	// The sharp bars must be gone: a blurred row varies far less locally.
	if lp, lb := localVariation(plain), localVariation(blurred); lb > lp/4 {
		t.Errorf("blurred local variation %.2f, want well under plain %.2f", lb, lp)
	}
	// And the source image is untouched.
	if got := src.RGBAAt(20, 40); got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("Encode modified its input: pixel (20,40) = %v", got)
	}
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
		img     image.Image
		quality int
	}{
		{"quality too high", solid(10, 10, color.White), 101},
		{"negative quality", solid(10, 10, color.White), -5},
		{"empty image", image.NewRGBA(image.Rectangle{}), 0},
		{"nil image", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := Encode(tt.img, false, tt.quality); err == nil {
				t.Fatalf("Encode succeeded (%d bytes), want an error", len(b))
			}
		})
	}
}

func BenchmarkEncode1920x1080(b *testing.B) {
	src := synthetic(1920, 1080)
	for _, blur := range []bool{false, true} {
		name := "plain"
		if blur {
			name = "blur"
		}
		b.Run(name, func(b *testing.B) {
			var size int
			for b.Loop() {
				out, err := Encode(src, blur, 0)
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

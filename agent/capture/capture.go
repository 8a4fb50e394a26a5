// Package capture turns a captured monitor image into what the agent
// uploads: it detects blank (all-black or near-uniform) captures, and
// encodes images as JPEG, optionally blurred first. Everything happens in
// memory; this package never writes to disk.
package capture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
)

// ErrBlank reports an all-black (or near-uniform) capture: such an image is
// reported, not uploaded.
var ErrBlank = errors.New("capture: blank image")

// DefaultQuality is the JPEG quality Encode uses when given 0.
const DefaultQuality = 70

// Blank thresholds on the sampled luminance (0-255).
const (
	gridSide     = 64 // gridSide² = 4096 samples
	blankStdDev  = 2.0
	blankMinSpan = 8
)

// IsBlank reports whether img is (nearly) uniform: all black, a solid
// colour, or almost so. It samples a 64×64 grid (4096 pixels; every pixel
// of smaller images), one pixel at a jittered position inside each cell so
// regular patterns cannot alias into uniformity, and calls the image blank
// when the luminance's standard deviation is below 2.0 or its range
// (max−min) below 8. An empty image is blank.
func IsBlank(img image.Image) bool {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return true
	}
	nx, ny := min(w, gridSide), min(h, gridSide)
	var (
		n          int
		sum, sumSq float64
		lo, hi     = 255.0, 0.0
		rng        = uint32(0x9E3779B9) // fixed seed: deterministic
	)
	for j := 0; j < ny; j++ {
		y0, y1 := b.Min.Y+j*h/ny, b.Min.Y+(j+1)*h/ny
		for i := 0; i < nx; i++ {
			x0, x1 := b.Min.X+i*w/nx, b.Min.X+(i+1)*w/nx
			rng ^= rng << 13
			rng ^= rng >> 17
			rng ^= rng << 5
			x := x0 + int(rng%uint32(x1-x0))
			y := y0 + int((rng>>16)%uint32(y1-y0))
			l := luminance(img, x, y)
			sum += l
			sumSq += l * l
			lo, hi = min(lo, l), max(hi, l)
			n++
		}
	}
	mean := sum / float64(n)
	std := math.Sqrt(max(0, sumSq/float64(n)-mean*mean))
	return std < blankStdDev || hi-lo < blankMinSpan
}

// luminance is the Rec. 601 luma of the pixel at (x, y), 0-255.
func luminance(img image.Image, x, y int) float64 {
	var r, g, b uint32
	switch m := img.(type) {
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x, y):]
		r, g, b = uint32(p[0]), uint32(p[1]), uint32(p[2])
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x, y):]
		r, g, b = uint32(p[0]), uint32(p[1]), uint32(p[2])
	default:
		r, g, b, _ = img.At(x, y).RGBA()
		r, g, b = r>>8, g>>8, b>>8
	}
	return 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
}

// Encoder JPEG-encodes captures. It keeps its buffers between calls, so
// that a capture moment of several monitors allocates next to nothing; it
// is not safe for concurrent use.
type Encoder struct {
	// Quality is the JPEG quality, 1-100; 0 means DefaultQuality.
	Quality int

	out  bytes.Buffer
	blur blurScratch
}

// Encode returns img as JPEG bytes, valid until the next call; with blur,
// blurred first (see blurScratch). img is left as it is. Nothing is
// written to disk.
func (e *Encoder) Encode(img *image.RGBA, blur bool) ([]byte, error) {
	quality := e.Quality
	if quality == 0 {
		quality = DefaultQuality
	}
	if quality < 1 || quality > 100 {
		return nil, fmt.Errorf("capture: JPEG quality %d out of range 1-100", quality)
	}
	if img == nil || img.Bounds().Empty() {
		return nil, errors.New("capture: empty image")
	}
	var m image.Image = img
	if blur {
		m = e.blur.blurred(img)
	}
	e.out.Reset()
	if err := jpeg.Encode(&e.out, m, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("capture: encode JPEG: %w", err)
	}
	return e.out.Bytes(), nil
}

package capture

import (
	"image"
	"math"
)

// blurScratch blurs captures in place, keeping its small buffers between
// calls.
//
// The blur is what a Gaussian of sigma width/120 (16 pixels on a 1920-pixel
// screen) does to text, computed at a fraction of the cost: the image is
// averaged down by a factor f ≈ sigma/2 (8 at 1920 pixels), blurred there by
// three box blurs (whose repetition approximates a Gaussian of sigma/f), and
// scaled back up bilinearly over the original pixels. Blurring a full frame
// directly took about a second of CPU and a second full-size frame of
// memory; this takes a few milliseconds and buffers of 1/f² of a frame.
type blurScratch struct {
	small, tmp, row []int32 // 3 channels per pixel, fixed point ×256
	xi              []int   // per output column: left source column
	xw              []int32 // per output column: right source weight, 0-256
}

// blurSigma is the Gaussian's sigma for an image w pixels wide: enough to
// make text of any usual size unreadable.
func blurSigma(w int) float64 { return max(1, float64(w)/120) }

// apply blurs img in place; img is treated as opaque.
func (s *blurScratch) apply(img *image.RGBA) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	sigma := blurSigma(w)
	f := max(1, int(math.Round(sigma/2)))
	sw, sh := (w+f-1)/f, (h+f-1)/f
	s.small = grow(s.small, sw*sh*3)
	s.tmp = grow(s.tmp, sw*sh*3)
	s.row = grow(s.row, sw*3)
	s.downscale(img, f, sw, sh)
	for _, size := range boxSizes(sigma/float64(f), 3) {
		r := (size - 1) / 2
		boxPass(s.tmp, s.small, sh, sw, r, 3, sw*3) // along rows
		boxPass(s.small, s.tmp, sw, sh, r, sw*3, 3) // along columns
	}
	s.upscale(img, f, sw, sh)
}

// grow returns buf resized to n, reusing its array when large enough.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// downscale averages each f×f block of img (fewer at the right and bottom
// edges) into one pixel of s.small, sw×sh.
func (s *blurScratch) downscale(img *image.RGBA, f, sw, sh int) {
	b := img.Bounds()
	acc := s.row
	for j := range sh {
		clear(acc)
		y0, y1 := b.Min.Y+j*f, min(b.Max.Y, b.Min.Y+(j+1)*f)
		for y := y0; y < y1; y++ {
			p := img.Pix[img.PixOffset(b.Min.X, y):]
			for i := range sw {
				x0, x1 := i*f, min(b.Dx(), (i+1)*f)
				var r, g, bl int32
				for k := x0 * 4; k < x1*4; k += 4 {
					r += int32(p[k])
					g += int32(p[k+1])
					bl += int32(p[k+2])
				}
				acc[i*3] += r
				acc[i*3+1] += g
				acc[i*3+2] += bl
			}
		}
		out := s.small[j*sw*3 : (j+1)*sw*3]
		for i := range sw {
			n := int32((min(b.Dx(), (i+1)*f) - i*f) * (y1 - y0))
			for c := range 3 {
				out[i*3+c] = acc[i*3+c] * 256 / n
			}
		}
	}
}

// boxPass is one box blur of radius r along one axis, from src to dst:
// lines of n values, step apart, lines lineStep apart; edges are extended.
func boxPass(dst, src []int32, lines, n, r, step, lineStep int) {
	for l := range lines {
		base := l * lineStep
		for c := range 3 {
			for i := range n {
				var sum int32
				for k := i - r; k <= i+r; k++ {
					sum += src[base+min(n-1, max(0, k))*step+c]
				}
				dst[base+i*step+c] = sum / int32(2*r+1)
			}
		}
	}
}

// boxSizes are the widths (odd) of n box blurs that together approximate
// a Gaussian of sigma (W. Jarosz, "Fast image convolutions", 2001).
func boxSizes(sigma float64, n int) []int {
	ideal := math.Sqrt(12*sigma*sigma/float64(n) + 1)
	wl := int(ideal)
	if wl%2 == 0 {
		wl--
	}
	wu := wl + 2
	m := int(math.Round((12*sigma*sigma - float64(n*wl*wl+4*n*wl+3*n)) / float64(-4*wl-4)))
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = wu
		if i < m {
			sizes[i] = wl
		}
	}
	return sizes
}

// upscale writes s.small (sw×sh), scaled up f times bilinearly, over img.
func (s *blurScratch) upscale(img *image.RGBA, f, sw, sh int) {
	b := img.Bounds()
	w := b.Dx()
	s.xi, s.xw = grow(s.xi, w), grow(s.xw, w)
	for x := range w {
		s.xi[x], s.xw[x] = source(x, f, sw)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		j, wy := source(y-b.Min.Y, f, sh)
		r0 := s.small[j*sw*3 : (j+1)*sw*3]
		r1 := s.small[min(sh-1, j+1)*sw*3:][:sw*3]
		for k := range s.row {
			s.row[k] = (r0[k]*(256-wy) + r1[k]*wy) >> 8
		}
		p := img.Pix[img.PixOffset(b.Min.X, y):][:w*4]
		for x := range w {
			i, wx := s.xi[x]*3, s.xw[x]
			i1 := min(sw-1, s.xi[x]+1) * 3
			for c := range 3 {
				v := (s.row[i+c]*(256-wx) + s.row[i1+c]*wx + 1<<15) >> 16
				p[x*4+c] = uint8(min(255, v))
			}
			p[x*4+3] = 0xff
		}
	}
}

// source maps output coordinate x, at scale f over n source samples, to
// the source sample left of it and the weight (0-256) of the one right of
// it: pixel centres align, edges are clamped.
func source(x, f, n int) (int, int32) {
	pos := (float64(x)+0.5)/float64(f) - 0.5
	if pos <= 0 {
		return 0, 0
	}
	i := int(pos)
	if i >= n-1 {
		return n - 1, 0
	}
	return i, int32((pos - float64(i)) * 256)
}

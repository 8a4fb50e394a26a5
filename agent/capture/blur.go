package capture

import (
	"image"
	"math"
)

// blurScratch blurs captures, keeping its buffers between calls.
//
// The blur is what a Gaussian of sigma width/120 (16 pixels on a 1920-pixel
// screen) does to text, computed at a fraction of the cost: the image is
// averaged down by a factor f ≈ sigma/2 (8 at 1920 pixels), blurred there by
// three box blurs (whose repetition approximates a Gaussian of sigma/f), and
// scaled back up bilinearly, straight into the YCbCr 4:2:0 planes the JPEG
// encoder works in (so it has no colour conversion left to do). Blurring a
// full frame directly took about a second of CPU and a second full-size
// RGBA frame of memory; this takes a few milliseconds and 1.5 bytes a pixel.
type blurScratch struct {
	small, tmp, row []int32 // 3 channels per pixel, fixed point ×256
	h0, h1          []int32 // two source rows scaled across (upscale)
	xi              []int   // per output column: left source column
	xw              []int32 // per output column: right source weight, 0-256
	out             *image.YCbCr
}

// blurSigma is the Gaussian's sigma for an image w pixels wide: enough to
// make text of any usual size unreadable.
func blurSigma(w int) float64 { return max(1, float64(w)/120) }

// blurred returns img blurred, valid until the next call; img is treated as
// opaque and left as it is.
func (s *blurScratch) blurred(img *image.RGBA) *image.YCbCr {
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
	ys, cbs, crs := s.tmp[:sw*sh], s.tmp[sw*sh:2*sw*sh], s.tmp[2*sw*sh:]
	toYCbCr(ys, cbs, crs, s.small)
	rect := image.Rect(0, 0, w, h)
	if s.out == nil || s.out.Rect != rect {
		s.out = image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	}
	m := s.out
	s.upscale(m.Y, m.YStride, w, h, ys, sw, sh, float64(f))
	cw, ch := (w+1)/2, (h+1)/2
	s.upscale(m.Cb, m.CStride, cw, ch, cbs, sw, sh, float64(f)/2)
	s.upscale(m.Cr, m.CStride, cw, ch, crs, sw, sh, float64(f)/2)
	return m
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
	inv := int64(1<<24) / int64(2*r+1) // divide by multiplying
	for l := range lines {
		for c := range 3 {
			base := l*lineStep + c
			at := func(k int) int64 { return int64(src[base+min(n-1, max(0, k))*step]) }
			var sum int64 // a running sum over the window
			for k := -r; k <= r; k++ {
				sum += at(k)
			}
			for i := range n {
				dst[base+i*step] = int32(sum * inv >> 24)
				sum += at(i+r+1) - at(i-r)
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

// toYCbCr converts interleaved RGB to JPEG's Y, Cb and Cr planes, all in
// fixed point ×256 (the coefficients of color.RGBToYCbCr), within 0-255.
func toYCbCr(ys, cbs, crs, rgb []int32) {
	clamp := func(v int64) int32 { return int32(min(255*256, max(0, v))) }
	for i := range ys {
		r, g, b := int64(rgb[3*i]), int64(rgb[3*i+1]), int64(rgb[3*i+2])
		ys[i] = clamp((19595*r + 38470*g + 7471*b) >> 16)
		cbs[i] = clamp((-11056*r-21712*g+32768*b)>>16 + 128*256)
		crs[i] = clamp((32768*r-27440*g-5328*b)>>16 + 128*256)
	}
}

// upscale writes src (one channel, sw×sh, fixed point ×256 within 0-255)
// scaled up f times bilinearly into dst, dw×dh bytes, stride apart. Each
// source row is scaled across once, into s.h0 or s.h1; each output row is
// then a blend of those two.
func (s *blurScratch) upscale(dst []uint8, stride, dw, dh int, src []int32, sw, sh int, f float64) {
	s.xi, s.xw = grow(s.xi, dw), grow(s.xw, dw)
	for x := range dw {
		s.xi[x], s.xw[x] = source(x, f, sw)
	}
	s.h0, s.h1 = grow(s.h0, dw), grow(s.h1, dw)
	in0, in1 := -1, -1 // the source rows s.h0 and s.h1 hold
	for y := range dh {
		j, wy := source(y, f, sh)
		j1 := min(sh-1, j+1)
		if in0 != j {
			if in1 == j {
				s.h0, s.h1, in0, in1 = s.h1, s.h0, in1, in0
			} else {
				s.across(s.h0, src[j*sw:][:sw])
				in0 = j
			}
		}
		if in1 != j1 {
			s.across(s.h1, src[j1*sw:][:sw])
			in1 = j1
		}
		a, b := s.h0[:dw], s.h1[:dw]
		out := dst[y*stride:][:dw]
		for x := range out {
			out[x] = uint8((a[x]*(256-wy) + b[x]*wy + 1<<15) >> 16)
		}
	}
}

// across scales one source row up into dst with s.xi and s.xw.
func (s *blurScratch) across(dst, row []int32) {
	last := len(row) - 1
	for x := range dst {
		i, w := s.xi[x], s.xw[x]
		dst[x] = (row[i]*(256-w) + row[min(last, i+1)]*w) >> 8
	}
}

// source maps output coordinate x, at scale f over n source samples, to
// the source sample left of it and the weight (0-256) of the one right of
// it: pixel centres align, edges are clamped.
func source(x int, f float64, n int) (int, int32) {
	pos := (float64(x)+0.5)/f - 0.5
	if pos <= 0 {
		return 0, 0
	}
	i := int(pos)
	if i >= n-1 {
		return n - 1, 0
	}
	return i, int32((pos - float64(i)) * 256)
}

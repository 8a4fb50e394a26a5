// Package screentest draws screen-like pictures for the agent's capture
// tests and benchmarks: a photo-like wallpaper, windows with title bars and
// lines of real text, a taskbar. A flat colour or a test pattern would make
// JPEG encoding (and a blur test) unrealistically easy; this is what an
// employee's monitor roughly looks like.
package screentest

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// vocabulary is the words of the windows' text.
const vocabulary = `the invoice for march is attached please review
the totals before friday func main err return nil if else for range package
import select from where order by customer amount paid overdue meeting notes
agenda budget roadmap release deploy server client request response status
hours tracked project task report weekly monthly summary total balance`

// Image is a w×h screen: wallpaper, a few overlapping windows full of
// text, and a taskbar. seed picks the layout and the text, so two seeds give
// two different screens of the same kind.
func Image(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	wallpaper(m, r)
	for range 3 + w/800 {
		ww, wh := w/3+r.IntN(w/3), h/3+r.IntN(h/3)
		x, y := r.IntN(w-ww+1), r.IntN(h-wh+1)
		Window(m, image.Rect(x, y, x+ww, y+wh), r.Uint64())
	}
	bar := image.Rect(0, h-min(h, 32), w, h)
	draw.Draw(m, bar, image.NewUniform(color.RGBA{40, 44, 52, 255}), image.Point{}, draw.Src)
	Text(m, image.Rect(8, bar.Min.Y+10, w, h), color.RGBA{230, 230, 230, 255}, r.Uint64(), 1)
	return m
}

// wallpaper is a smooth two-colour gradient with fine grain, like a photo.
func wallpaper(m *image.RGBA, r *rand.Rand) {
	b := m.Bounds()
	c0 := [3]int{r.IntN(120), r.IntN(120), 80 + r.IntN(120)}
	c1 := [3]int{120 + r.IntN(135), 60 + r.IntN(120), r.IntN(120)}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			t := (x + y) * 256 / (b.Dx() + b.Dy())
			g := r.IntN(9) - 4
			i := m.PixOffset(x, y)
			for c := range 3 {
				m.Pix[i+c] = uint8(min(255, max(0, (c0[c]*(256-t)+c1[c]*t)/256+g)))
			}
			m.Pix[i+3] = 255
		}
	}
}

// Window draws an application window at rect: a title bar with a title,
// then lines of dark text on white, as a document or an editor shows them.
func Window(m *image.RGBA, rect image.Rectangle, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 11))
	draw.Draw(m, rect, image.NewUniform(color.RGBA{250, 250, 248, 255}), image.Point{}, draw.Src)
	title := image.Rect(rect.Min.X, rect.Min.Y, rect.Max.X, min(rect.Max.Y, rect.Min.Y+24))
	draw.Draw(m, title, image.NewUniform(color.RGBA{60, 90, 150, 255}), image.Point{}, draw.Src)
	Text(m, image.Rect(title.Min.X+8, title.Min.Y+6, title.Max.X-8, title.Max.Y), color.White, r.Uint64(), 1)
	body := image.Rect(rect.Min.X+10, title.Max.Y+8, rect.Max.X-10, rect.Max.Y-6)
	Text(m, body, color.RGBA{30, 30, 30, 255}, r.Uint64(), body.Dy()/16)
}

// Text writes lines of random words (basicfont 7×13, 16-pixel lines) into
// rect, clipped to it, in colour c.
func Text(m *image.RGBA, rect image.Rectangle, c color.Color, seed uint64, lines int) {
	r := rand.New(rand.NewPCG(seed, 13))
	words := strings.Fields(vocabulary)
	text := make([]string, lines)
	for l := range text {
		line := strings.Repeat("  ", r.IntN(3))
		for len(line)*7 < rect.Dx() && r.IntN(14) > 0 {
			line += words[r.IntN(len(words))] + " "
		}
		text[l] = line
	}
	Lines(m, rect, c, text)
}

// Lines writes text, one string a line (basicfont 7×13, 16-pixel lines),
// into rect, clipped to it, in colour c.
func Lines(m *image.RGBA, rect image.Rectangle, c color.Color, text []string) {
	clip := m.SubImage(rect).(*image.RGBA)
	d := font.Drawer{Dst: clip, Src: image.NewUniform(c), Face: basicfont.Face7x13}
	for l, line := range text {
		d.Dot = fixed.P(rect.Min.X, rect.Min.Y+11+16*l)
		d.DrawString(line)
	}
}

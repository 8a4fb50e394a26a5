package tray

import (
	"bytes"
	"encoding/binary"
)

// hostPresent: every Windows session has a notification area.
func hostPresent() error { return nil }

// iconBytes is the icon as the library takes it on Windows: an .ico file
// holding the PNG (a form Windows reads since Vista).
func iconBytes(s State) []byte {
	p := IconPNG(s)
	var b bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image.
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1})
	// ICONDIRENTRY: 32x32, no palette, 1 plane, 32 bpp, size, offset 22.
	b.Write([]byte{32, 32, 0, 0})
	binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(len(p)), 22})
	b.Write(p)
	return b.Bytes()
}

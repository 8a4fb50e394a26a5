package api

import (
	_ "image/png"
)

// ThumbnailWidth is the width of gallery thumbnails, in pixels.
const ThumbnailWidth = 320

// Package pbpublic holds Tock's web app, embedded so the binary alone is the appliance.
package pbpublic

import (
	"embed"
	"io/fs"
)

//go:embed index.html app.css js vendor
var files embed.FS

// FS returns the web app's files, rooted at the site root.
func FS() fs.FS { return files }

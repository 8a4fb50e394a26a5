// Command pbref is stock PocketBase with one collection, "shots", whose
// records each carry a file and a text field: what the ingest benchmark
// measures Tock's screenshot uploads against, side by side.
//
//	pbref serve --http 127.0.0.1:8091   # data in pb_data next to the binary
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Collection is the name of the reference collection.
const Collection = "shots"

func main() {
	app := pocketbase.New()
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.InstallerFunc = nil // no browser to open for a superuser
		if err := ensureCollection(e.App); err != nil {
			return err
		}
		return e.Next()
	})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

// ensureCollection makes "shots" on first start: anyone may create a record
// with a file of up to 10 MB, like a screenshot upload.
func ensureCollection(app core.App) error {
	if _, err := app.FindCollectionByNameOrId(Collection); err == nil {
		return nil
	}
	c := core.NewBaseCollection(Collection)
	c.CreateRule = types.Pointer("")
	c.Fields.Add(&core.TextField{Name: "meta", Max: 64 << 10})
	c.Fields.Add(&core.FileField{Name: "file", MaxSelect: 1, MaxSize: 10 << 20})
	return app.Save(c)
}

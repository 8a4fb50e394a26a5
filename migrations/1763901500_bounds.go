package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// textMax is one text field's length bound, before and after this migration.
type textMax struct {
	collection, field string
	before, after     int
}

// boundedTexts gives every text field an explicit Max: app usage takes the
// ingest protocol's limits (app 256, title 1,024, URL 2,048 characters, up
// from 200, 1,000 and 2,000), and the two hex digests, bound until now only
// by their pattern, their 64 characters. Raising or naming a bound refuses no
// stored value.
func boundedTexts() []textMax {
	return []textMax{
		{schema.AppUsage, "app", 200, 256},
		{schema.AppUsage, "title", 1000, 1024},
		{schema.AppUsage, "url", 2000, 2048},
		{schema.Invites, "token_hash", 0, 64},
		{schema.Screenshots, "sha256", 0, 64},
	}
}

func init() {
	m.Register(func(app core.App) error {
		return setTextMax(app, func(b textMax) int { return b.after })
	}, func(app core.App) error {
		return setTextMax(app, func(b textMax) int { return b.before })
	})
}

func setTextMax(app core.App, max func(textMax) int) error {
	for _, b := range boundedTexts() {
		c, err := app.FindCollectionByNameOrId(b.collection)
		if err != nil {
			return fmt.Errorf("find %s: %w", b.collection, err)
		}
		f, ok := c.Fields.GetByName(b.field).(*core.TextField)
		if !ok {
			return fmt.Errorf("%s.%s is not a text field", b.collection, b.field)
		}
		f.Max = max(b)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("bound %s.%s: %w", b.collection, b.field, err)
		}
	}
	return nil
}

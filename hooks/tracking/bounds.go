package tracking

import (
	"fmt"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/ingest"
)

// boundedApps checks the length of every app entry of an activity, merges
// the entries with the same app, title and URL (adding their seconds) and
// checks that at most ingest.MaxApps remain, so a slot stores a bounded
// number of app usage records.
func boundedApps(apps []ingest.AppSeconds) ([]ingest.AppSeconds, error) {
	type key struct{ app, title, url string }
	index := map[key]int{}
	var merged []ingest.AppSeconds
	for i, a := range apps {
		for _, f := range []struct {
			name, value string
			max         int
		}{{"app", a.App, ingest.MaxAppLen}, {"title", a.Title, ingest.MaxTitleLen}, {"url", a.URL, ingest.MaxURLLen}} {
			if utf8.RuneCountInString(f.value) > f.max {
				return nil, reply.FieldTooLong(fmt.Sprintf("apps[%d].%s", i, f.name), f.max, "characters")
			}
		}
		k := key{a.App, a.Title, a.URL}
		if j, ok := index[k]; ok {
			merged[j].Seconds += a.Seconds
			continue
		}
		index[k] = len(merged)
		merged = append(merged, a)
	}
	if len(merged) > ingest.MaxApps {
		return nil, router.NewBadRequestError(fmt.Sprintf("apps may hold at most %d distinct entries (app, title and URL); this slot has %d.", ingest.MaxApps, len(merged)),
			validation.Errors{"apps": validation.NewError("validation_max_apps", fmt.Sprintf("At most %d distinct entries.", ingest.MaxApps))})
	}
	return merged, nil
}

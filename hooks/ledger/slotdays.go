package ledger

import (
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
)

// SortedProjects lists projects by time, most first, then by id.
func SortedProjects(m map[string]*api.ProjectTotals) []api.ProjectTotals {
	out := make([]api.ProjectTotals, 0, len(m))
	for _, p := range m {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y api.ProjectTotals) int {
		if x.Tracked != y.Tracked {
			return y.Tracked - x.Tracked
		}
		return strings.Compare(x.Project, y.Project)
	})
	return out
}

// LoadRangeSlots reads the slots with any second inside r: those starting
// in it and the one that starts just before its first local midnight.
func LoadRangeSlots(app core.App, org string, r DayRange, slotLen time.Duration, where ...dbx.Expression) ([]Slot, error) {
	return LoadSlots(app, org, r.Bounds[0].Add(-slotLen+time.Second), r.Bounds[r.Days()], where...)
}

package ledger

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Slot is one activity as reports and breaks read it.
type Slot struct {
	User, Project, Task string
	Start               time.Time
	Tracked, Active     int
	Manual              bool
}

// LoadSlots reads the activities of org starting in [from, to), narrowed by
// where (the requester's scope and filters), sorted by user then start.
func LoadSlots(app core.App, org string, from, to time.Time, where ...dbx.Expression) ([]Slot, error) {
	q := app.DB().Select("a.user", "a.project", "a.task", "a.slot_start", "a.tracked_seconds", "a.active_seconds", "a.source").
		From(schema.Activities + " a").
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.slot_start >= {:from} AND a.slot_start < {:to}",
			dbx.Params{"from": from.UTC().Format(reply.SlotLayout), "to": to.UTC().Format(reply.SlotLayout)}))
	for _, w := range where {
		if w != nil {
			q = q.AndWhere(w)
		}
	}
	// Sorted here, not in SQL: SQLite reads the range by (org, slot_start)
	// and would sort every row in a temporary B-tree, several times slower.
	rows, err := q.Rows()
	if err != nil {
		return nil, fmt.Errorf("activities of %s: %w", org, err)
	}
	defer rows.Close()
	// A month of a hundred people is 144,000 rows over a few hundred ids
	// and starts: read raw bytes and keep one copy of each value, so a
	// report allocates per distinct value, not per row.
	var (
		out                                []Slot
		user, project, task, start, source sql.RawBytes
		ids                                = map[string]string{}
		starts                             = map[string]time.Time{}
	)
	id := func(b []byte) string {
		if v, ok := ids[string(b)]; ok {
			return v
		}
		v := string(b)
		ids[v] = v
		return v
	}
	for rows.Next() {
		var s Slot
		if err := rows.Scan(&user, &project, &task, &start, &s.Tracked, &s.Active, &source); err != nil {
			return nil, fmt.Errorf("read activity of %s: %w", org, err)
		}
		s.User, s.Project, s.Task = id(user), id(project), id(task)
		var ok bool
		if s.Start, ok = starts[string(start)]; !ok {
			if s.Start, err = time.Parse(reply.SlotLayout, string(start)); err != nil {
				return nil, fmt.Errorf("activity of %s starts at %q: %w", org, start, err)
			}
			starts[string(start)] = s.Start
		}
		s.Manual = string(source) == schema.SourceManual
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("activities of %s: %w", org, err)
	}
	slices.SortFunc(out, func(x, y Slot) int {
		return cmp.Or(strings.Compare(x.User, y.User), x.Start.Compare(y.Start), strings.Compare(x.Project, y.Project))
	})
	return out, nil
}

// ScopeWhere turns a scope into a condition on activities; nil reaches all.
func ScopeWhere(sc perms.Scope, self string) dbx.Expression {
	if sc.All {
		return nil
	}
	var alts []dbx.Expression
	users := slices.Clone(sc.Users)
	if sc.Self {
		users = append(users, self)
	}
	if len(users) > 0 {
		alts = append(alts, dbx.In("a.user", reply.AnySlice(users)...))
	}
	if len(sc.Projects) > 0 {
		alts = append(alts, dbx.In("a.project", reply.AnySlice(sc.Projects)...))
	}
	if len(alts) == 0 {
		return dbx.NewExp("1 = 0")
	}
	return dbx.Or(alts...)
}

// InScope is scopeWhere for one activity's user and project.
func InScope(sc perms.Scope, self, user, project string) bool {
	return sc.All || (sc.Self && user == self) || slices.Contains(sc.Users, user) || slices.Contains(sc.Projects, project)
}

package screenshots

import (
	"cmp"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// The gallery answers the Screenshots page in one request, where the page
// used to send four or more records lists (slots, screenshots, apps 40 slots
// at a time, projects) for one member and one list of a whole day's slots
// plus one list per member for everyone. It reads a fixed number of indexed
// queries whatever the day holds: one member's day is three (slots,
// screenshots, apps of those slots), everyone's one (slots, each with its
// first screenshot). Each query carries the condition the records list of its
// collection would carry (gate.VisibleWhere), so the page sees no more and no
// less than through the lists.

func (s *Server) registerGallery(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(api.GalleryRoute, func(re *core.RequestEvent) error { return gallery(re, z) }).
			Bind(apis.RequireAuth(schema.Users), reply.Compressed())
		return e.Next()
	})
}

func gallery(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	user := q.Get("user")
	if user != api.GalleryAll && !reply.IsRecordID(user) {
		return reply.BadRequest("user must be a member's id or all.")
	}
	loc := reply.OrgLocation(org)
	day := q.Get("day")
	r, err := ledger.ParseDayRange(day, day, loc)
	if err != nil {
		return reply.BadRequest("day must be a day as YYYY-MM-DD.")
	}
	g := galleryDay{app: e.App, z: z, a: a, org: org.Id, from: reply.DbDate(r.Bounds[0]), until: reply.DbDate(r.Bounds[1])}
	out := api.Gallery{Day: day, Timezone: loc.String(), From: g.from, Until: g.until, User: user,
		Slots: []api.GallerySlot{}, Members: []api.GalleryMember{}}
	if user == api.GalleryAll {
		out.Members, err = g.everyone()
	} else {
		out.Slots, err = g.member(user)
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// galleryDay reads one organization's local day, [from, until) as stored
// dates, for a requester.
type galleryDay struct {
	app         core.App
	z           *gate.Authorizer
	a           gate.Actor
	org         string
	from, until string
}

// member is one member's slots of the day, each with its screenshots and
// apps; screenshots of a slot the requester may not see are left out, as
// the page never showed them.
func (g galleryDay) member(user string) ([]api.GallerySlot, error) {
	slots, err := g.slots(dbx.HashExp{"user": user})
	if err != nil || len(slots) == 0 {
		return slots, err
	}
	at := make(map[string]int, len(slots))
	ids := make([]any, len(slots))
	for i, sl := range slots {
		at[sl.ID], ids[i] = i, sl.ID
	}
	shots, err := g.shots(dbx.HashExp{"user": user})
	if err != nil {
		return nil, err
	}
	for _, sh := range shots {
		if i, ok := at[sh.Activity]; ok {
			slots[i].Screenshots = append(slots[i].Screenshots, sh)
		}
	}
	apps, err := g.apps(ids)
	if err != nil {
		return nil, err
	}
	for _, ap := range apps {
		i := at[ap.activity]
		slots[i].Apps = append(slots[i].Apps, ap.GalleryApp)
	}
	return slots, nil
}

// everyone is a row per member with slots the requester may see that day,
// by member id, each slot with its first screenshot.
func (g galleryDay) everyone() ([]api.GalleryMember, error) {
	slots, err := g.firsts()
	if err != nil || len(slots) == 0 {
		return []api.GalleryMember{}, err
	}
	slices.SortStableFunc(slots, func(x, y api.GallerySlot) int { return strings.Compare(x.User, y.User) })
	var rows []api.GalleryMember
	for _, sl := range slots {
		if len(rows) == 0 || rows[len(rows)-1].User != sl.User {
			rows = append(rows, api.GalleryMember{User: sl.User})
		}
		row := &rows[len(rows)-1]
		row.Slots = append(row.Slots, sl)
		row.Totals.Tracked += sl.Tracked
		row.Totals.Active += sl.Active
		if sl.Source == "manual" {
			row.Totals.Manual += sl.Tracked
		}
	}
	return rows, nil
}

// firsts are the day's slots the requester may see, by start, each with
// the first screenshot of it they may see, in one query: each slot finds its
// first screenshot through the index on the screenshot's slot, so a day of a
// hundred members reads one screenshot a slot, not all of the day's.
func (g galleryDay) firsts() ([]api.GallerySlot, error) {
	visibleSlot, err := g.z.VisibleWhere(g.app, g.a, g.org, schema.Activities)
	if err != nil {
		return nil, err
	}
	visibleShot, err := g.z.VisibleWhere(g.app, g.a, g.org, schema.Screenshots)
	if err != nil {
		return nil, err
	}
	// The subquery names its table screenshots, as visibleShot does; the
	// outer query's screenshot is s.
	first := g.app.DB().Select("rowid").From(schema.Screenshots).
		Where(dbx.NewExp("[[activity]] = [[activities.id]]")).AndWhere(visibleShot).
		OrderBy("taken_at", "screen").Limit(1).Build()
	var rows []struct {
		slotRow
		ShotID      sql.NullString `db:"shot_id"`
		ShotTakenAt sql.NullString `db:"shot_taken_at"`
		ShotUser    sql.NullString `db:"shot_user"`
		ShotProject sql.NullString `db:"shot_project"`
		Screen      sql.NullInt64  `db:"screen"`
		Width       sql.NullInt64  `db:"width"`
		Height      sql.NullInt64  `db:"height"`
		Blurred     sql.NullBool   `db:"blurred"`
	}
	err = g.app.DB().Select(slotColumns("activities.")...).
		AndSelect("s.id AS shot_id", "s.taken_at AS shot_taken_at", "s.user AS shot_user", "s.project AS shot_project",
			"s.screen", "s.width", "s.height", "s.blurred").
		From(schema.Activities).
		LeftJoin(schema.Screenshots+" s", dbx.NewExp("s.rowid = ("+first.SQL()+")", first.Params())).
		Where(dbx.HashExp{"activities.org": g.org}).
		AndWhere(dbx.NewExp("activities.slot_start >= {:from} AND activities.slot_start < {:until}", dbx.Params{"from": g.from, "until": g.until})).
		AndWhere(visibleSlot).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("gallery of everyone in %s from %s: %w", g.org, g.from, err)
	}
	out := make([]api.GallerySlot, len(rows))
	for i, r := range rows {
		out[i] = r.slot()
		if r.ShotID.Valid {
			out[i].Screenshots = append(out[i].Screenshots, api.GalleryShot{ID: r.ShotID.String, User: r.ShotUser.String,
				Project: r.ShotProject.String, Activity: r.ID, TakenAt: r.ShotTakenAt.String, Screen: int(r.Screen.Int64),
				Width: int(r.Width.Int64), Height: int(r.Height.Int64), Blurred: r.Blurred.Bool})
		}
	}
	sortSlots(out)
	return out, nil
}

// slotRow is an activity's columns the gallery reads.
type slotRow struct {
	ID      string `db:"id"`
	User    string `db:"user"`
	Project string `db:"project"`
	Task    string `db:"task"`
	Start   string `db:"slot_start"`
	Tracked int    `db:"tracked_seconds"`
	Active  int    `db:"active_seconds"`
	Source  string `db:"source"`
}

// slotColumns are slotRow's columns, of the table prefix names.
func slotColumns(prefix string) []string {
	cols := []string{"id", "user", "project", "task", "slot_start", "tracked_seconds", "active_seconds", "source"}
	for i, c := range cols {
		cols[i] = prefix + c
	}
	return cols
}

func (r slotRow) slot() api.GallerySlot {
	return api.GallerySlot{ID: r.ID, User: r.User, Project: r.Project, Task: r.Task, SlotStart: r.Start,
		Tracked: r.Tracked, Active: r.Active, Source: r.Source, Screenshots: []api.GalleryShot{}, Apps: []api.GalleryApp{}}
}

// sortSlots orders slots by start then project. Sorted here: SQLite reads
// the day through whichever index fits the narrowing and would otherwise
// sort in a temporary B-tree.
func sortSlots(slots []api.GallerySlot) {
	slices.SortFunc(slots, func(x, y api.GallerySlot) int {
		return cmp.Or(strings.Compare(x.SlotStart, y.SlotStart), strings.Compare(x.Project, y.Project))
	})
}

// slots are the day's activities the requester may see, by start then
// project, narrowed by where (nil: everyone's).
func (g galleryDay) slots(where dbx.Expression) ([]api.GallerySlot, error) {
	visible, err := g.z.VisibleWhere(g.app, g.a, g.org, schema.Activities)
	if err != nil {
		return nil, err
	}
	var rows []slotRow
	err = g.app.DB().Select(slotColumns("")...).
		From(schema.Activities).
		Where(dbx.HashExp{"org": g.org}).
		AndWhere(dbx.NewExp("slot_start >= {:from} AND slot_start < {:until}", dbx.Params{"from": g.from, "until": g.until})).
		AndWhere(where).AndWhere(visible).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("gallery slots of %s from %s: %w", g.org, g.from, err)
	}
	out := make([]api.GallerySlot, len(rows))
	for i, r := range rows {
		out[i] = r.slot()
	}
	sortSlots(out)
	return out, nil
}

// shots are the day's screenshots the requester may see, by time taken,
// narrowed by where.
func (g galleryDay) shots(where dbx.Expression) ([]api.GalleryShot, error) {
	visible, err := g.z.VisibleWhere(g.app, g.a, g.org, schema.Screenshots)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID       string `db:"id"`
		User     string `db:"user"`
		Project  string `db:"project"`
		Activity string `db:"activity"`
		TakenAt  string `db:"taken_at"`
		Screen   int    `db:"screen"`
		Width    int    `db:"width"`
		Height   int    `db:"height"`
		Blurred  bool   `db:"blurred"`
	}
	err = g.app.DB().Select("id", "user", "project", "activity", "taken_at", "screen", "width", "height", "blurred").
		From(schema.Screenshots).
		Where(dbx.HashExp{"org": g.org}).
		AndWhere(dbx.NewExp("taken_at >= {:from} AND taken_at < {:until}", dbx.Params{"from": g.from, "until": g.until})).
		AndWhere(where).AndWhere(visible).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("gallery screenshots of %s from %s: %w", g.org, g.from, err)
	}
	out := make([]api.GalleryShot, len(rows))
	for i, r := range rows {
		out[i] = api.GalleryShot{ID: r.ID, User: r.User, Project: r.Project, Activity: r.Activity, TakenAt: r.TakenAt,
			Screen: r.Screen, Width: r.Width, Height: r.Height, Blurred: r.Blurred}
	}
	slices.SortFunc(out, func(x, y api.GalleryShot) int {
		return cmp.Or(strings.Compare(x.TakenAt, y.TakenAt), x.Screen-y.Screen, strings.Compare(x.ID, y.ID))
	})
	return out, nil
}

// slotApp is an app of a slot with the slot it belongs to.
type slotApp struct {
	api.GalleryApp
	activity string
}

// apps are the apps of the slots (ids) the requester may see, most seconds
// first; a URL only where "View URLs" allows it, as the records list hides it.
func (g galleryDay) apps(ids []any) ([]slotApp, error) {
	visible, err := g.z.VisibleWhere(g.app, g.a, g.org, schema.AppUsage)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Activity string `db:"activity"`
		User     string `db:"user"`
		Project  string `db:"project"`
		App      string `db:"app"`
		Title    string `db:"title"`
		URL      string `db:"url"`
		Seconds  int    `db:"seconds"`
	}
	err = g.app.DB().Select("activity", "user", "project", "app", "title", "url", "seconds").
		From(schema.AppUsage).
		Where(dbx.In("activity", ids...)).
		AndWhere(visible).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("gallery apps of %s from %s: %w", g.org, g.from, err)
	}
	out := make([]slotApp, len(rows))
	for i, r := range rows {
		// app_usage names its owner and project in user and project (migrations/access.go).
		if !g.z.FieldShown(g.a, schema.AppUsage, "url", perms.Target{OwnerID: r.User, ProjectID: r.Project}) {
			r.URL = ""
		}
		out[i] = slotApp{GalleryApp: api.GalleryApp{App: r.App, Title: r.Title, URL: r.URL, Seconds: r.Seconds}, activity: r.Activity}
	}
	slices.SortStableFunc(out, func(x, y slotApp) int { return cmp.Or(y.Seconds-x.Seconds, strings.Compare(x.App, y.App)) })
	return out, nil
}

package schema

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Typed reads of the busiest collections' records. Each wrapper embeds the
// record, so everything else (Id, Set, Collection, …) stays at hand:
//
//	shot := schema.Screenshot{Record: rec}
//	if shot.User() != e.Auth.Id { … }
//
// A wrapper only reads; writes keep going through Record.Set with the Field
// constants, so a save still passes through PocketBase's validation.

// Screenshot is a record of the screenshots collection.
type Screenshot struct{ *core.Record }

func (s Screenshot) Org() string        { return s.GetString(FieldOrg) }
func (s Screenshot) User() string       { return s.GetString(FieldUser) }
func (s Screenshot) Project() string    { return s.GetString(FieldProject) }
func (s Screenshot) Task() string       { return s.GetString(FieldTask) }
func (s Screenshot) Activity() string   { return s.GetString(FieldActivity) }
func (s Screenshot) TakenAt() time.Time { return s.GetDateTime(FieldTakenAt).Time() }
func (s Screenshot) KeyID() string      { return s.GetString(FieldKeyID) }
func (s Screenshot) StorageKey() string { return s.GetString(FieldStorageKey) }
func (s Screenshot) ClientID() string   { return s.GetString(FieldClientID) }
func (s Screenshot) Size() int          { return s.GetInt(FieldSize) }
func (s Screenshot) Screen() int        { return s.GetInt(FieldScreen) }
func (s Screenshot) Blurred() bool      { return s.GetBool(FieldBlurred) }

// Activity is a record of the activities collection: one member's slot on
// one project.
type Activity struct{ *core.Record }

func (a Activity) Org() string          { return a.GetString(FieldOrg) }
func (a Activity) User() string         { return a.GetString(FieldUser) }
func (a Activity) Project() string      { return a.GetString(FieldProject) }
func (a Activity) Task() string         { return a.GetString(FieldTask) }
func (a Activity) SlotStart() time.Time { return a.GetDateTime(FieldSlotStart).Time() }
func (a Activity) TrackedSeconds() int  { return a.GetInt(FieldTrackedSeconds) }
func (a Activity) ActiveSeconds() int   { return a.GetInt(FieldActiveSeconds) }
func (a Activity) Source() string       { return a.GetString(FieldSource) }
func (a Activity) ClientID() string     { return a.GetString(FieldClientID) }

// Manual tells time added by hand from time the agent tracked.
func (a Activity) Manual() bool { return a.Source() == SourceManual }

// Membership is a record of the memberships collection.
type Membership struct{ *core.Record }

func (m Membership) Org() string    { return m.GetString(FieldOrg) }
func (m Membership) User() string   { return m.GetString(FieldUser) }
func (m Membership) Role() string   { return m.GetString(FieldRole) }
func (m Membership) Status() string { return m.GetString(FieldStatus) }

// Active tells a member who joined from one only invited.
func (m Membership) Active() bool { return m.Status() == MemberActive }

// ActiveOwner tells an active member with the owner role: an organization
// must keep at least one.
func (m Membership) ActiveOwner() bool { return m.Role() == RoleOwner && m.Active() }

package gate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// Link is a relation whose target must live in the record's own organization,
// and, for some, agree with the record on other fields (a screenshot's activity
// is the same user's, in the same project).
type Link struct {
	Field string
	agree []string // fields that must hold the same value on both records
}

// sameOrgLinks lists, per org-scoped collection, the relations checked on every save.
func sameOrgLinks() map[string][]Link {
	return map[string][]Link{
		schema.Projects:       {{Field: "client"}},
		schema.ProjectMembers: {{Field: "project"}},
		schema.TeamMembers:    {{Field: "team"}},
		schema.TeamProjects:   {{Field: "team"}, {Field: "project"}},
		schema.Tasks:          {{Field: "project"}},
		schema.Activities:     {{Field: "project"}, {Field: "task", agree: []string{"project"}}},
		schema.Screenshots: {
			{Field: "project"}, {Field: "task", agree: []string{"project"}},
			{Field: "activity", agree: []string{"user", "project"}},
		},
		schema.AppUsage: {{Field: "project"}, {Field: "activity", agree: []string{"user", "project"}}},
	}
}

// memberLinks lists the user relations whose users must belong to the record's organization.
func memberLinks() map[string][]string {
	return map[string][]string{
		schema.ProjectMembers: {"user"},
		schema.TeamMembers:    {"user"},
		schema.Tasks:          {"assignees"},
		schema.Activities:     {"user"},
		schema.Screenshots:    {"user"},
		schema.AppUsage:       {"user"},
	}
}

// immutableFields can't change once a record exists: moving a record between
// organizations or people would bypass every permission decided at creation.
func immutableFields(collection string) []string {
	switch collection {
	case schema.Memberships, schema.Activities, schema.Screenshots, schema.AppUsage:
		return []string{"org", "user"}
	case schema.ProjectMembers:
		return []string{"org", "project", "user"}
	case schema.TeamMembers:
		return []string{"org", "team", "user"}
	case schema.TeamProjects:
		return []string{"org", "team", "project"}
	default:
		return []string{"org"}
	}
}

func RegisterIntegrity(app core.App) {
	links := sameOrgLinks()
	members := memberLinks()
	for _, name := range schema.CoreCollections() {
		if name == schema.Organizations {
			continue
		}
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			return reply.ValidateAlso(e, func() validation.Errors {
				return CheckIntegrity(e.App, e.Record, checkedIn(e.Context, e.Record), links[name], members[name])
			})
		})
	}
}

// Checked is what the route saving a record has already read from the
// database in the same request: the targets of some of its relations, and
// users it found to be active members of the record's organization. The
// integrity checks then compare against those instead of reading them again;
// every comparison still runs. It rides on the save's context, which no
// client can set, and applies to that one record only.
type Checked struct {
	Record  *core.Record
	Org     string                  // the organization the route checked against
	Targets map[string]*core.Record // relation field → the record it names, as read
	Members map[string]bool         // users with an active membership in the record's organization
}

type checkedKey struct{}

// WithChecked returns a context for saving c.record that carries c.
func WithChecked(ctx context.Context, c Checked) context.Context {
	return context.WithValue(ctx, checkedKey{}, c)
}

// checkedIn returns what ctx says was checked for r: nothing unless the
// route saving r marked it.
func checkedIn(ctx context.Context, r *core.Record) Checked {
	if ctx == nil {
		return Checked{}
	}
	c, ok := ctx.Value(checkedKey{}).(Checked)
	if !ok || c.Record != r || c.Org == "" || c.Org != r.GetString(schema.FieldOrg) {
		return Checked{}
	}
	return c
}

func CheckIntegrity(app core.App, r *core.Record, known Checked, links []Link, memberFields []string) validation.Errors {
	errs := validation.Errors{}
	if !r.IsNew() {
		for _, f := range immutableFields(r.Collection().Name) {
			if r.Original().GetString(f) != r.GetString(f) {
				errs[f] = validation.NewError("validation_immutable", "Can't be changed once set.")
			}
		}
	}
	org := r.GetString(schema.FieldOrg)
	if org == "" {
		return errs // the required-field validator already reports it
	}

	for _, l := range links {
		if _, done := errs[l.Field]; done {
			continue
		}
		if err := checkLink(app, r, org, l, known.Targets[l.Field]); err != nil {
			errs[l.Field] = err
		}
	}
	for _, f := range memberFields {
		if _, done := errs[f]; done {
			continue
		}
		if err := checkMembers(app, org, unchecked(r.GetStringSlice(f), known.Members)); err != nil {
			errs[f] = err
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// checkLink reports a validation error when the linked record is in another
// organization or disagrees on a shared field. A missing target is left to the
// relation field's own validator. read is the target as the saving route
// read it in this request, if it did: it is compared instead of read again.
func checkLink(app core.App, r *core.Record, org string, l Link, read *core.Record) error {
	id := r.GetString(l.Field)
	if id == "" {
		return nil
	}
	relField, ok := r.Collection().Fields.GetByName(l.Field).(*core.RelationField)
	if !ok {
		return fmt.Errorf("%s.%s is not a relation", r.Collection().Name, l.Field)
	}
	target := read
	if target == nil || target.Id != id || target.Collection() == nil || target.Collection().Id != relField.CollectionId {
		var err error
		target, err = app.FindRecordById(relField.CollectionId, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find %s %s: %w", l.Field, id, err)
		}
	}
	if target.GetString(schema.FieldOrg) != org {
		// Same message as a missing record: nothing about other organizations leaks.
		return validation.NewError("validation_missing_rel_records", "Failed to find all relation records with the provided ids.")
	}
	for _, f := range l.agree {
		if target.GetString(f) != r.GetString(f) {
			return validation.NewError("validation_link_mismatch", fmt.Sprintf("Must have the same %s as this record.", f))
		}
	}
	return nil
}

// unchecked returns the users not in known.
func unchecked(users []string, known map[string]bool) []string {
	if len(known) == 0 {
		return users
	}
	var out []string
	for _, u := range users {
		if !known[u] {
			out = append(out, u)
		}
	}
	return out
}

func checkMembers(app core.App, org string, users []string) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]any, len(users))
	for i, u := range users {
		ids[i] = u
	}
	var found int
	err := app.RecordQuery(schema.Memberships).
		Select("count(distinct [[user]])").
		AndWhere(dbx.HashExp{schema.FieldOrg: org}).
		AndWhere(dbx.In(schema.FieldUser, ids...)).
		Row(&found)
	if err != nil {
		return fmt.Errorf("count memberships in organization %s: %w", org, err)
	}
	if found != len(users) {
		return validation.NewError("validation_not_member", "Every user must be a member of the organization.")
	}
	return nil
}

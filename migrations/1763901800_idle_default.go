package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Answers an organization gives to the agent's idle question when the member
// gives none in time (its idle_default setting). An empty setting reads as
// IdleDiscard, so organizations made before the setting keep the agent's old
// behaviour.
const (
	IdleDiscard = "discard" // the idle time is not counted
	IdleKeep    = "keep"    // the idle time is counted as tracked
)

// IdleDefaultField is the organizations field holding that answer.
const IdleDefaultField = "idle_default"

func init() {
	m.Register(func(app core.App) error {
		return changeIdleDefault(app, true)
	}, func(app core.App) error {
		return changeIdleDefault(app, false)
	})
}

// changeIdleDefault adds (up) or drops the organizations' idle_default.
func changeIdleDefault(app core.App, up bool) error {
	orgs, err := app.FindCollectionByNameOrId(Organizations)
	if err != nil {
		return fmt.Errorf("idle default: %w", err)
	}
	if up {
		orgs.Fields.Add(choice(IdleDefaultField, false, IdleDiscard, IdleKeep))
	} else {
		orgs.Fields.RemoveByName(IdleDefaultField)
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("idle default: save %s: %w", Organizations, err)
	}
	return nil
}

package gate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"github.com/tock-app/tock/hooks/reply"
)

// A realtime subscription carries, per topic, the query of a list request
// (`topic?options={"query":{"filter":…}}`), and PocketBase tests its filter
// on every record it would send: a filter it may not use in a list would
// make the arrival of an event an oracle for what the filter tests. So a
// subscription is held to the list's rules: checkSubscriptions refuses at
// subscribe time what checkQuery refuses in a list, and the enrich hook
// drops an event whose filter mentions a field the subscriber may not read
// on that record, as listScope narrows a list (realtimeFilterAllowed).
// Expansions and field picks need nothing more: expanded records go through
// their view rule and the same enrich hook, which hides restricted fields
// before any pick.

// checkSubscriptions refuses the whole subscription request, with a 400
// naming the topic, when one topic's filter or sort reaches across
// collections. Nothing is subscribed then; earlier subscriptions stay.
func checkSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	// Parse the topics exactly as the client will, options included.
	parsed := subscriptions.NewDefaultClient()
	parsed.Subscribe(e.Subscriptions...)
	for topic, options := range parsed.Subscriptions() {
		if err := checkQuery(options.Query["filter"], options.Query["sort"]); err != nil {
			return router.NewBadRequestError(fmt.Sprintf("Subscription %q: %s", topicName(topic), errMessage(err)), nil)
		}
	}
	return e.Next()
}

// topicName is a subscription topic without its options.
func topicName(topic string) string {
	name, _, _ := strings.Cut(topic, "?")
	return name
}

// errMessage is the message of an API error, or the error's text.
func errMessage(err error) string {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr.Message
	}
	return err.Error()
}

package agent

import (
	"fmt"
	"io"

	"github.com/tock-app/tock/agent/spool"
)

// shownReasons is how many refusals `status` spells out.
const shownReasons = 5

// printRejected tells what the server refused for good, so data set aside
// never goes unnoticed: how many items, where they are, and the latest
// reasons.
func printRejected(out io.Writer, sp *spool.Spool) {
	rej, err := sp.Rejected()
	if err != nil {
		fmt.Fprintf(out, "Rejected: unknown (%v)\n", err)
		return
	}
	if len(rej) == 0 {
		return
	}
	fmt.Fprintf(out, "Rejected: %d items the server refused (kept in %s/rejected)\n", len(rej), sp.Dir())
	for _, r := range rej[max(0, len(rej)-shownReasons):] {
		fmt.Fprintf(out, "  %s %s: %s\n", r.Kind, r.ID, r.Reason)
	}
}

package notify

import (
	"fmt"
	"strings"
	"time"
)

// powershellAppID is the AppUserModelID Windows knows PowerShell by: a toast
// shown under it needs no registration of Tock's own (it reads "Windows
// PowerShell" as its sender).
const powershellAppID = `{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe`

// toastScript is the PowerShell script (fed to `powershell.exe -Command -`)
// that shows m as a Windows 10+ toast through WinRT; expire > 0 takes it out
// of the Action Center after that long. The toast can't carry answers (that
// needs COM activation, hence an installed app), so a question's answers
// are named in its text and given in the tray's menu.
//
// The text reaches PowerShell only inside a single-quoted literal and only
// as XML character data whose every quote, non-ASCII and control character
// is a character reference: no character of it can end the literal (nor
// PowerShell's typographic quotes, which also do), so a title or body can't
// run as script.
func toastScript(m Message, expire time.Duration) string {
	var b strings.Builder
	b.WriteString("$ErrorActionPreference = 'Stop'\n")
	b.WriteString("[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null\n")
	b.WriteString("[Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime] | Out-Null\n")
	b.WriteString("$xml = New-Object Windows.Data.Xml.Dom.XmlDocument\n")
	fmt.Fprintf(&b, "$xml.LoadXml('%s')\n", toastXML(m))
	b.WriteString("$toast = New-Object Windows.UI.Notifications.ToastNotification $xml\n")
	if s := int(expire.Seconds()); s > 0 {
		fmt.Fprintf(&b, "$toast.ExpirationTime = [DateTimeOffset]::Now.AddSeconds(%d)\n", s)
	}
	fmt.Fprintf(&b, "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('%s').Show($toast)\n", powershellAppID)
	return b.String()
}

// toastXML is the toast's document: the summary as its title, the body
// (with a question's answers named) under it.
func toastXML(m Message) string {
	body := m.Body
	if len(m.Actions) > 0 {
		labels := make([]string, len(m.Actions))
		for i, a := range m.Actions {
			labels[i] = a.Label
		}
		body = strings.TrimSpace(body + "\nAnswer in Tock's menu in the notification area: " + strings.Join(labels, " or ") + ".")
	}
	return `<toast><visual><binding template="ToastGeneric"><text>` + xmlText(m.Summary) +
		`</text><text>` + xmlText(body) + `</text></binding></visual></toast>`
}

// xmlText escapes s as XML character data in plain ASCII without quotes:
// markup and quote characters, line breaks, tabs and every non-ASCII
// character become character references; other control characters, which
// XML can't hold, are dropped.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '\'':
			b.WriteString("&apos;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\n' || r == '\t':
			fmt.Fprintf(&b, "&#%d;", r)
		case r < 0x20 || r == 0x7f:
			// \r and the other controls: not allowed in XML 1.0.
		case r > 0x7e:
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

package notify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tock-app/tock/agent/sessionbus"
)

const (
	service = "org.freedesktop.Notifications"
	object  = "/org/freedesktop/Notifications"
	// closedByUser is NotificationClosed's reason when the person
	// dismissed it.
	closedByUser = 2
)

// Bus is the desktop's notification server on the session bus, on a
// connection of its own (the tray's library shares and closes the default
// one).
type Bus struct {
	conn *dbus.Conn
	mu   sync.Mutex
	// waiting are the questions out, by notification id; early holds
	// answers that came before Ask registered (a signal can overtake the
	// reply's handling).
	waiting map[uint32]chan string
	early   map[uint32]string
}

// Open connects to the session bus and checks that a notification server
// is there.
func Open() (*Bus, error) {
	conn, err := sessionbus.Connect()
	if err != nil {
		return nil, err
	}
	var name, vendor, version, spec string
	if err := conn.Object(service, object).Call(service+".GetServerInformation", 0).Store(&name, &vendor, &version, &spec); err != nil {
		conn.Close()
		return nil, fmt.Errorf("no notification server on the session bus: %w", err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(service), dbus.WithMatchObjectPath(object)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("watch notification answers: %w", err)
	}
	b := &Bus{conn: conn, waiting: map[uint32]chan string{}, early: map[uint32]string{}}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go b.dispatch(signals)
	return b, nil
}

// dispatch hands ActionInvoked and NotificationClosed to the question
// waiting for them ("" for closed).
func (b *Bus) dispatch(signals <-chan *dbus.Signal) {
	for sig := range signals {
		if len(sig.Body) < 2 {
			continue
		}
		id, ok := sig.Body[0].(uint32)
		if !ok {
			continue
		}
		var answer string
		switch sig.Name {
		case service + ".ActionInvoked":
			answer, _ = sig.Body[1].(string)
		case service + ".NotificationClosed":
			if reason, _ := sig.Body[1].(uint32); reason != closedByUser {
				continue // expired or closed by us: not the person's answer
			}
		default:
			continue
		}
		b.mu.Lock()
		if ch, ok := b.waiting[id]; ok {
			delete(b.waiting, id)
			ch <- answer
		} else if answer != "" {
			// Only questions have actions: an answer that came before Ask
			// registered its id. (A notice's closing is nobody's concern.)
			b.early[id] = answer
		}
		b.mu.Unlock()
	}
}

// notify sends m and returns its id.
func (b *Bus) notify(ctx context.Context, m Message) (uint32, error) {
	actions := []string{}
	for _, a := range m.Actions {
		actions = append(actions, a.Key, a.Label)
	}
	expire := int32(-1) // the server's default
	switch {
	case m.Expire < 0:
		expire = 0 // never
	case m.Expire > 0:
		expire = int32(m.Expire / time.Millisecond)
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	var id uint32
	err := b.conn.Object(service, object).CallWithContext(ctx, service+".Notify", 0,
		"Tock", uint32(0), "", m.Summary, m.Body, actions, hints, expire).Store(&id)
	if err != nil {
		return 0, fmt.Errorf("notify %q: %w", m.Summary, err)
	}
	return id, nil
}

// Notify shows a plain notice.
func (b *Bus) Notify(ctx context.Context, m Message) error {
	_, err := b.notify(ctx, m)
	return err
}

// Ask shows a question and waits for the person's answer: the key of the
// action they picked, ErrDismissed if they closed it, or ctx's error when
// ctx ends first (the question is then taken off the screen).
func (b *Bus) Ask(ctx context.Context, m Message) (string, error) {
	id, err := b.notify(ctx, m)
	if err != nil {
		return "", err
	}
	ch := make(chan string, 1)
	b.mu.Lock()
	if answer, ok := b.early[id]; ok {
		delete(b.early, id)
		b.mu.Unlock()
		return answered(answer)
	}
	b.waiting[id] = ch
	b.mu.Unlock()
	select {
	case answer := <-ch:
		return answered(answer)
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
		b.conn.Object(service, object).Call(service+".CloseNotification", 0, id)
		return "", ctx.Err()
	}
}

func answered(key string) (string, error) {
	if key == "" {
		return "", ErrDismissed
	}
	return key, nil
}

// Close ends the connection.
func (b *Bus) Close() error { return b.conn.Close() }

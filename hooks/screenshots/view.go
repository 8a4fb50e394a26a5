package screenshots

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"io"
	"net/http"

	"github.com/disintegration/imaging"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

func (s *Server) registerView(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET("/api/tock/screenshots/{id}/image", func(re *core.RequestEvent) error { return s.viewScreenshot(re, z, false) })
		e.Router.GET("/api/tock/screenshots/{id}/thumb", func(re *core.RequestEvent) error { return s.viewScreenshot(re, z, true) })
		return e.Next()
	})
}

// viewScreenshot decrypts a screenshot in memory, after the matrix allows
// "View Screenshots" on it, and streams it; nothing is written in plaintext.
func (s *Server) viewScreenshot(e *core.RequestEvent, z *gate.Authorizer, thumb bool) error {
	shot, err := e.App.FindRecordById(schema.Screenshots, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	if !reply.IsSuperuser(e.Auth) {
		p := z.Policies[schema.Screenshots]
		a, err := z.Actor(e.App, e.Auth, schema.Screenshot{Record: shot}.Org())
		if err != nil {
			return err
		}
		if !z.CanView(a, p, shot) {
			return reply.NotFound()
		}
	}

	plain, err := s.openScreenshot(e, shot)
	if err != nil {
		return err
	}
	defer clear(plain)
	if thumb {
		small, err := thumbnail(plain)
		if err != nil {
			return fmt.Errorf("thumbnail of %s: %w", shot.Id, err)
		}
		plain = small
	}

	h := e.Response.Header()
	// The most sensitive bytes Tock serves: never in a shared cache, never
	// on disk in a browser's cache, never sniffed into another type.
	h.Set("Cache-Control", "private, no-store, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", "inline")
	return e.Blob(http.StatusOK, http.DetectContentType(plain), plain)
}

func (s *Server) openScreenshot(e *core.RequestEvent, rec *core.Record) ([]byte, error) {
	shot := schema.Screenshot{Record: rec}
	store, err := s.store()
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	rc, err := store.Get(e.Request.Context(), shot.StorageKey())
	if errors.Is(err, blobstore.ErrNotFound) {
		return nil, reply.NotFound() // its blob was swept: the screenshot is gone
	}
	if err != nil {
		return nil, fmt.Errorf("read screenshot %s: %w", shot.Id, err)
	}
	sealed, err := io.ReadAll(io.LimitReader(rc, s.cfg.MaxEnvelopeBytes+1))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("read screenshot %s: %w", shot.Id, err)
	}
	priv, err := s.privateKey(e.App, shot.Org(), shot.KeyID())
	if err != nil {
		return nil, err
	}
	defer clear(priv[:])
	md := envelope.Metadata{
		ID: shot.ClientID(), Org: shot.Org(), User: shot.User(),
		TakenAt: shot.TakenAt(), Screen: shot.Screen(),
	}
	plain, err := envelope.Open(priv, md, sealed)
	if err != nil {
		return nil, fmt.Errorf("open screenshot %s: %w", shot.Id, err)
	}
	return plain, nil
}

func thumbnail(img []byte) ([]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	small := imaging.Resize(src, api.ThumbnailWidth, 0, imaging.Box)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: 75}); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return out.Bytes(), nil
}

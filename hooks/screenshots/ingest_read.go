package screenshots

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/ingest"
)

// pooledMax is the largest envelope buffer kept for the next upload; a rare
// bigger one is left to the garbage collector instead of pinning memory.
const pooledMax = 4 << 20

// readAhead is how much of an upload's body is read off the connection at a
// time. The multipart reader asks for 4 KB at a time, which would take some
// fifty reads of the socket for one envelope, each a system call costing
// more than copying the bytes once more.
const readAhead = 64 << 10

// multipartOverhead is room for a screenshot upload's multipart framing.
const multipartOverhead = 16 << 10

// UploadLimit bounds the body of a screenshot upload: the envelope, the meta
// part and the multipart framing.
func UploadLimit(cfg config.Config) int64 {
	return cfg.MaxEnvelopeBytes + ingest.MaxMetaBytes + multipartOverhead
}

// screenshotUpload is a screenshot upload read off the wire: the meta part,
// and the envelope in one pooled buffer with its SHA-256, taken as it
// streamed in. release returns the buffer; nothing may use sealed after.
type screenshotUpload struct {
	meta   []byte
	sealed []byte
	sum    [sha256.Size]byte
	buf    *bytes.Buffer
}

// readScreenshotUpload streams the multipart body once: each byte of the
// envelope is copied into the buffer and hashed on the way, instead of being
// parsed into a form, read again into a slice and hashed again.
func (s *Server) readScreenshotUpload(e *core.RequestEvent) (*screenshotUpload, error) {
	invalid := reply.BadRequest("Send a multipart form with the fields meta and envelope.")
	mediaType, params, err := mime.ParseMediaType(e.Request.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, invalid
	}
	// Room for the envelope, the meta part and the multipart framing.
	limit := UploadLimit(s.cfg)
	br, _ := s.readers.Get().(*bufio.Reader)
	if br == nil {
		br = bufio.NewReaderSize(nil, readAhead)
	}
	br.Reset(http.MaxBytesReader(nil, uploadBody(e.Request), limit))
	defer func() {
		br.Reset(nil) // let go of the request's body
		s.readers.Put(br)
	}()
	mr := multipart.NewReader(br, params["boundary"])
	up := &screenshotUpload{}
	var sawMeta, sawEnvelope bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.release(up)
			return nil, partError(err, invalid)
		}
		switch part.FormName() {
		case "meta":
			if sawMeta {
				err = reply.BadRequest("Send meta once.")
				break
			}
			sawMeta = true
			up.meta, err = readLimited(part, ingest.MaxMetaBytes, "meta")
		case "envelope":
			if sawEnvelope {
				err = reply.BadRequest("Send one envelope.")
				break
			}
			sawEnvelope = true
			err = s.readEnvelopePart(part, up)
		}
		part.Close()
		if err != nil {
			s.release(up)
			return nil, partError(err, err)
		}
	}
	if !sawMeta {
		s.release(up)
		return nil, invalid
	}
	if !sawEnvelope {
		s.release(up)
		return nil, reply.BadRequest("The envelope file is missing.")
	}
	return up, nil
}

// readEnvelopePart copies the envelope into a pooled buffer, hashing it.
func (s *Server) readEnvelopePart(part *multipart.Part, up *screenshotUpload) error {
	buf, _ := s.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	up.buf = buf
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(buf, h), io.LimitReader(part, s.cfg.MaxEnvelopeBytes+1))
	if n > s.cfg.MaxEnvelopeBytes || isTooLarge(err) {
		return router.NewApiError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("A screenshot may be at most %d bytes.", s.cfg.MaxEnvelopeBytes), nil)
	}
	if err != nil {
		return reply.BadRequest("Couldn't read the envelope.")
	}
	up.sealed = buf.Bytes()
	h.Sum(up.sum[:0])
	return nil
}

// readLimited reads a small part whole, refusing one over max bytes with a
// 400 naming it.
func readLimited(r io.Reader, max int, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, partError(err, reply.BadRequest("Couldn't read %s.", name))
	}
	if len(b) > max {
		return nil, reply.FieldTooLong(name, max, "bytes")
	}
	return b, nil
}

// release hands the upload's buffer back for the next one.
func (s *Server) release(up *screenshotUpload) {
	if up == nil || up.buf == nil {
		return
	}
	buf := up.buf
	up.buf, up.sealed = nil, nil
	if buf.Cap() <= pooledMax {
		s.buffers.Put(buf)
	}
}

// partError answers a body past the upload's limit with 413, anything else
// with otherwise.
func partError(err, otherwise error) error {
	if isTooLarge(err) {
		return router.NewApiError(http.StatusRequestEntityTooLarge, "The upload is too large.", nil)
	}
	return otherwise
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

// rawBodyKey carries a screenshot upload's body as it came off the
// connection, before PocketBase's router wrapped it.
type rawBodyKey struct{}

// KeepRawBody wraps the server's handler. PocketBase's router copies every
// request body into a buffer as it is read, so that a handler may read it
// twice; a screenshot upload is read once, by its own route, so that route
// takes the body as it came, under its own limit, instead of paying for a
// second copy of every envelope.
func keepRawBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == ingest.ScreenshotsRoute {
			r = r.WithContext(context.WithValue(r.Context(), rawBodyKey{}, r.Body))
		}
		next.ServeHTTP(w, r)
	})
}

// uploadBody is the request's body as it came when keepRawBody kept it (a
// real server), else as the router passes it (in-process tests).
func uploadBody(r *http.Request) io.ReadCloser {
	if raw, ok := r.Context().Value(rawBodyKey{}).(io.ReadCloser); ok {
		return raw
	}
	return r.Body
}

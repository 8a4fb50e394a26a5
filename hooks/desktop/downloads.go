package desktop

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
)

// DownloadPlatforms are the platforms the agent is built for, in the order
// the listing shows them.
func DownloadPlatforms() []string { return []string{"linux/amd64", "linux/arm64", "windows/amd64"} }

// downloadFile is an available download and where its bytes are.
type downloadFile struct {
	api.Download

	path string
}

// SumCache remembers files' SHA-256 by path, size and time, so a listing
// hashes a 60 MB executable once, not per request.
type sumCache struct {
	mu   sync.Mutex
	sums map[string]string
}

func (c *sumCache) sum(path string, info fs.FileInfo) (string, error) {
	key := fmt.Sprintf("%s|%d|%d", path, info.Size(), info.ModTime().UnixNano())
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sums[key]; ok {
		return s, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	if c.sums == nil {
		c.sums = map[string]string{}
	}
	c.sums[key] = hex.EncodeToString(h.Sum(nil))
	return c.sums[key], nil
}

func (s *Server) registerDownloads(app core.App) {
	reply.ServeSignedIn(app,
		reply.GET(api.DownloadsRoute, s.listDownloads),
		reply.GET(api.DownloadRoute, s.download),
	)
	// A mistyped --downloads would only show as "Not available" on the
	// page: the operator is told at start.
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := s.checkDownloads(); err != nil {
			e.App.Logger().Warn("the desktop app page offers only this server's own platform", "error", err)
		}
		return e.Next()
	})
}

// checkDownloads says what is wrong with the --downloads directory, if
// anything: missing, without SHA256SUMS, or with none of the archives that
// SHA256SUMS lists.
func (s *Server) checkDownloads() error {
	dir := s.cfg.Downloads
	if dir == "" {
		return nil
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("--downloads %s: no such directory (give the one make release wrote, dist/<version>)", dir)
	}
	sums, err := readSums(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return fmt.Errorf("--downloads %s: %w", dir, err)
	}
	if len(sums) == 0 {
		return fmt.Errorf("--downloads %s holds no SHA256SUMS (or an empty one): make release writes it beside the archives", dir)
	}
	for name := range sums {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("--downloads %s: none of the archives its SHA256SUMS lists is there", dir)
}

// mayDownload: a member of some organization.
func mayDownload(e *core.RequestEvent) error {
	orgs, err := gate.ActiveOrgs(e.App, e.Auth.Id)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return router.NewForbiddenError("The desktop app is for members of an organization: accept an invitation first.", nil)
	}
	return nil
}

func (s *Server) listDownloads(e *core.RequestEvent) error {
	if err := mayDownload(e); err != nil {
		return err
	}
	out := api.Downloads{Version: s.cfg.Version, Files: []api.Download{}}
	for _, p := range DownloadPlatforms() {
		f, err := s.downloadFor(p)
		if err != nil {
			return err
		}
		out.Files = append(out.Files, f.Download)
	}
	return e.JSON(http.StatusOK, out)
}

func (s *Server) download(e *core.RequestEvent) error {
	if err := mayDownload(e); err != nil {
		return err
	}
	platform := strings.Replace(e.Request.PathValue("platform"), "-", "/", 1)
	known := false
	for _, p := range DownloadPlatforms() {
		known = known || p == platform
	}
	if !known {
		return router.NewNotFoundError(fmt.Sprintf("No agent is built for %q: the platforms are %s.",
			platform, strings.Join(DownloadPlatforms(), ", ")), nil)
	}
	f, err := s.downloadFor(platform)
	if err != nil {
		return err
	}
	if !f.Available {
		return router.NewNotFoundError(fmt.Sprintf("The agent for %s isn't on this server: ask whoever runs it to add the release's files (tock serve --downloads DIR).", platform), nil)
	}
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open download %s: %w", f.path, err)
	}
	defer file.Close()
	e.Response.Header().Set("Content-Type", "application/octet-stream")
	e.Response.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", f.File))
	e.Response.Header().Set("X-Tock-SHA256", f.SHA256)
	http.ServeContent(e.Response, e.Request, f.File, time.Time{}, file)
	return nil
}

// downloadFor finds the platform's file: this server's own executable for
// its own platform, else the release directory's archive whose SHA-256 is
// the one SHA256SUMS gives (a file that doesn't match isn't offered).
func (s *Server) downloadFor(platform string) (downloadFile, error) {
	url := strings.Replace(api.DownloadRoute, "{platform}", strings.Replace(platform, "/", "-", 1), 1)
	missing := downloadFile{Download: api.Download{Platform: platform}}
	if platform == runtime.GOOS+"/"+runtime.GOARCH {
		return s.ownExecutable(platform, url)
	}
	if s.cfg.Downloads == "" {
		return missing, nil
	}
	sums, err := readSums(filepath.Join(s.cfg.Downloads, "SHA256SUMS"))
	if err != nil {
		return missing, err
	}
	goos, goarch, _ := strings.Cut(platform, "/")
	for name, want := range sums {
		if !strings.HasSuffix(name, "_"+goos+"_"+goarch+".tar.gz") && !strings.HasSuffix(name, "_"+goos+"_"+goarch+".zip") {
			continue
		}
		path := filepath.Join(s.cfg.Downloads, name)
		info, err := os.Stat(path)
		if err != nil {
			continue // listed but not there: unavailable
		}
		sum, err := s.sums.sum(path, info)
		if err != nil {
			return missing, err
		}
		if sum != want {
			continue // not what the release made: never offered
		}
		return downloadFile{path: path, Download: api.Download{Platform: platform, Available: true, File: name,
			Size: info.Size(), SHA256: sum, URL: url, Kind: "archive"}}, nil
	}
	return missing, nil
}

func (s *Server) ownExecutable(platform, url string) (downloadFile, error) {
	path, err := os.Executable()
	if err != nil {
		return downloadFile{}, fmt.Errorf("this server's executable: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return downloadFile{}, fmt.Errorf("this server's executable: %w", err)
	}
	sum, err := s.sums.sum(path, info)
	if err != nil {
		return downloadFile{}, err
	}
	name := "tock"
	if strings.HasPrefix(platform, "windows/") {
		name = "tock.exe"
	}
	return downloadFile{path: path, Download: api.Download{Platform: platform, Available: true, File: name,
		Size: info.Size(), SHA256: sum, URL: url, Kind: "executable"}}, nil
}

// readSums reads a sha256sum file: "<hex>  <name>" per line. A release
// directory without one offers nothing.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		name = strings.TrimPrefix(name, "*")
		if ok && len(sum) == 64 && name == filepath.Base(name) {
			sums[name] = strings.ToLower(sum)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return sums, nil
}

package api

// The agent for download. `tock serve` always offers its own executable for
// its own platform; the other platforms' archives come from the release
// directory `make release` writes (Config.Downloads: tock_<version>_<os>_<arch>
// .tar.gz or .zip, and SHA256SUMS). Anyone signed in who is an active member
// of an organization may download: the binary holds no secret, and the
// members are the people who need it; the listing and files are not public
// so that an appliance on the internet doesn't hand its build to strangers.
const (
	DownloadsRoute = "/api/tock/downloads"
	DownloadRoute  = "/api/tock/downloads/{platform}"
)

// Downloads is the answer of DownloadsRoute.
type Downloads struct {
	Version string     `json:"version"`
	Files   []Download `json:"files"`
}

// Download is one platform's file, or its absence (Available false, the
// other fields empty): a missing platform is listed, never a broken link.
type Download struct {
	Platform  string `json:"platform"` // "linux/amd64"
	Available bool   `json:"available"`
	File      string `json:"file"` // the name to save it as
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
	Kind      string `json:"kind"` // "executable" (this server's own) or "archive"
}

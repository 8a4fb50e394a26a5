// Package perms holds Tock's role matrix (permissions.tsv) as data and the pure
// functions that decide, from it, what one person may do inside one organization.
//
// It deliberately imports nothing outside the standard library so that the server,
// the agent and tests can share the same decisions without pulling in PocketBase.
package perms

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Role is one column of the matrix: an effective role, not a stored membership value
// (see Actor.Roles for how stored roles map onto columns).
type Role string

const (
	RoleOwner          Role = "owner"
	RoleOrgManager     Role = "org_manager"
	RoleUser           Role = "user"
	RoleProjectManager Role = "project_manager"
	RoleProjectViewer  Role = "project_viewer"
	RoleTeamLead       Role = "team_lead"
)

// Column indexes; the matrix is stored as arrays indexed by them so that a decision
// needs no map lookup per role and no allocation.
const (
	colOwner = iota
	colOrgManager
	colUser
	colProjectManager
	colProjectViewer
	colTeamLead
	numRoles
)

// Roles returns the matrix columns in TSV order.
func Roles() []Role {
	return []Role{RoleOwner, RoleOrgManager, RoleUser, RoleProjectManager, RoleProjectViewer, RoleTeamLead}
}

func roleIndex(r Role) (int, bool) {
	switch r {
	case RoleOwner:
		return colOwner, true
	case RoleOrgManager:
		return colOrgManager, true
	case RoleUser:
		return colUser, true
	case RoleProjectManager:
		return colProjectManager, true
	case RoleProjectViewer:
		return colProjectViewer, true
	case RoleTeamLead:
		return colTeamLead, true
	}
	return 0, false
}

func roleAt(col int) Role {
	switch col {
	case colOwner:
		return RoleOwner
	case colOrgManager:
		return RoleOrgManager
	case colUser:
		return RoleUser
	case colProjectManager:
		return RoleProjectManager
	case colProjectViewer:
		return RoleProjectViewer
	case colTeamLead:
		return RoleTeamLead
	}
	return ""
}

// settingPrefix names the owner of a when_enabled toggle. The org manager's and the
// team lead's prefixes are part of the product contract (managers_view_screenshots);
// the others only exist so that any well-formed matrix yields distinct names.
func settingPrefix(col int) string {
	switch col {
	case colOwner:
		return "owners"
	case colOrgManager:
		return "managers"
	case colUser:
		return "users"
	case colProjectManager:
		return "project_managers"
	case colProjectViewer:
		return "project_viewers"
	case colTeamLead:
		return "team_leads"
	}
	return ""
}

// Cell is the value at one feature × role intersection.
type Cell string

const (
	CellAll             Cell = "all"
	CellAssigned        Cell = "assigned"
	CellSelf            Cell = "self"
	CellWhenEnabled     Cell = "when_enabled"
	CellSetting         Cell = "setting"
	CellLimited         Cell = "limited"
	CellTeam            Cell = "team"
	CellTeamWhenEnabled Cell = "team_when_enabled"
	CellNone            Cell = "none"
)

func validCell(c Cell) bool {
	switch c {
	case CellAll, CellAssigned, CellSelf, CellWhenEnabled, CellSetting, CellLimited,
		CellTeam, CellTeamWhenEnabled, CellNone:
		return true
	}
	return false
}

// Feature is a row of the matrix, keyed by its exact label in the TSV.
type Feature string

// SettingAllowScreenshotDelete is the organization toggle read by every `setting` and
// `limited` cell (docs/PERMISSIONS.md, "Cells and scopes").
const SettingAllowScreenshotDelete = "allow_screenshot_delete"

// header is the exact first line Parse expects, so that a reordered or renamed column
// can never be read silently into the wrong role.
const header = "category\tfeature\towner\torg_manager\tuser\tproject_manager\tproject_viewer\tteam_lead"

const numColumns = 2 + numRoles

// Row is one matrix row as handed out to callers; Cells is a fresh map per call.
type Row struct {
	Category string
	Feature  Feature
	Cells    map[Role]Cell
}

type row struct {
	category string
	feature  Feature
	cells    [numRoles]Cell
	// settings holds, per column, the toggle that column's cell reads ("" if none),
	// computed once at parse time so that Decide never builds a string.
	settings [numRoles]string
}

// Matrix is a parsed permissions.tsv. It is never modified after Parse returns, so a
// single value may be shared by any number of goroutines.
type Matrix struct {
	rows    []row
	index   map[Feature]int
	toggles []string
}

// ParseError locates a problem in the TSV so a bad edit to the spec can be fixed
// from the message alone.
type ParseError struct {
	Line int // 1-based
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error {
	return e.Err
}

// maxLine bounds a single TSV line; the real file's longest line is under 100 bytes,
// so anything near this is not a matrix.
const maxLine = 64 * 1024

// Parse reads a matrix in the format of permissions.tsv. It is strict because a
// silently misread cell is a security bug: the first line must be exactly header,
// every row must have 8 tab-separated fields with known cell values, and feature
// names must be unique (also after slugging, since toggle names derive from them).
// Errors carry a *ParseError with the 1-based line number.
func Parse(r io.Reader) (*Matrix, error) {
	if r == nil {
		return nil, fmt.Errorf("perms: parse matrix: nil reader")
	}

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)

	m := &Matrix{index: map[Feature]int{}}
	slugs := map[string]int{} // slug -> line, to name both lines on a clash
	lines := map[Feature]int{}

	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")

		if line == 1 {
			if text != header {
				return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{line, fmt.Errorf("header %q, want %q", text, header)})
			}
			continue
		}

		rw, err := parseRow(text)
		if err != nil {
			return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{line, err})
		}

		if prev, ok := lines[rw.feature]; ok {
			return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{line, fmt.Errorf("duplicate feature %q (first on line %d)", rw.feature, prev)})
		}
		sl := slug(string(rw.feature))
		if prev, ok := slugs[sl]; ok {
			return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{line, fmt.Errorf("feature %q has the same setting slug %q as line %d", rw.feature, sl, prev)})
		}
		lines[rw.feature] = line
		slugs[sl] = line

		for col, c := range rw.cells {
			switch c {
			case CellWhenEnabled, CellTeamWhenEnabled:
				rw.settings[col] = settingPrefix(col) + "_" + sl
			case CellSetting, CellLimited:
				rw.settings[col] = SettingAllowScreenshotDelete
			}
		}

		m.index[rw.feature] = len(m.rows)
		m.rows = append(m.rows, rw)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{line + 1, err})
	}
	if line == 0 {
		return nil, fmt.Errorf("perms: parse matrix: %w", &ParseError{1, fmt.Errorf("missing header")})
	}

	for _, rw := range m.rows {
		for _, s := range rw.settings {
			if s != "" {
				m.toggles = append(m.toggles, s)
			}
		}
	}
	slices.Sort(m.toggles)
	m.toggles = slices.Compact(m.toggles)

	return m, nil
}

func parseRow(text string) (row, error) {
	var rw row

	fields := strings.Split(text, "\t")
	if len(fields) != numColumns {
		return rw, fmt.Errorf("%d columns, want %d", len(fields), numColumns)
	}

	rw.category = fields[0]
	rw.feature = Feature(fields[1])
	if rw.category == "" || strings.TrimSpace(rw.category) != rw.category {
		return rw, fmt.Errorf("category %q is empty or has surrounding spaces", rw.category)
	}
	if rw.feature == "" || strings.TrimSpace(string(rw.feature)) != string(rw.feature) {
		return rw, fmt.Errorf("feature %q is empty or has surrounding spaces", rw.feature)
	}
	if slug(string(rw.feature)) == "" {
		// Without a slug a when_enabled cell would read a setting named just "managers_".
		return rw, fmt.Errorf("feature %q has no ASCII letter or digit", rw.feature)
	}

	for col := range numRoles {
		c := Cell(fields[2+col])
		if !validCell(c) {
			return rw, fmt.Errorf("feature %q: unknown cell %q in column %s", rw.feature, c, roleAt(col))
		}
		rw.cells[col] = c
	}

	return rw, nil
}

// slug turns a feature label into the part of a toggle name that follows the role
// prefix: lowercased, every run of characters outside [a-z0-9] collapsed to "_",
// and trimmed of "_" (so "Manage Pay/Bill Rates" → "manage_pay_bill_rates").
func slug(feature string) string {
	var b strings.Builder
	b.Grow(len(feature))
	pending := false
	for _, r := range strings.ToLower(feature) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}

//go:embed permissions.tsv
var embeddedTSV string

// defaultMatrix parses the embedded file once; a string embed and a OnceValue keep
// the package free of state that anything could mutate.
var defaultMatrix = sync.OnceValue(func() *Matrix {
	m, err := Parse(strings.NewReader(embeddedTSV))
	if err != nil {
		// The file is compiled in and covered by TestDefault, so this can only be
		// reached by shipping a broken permissions.tsv.
		panic(fmt.Errorf("perms: embedded permissions.tsv: %w", err))
	}
	return m
})

// Default returns the matrix compiled into the binary. The returned value is shared
// and must be treated as read-only (no method mutates it).
func Default() *Matrix {
	return defaultMatrix()
}

// Rows returns the rows in TSV order. The result is a copy: changing it does not
// change the matrix.
func (m *Matrix) Rows() []Row {
	if m == nil {
		return nil
	}
	out := make([]Row, len(m.rows))
	for i, rw := range m.rows {
		cells := make(map[Role]Cell, numRoles)
		for col, c := range rw.cells {
			cells[roleAt(col)] = c
		}
		out[i] = Row{Category: rw.category, Feature: rw.feature, Cells: cells}
	}
	return out
}

// Cell returns the raw cell for a feature and role; false if either is unknown.
func (m *Matrix) Cell(f Feature, r Role) (Cell, bool) {
	rw, col, ok := m.lookup(f, r)
	if !ok {
		return "", false
	}
	return rw.cells[col], true
}

// SettingFor returns the organization toggle the cell for f and r depends on, and
// false if that cell does not depend on one (or f or r is unknown).
func (m *Matrix) SettingFor(f Feature, r Role) (string, bool) {
	rw, col, ok := m.lookup(f, r)
	if !ok || rw.settings[col] == "" {
		return "", false
	}
	return rw.settings[col], true
}

// Toggles returns, sorted and without duplicates, every toggle any cell reads. An
// organization needs exactly one boolean setting per entry for the matrix to work.
func (m *Matrix) Toggles() []string {
	if m == nil {
		return nil
	}
	return slices.Clone(m.toggles)
}

func (m *Matrix) lookup(f Feature, r Role) (*row, int, bool) {
	if m == nil {
		return nil, 0, false
	}
	i, ok := m.index[f]
	if !ok {
		return nil, 0, false
	}
	col, ok := roleIndex(r)
	if !ok {
		return nil, 0, false
	}
	return &m.rows[i], col, true
}

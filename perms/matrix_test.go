package perms

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDefault(t *testing.T) {
	t.Parallel()

	m := Default()
	if m == nil {
		t.Fatal("Expected the embedded matrix, got nil")
	}

	if n := len(m.Rows()); n != 86 {
		t.Fatalf("Expected 86 rows, got %d", n)
	}

	if m2 := Default(); m2 != m {
		t.Fatal("Expected Default to return the same parsed value on every call")
	}
}

// The spec lives outside the repository, so the embedded copy can silently go stale;
// this catches that on any machine that has both.
func TestEmbeddedMatchesSpec(t *testing.T) {
	t.Parallel()

	dir := os.Getenv("TOCK_SPEC_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "spec")
	}
	path := filepath.Join(dir, "permissions.tsv")

	spec, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("spec %s not found (it lives outside the repository; set TOCK_SPEC_DIR to check the embedded copy against it)", path)
	}
	if err != nil {
		t.Fatal(err)
	}

	if !bytes.Equal(spec, []byte(embeddedTSV)) {
		t.Fatalf("Expected perms/permissions.tsv to be a byte copy of %s; copy it again", path)
	}
}

func TestParseValid(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		name  string
		input string
		rows  int
	}{
		{"header only", header + "\n", 0},
		{"header without newline", header, 0},
		{"one row", header + "\nC\tDo X\tall\tnone\tself\tassigned\tnone\tteam\n", 1},
		{"crlf", header + "\r\nC\tDo X\tall\tnone\tself\tassigned\tnone\tteam\r\nC\tDo Y\tsetting\tlimited\twhen_enabled\tteam_when_enabled\tnone\tnone\r\n", 2},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(s.input))
			if err != nil {
				t.Fatalf("Expected no error, got %v", err)
			}
			if n := len(m.Rows()); n != s.rows {
				t.Fatalf("Expected %d rows, got %d", s.rows, n)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()

	const ok = "C\tDo X\tall\tnone\tself\tassigned\tnone\tteam"

	scenarios := []struct {
		name     string
		input    string
		line     int
		contains string
	}{
		{"empty", "", 1, "missing header"},
		{"bad header", strings.Replace(header, "owner", "admin", 1) + "\n" + ok, 1, "header"},
		{"reordered header", "category\tfeature\torg_manager\towner\tuser\tproject_manager\tproject_viewer\tteam_lead\n", 1, "header"},
		{"too few columns", header + "\n" + ok + "\nC\tDo Y\tall\tall\n", 3, "4 columns, want 8"},
		{"too many columns", header + "\nC\tDo Y\tall\tall\tall\tall\tall\tall\tall\n", 2, "9 columns, want 8"},
		{"blank line", header + "\n" + ok + "\n\n", 3, "1 columns, want 8"},
		{"unknown cell", header + "\n" + ok + "\nC\tDo Y\tall\tall\tyes\tall\tall\tall\n", 3, `unknown cell "yes" in column user`},
		{"unknown cell case", header + "\nC\tDo Y\tall\tall\tall\tall\tall\tAll\n", 2, `unknown cell "All" in column team_lead`},
		{"empty cell", header + "\nC\tDo Y\tall\t\tall\tall\tall\tall\n", 2, `unknown cell "" in column org_manager`},
		{"duplicate feature", header + "\n" + ok + "\nD\tDo Z\tall\tall\tall\tall\tall\tall\n" + ok + "\n", 4, `duplicate feature "Do X" (first on line 2)`},
		{"duplicate slug", header + "\n" + ok + "\nC\tdo-x\tall\tall\tall\tall\tall\tall\n", 3, `same setting slug "do_x" as line 2`},
		{"empty feature", header + "\nC\t\tall\tall\tall\tall\tall\tall\n", 2, "feature"},
		{"spaced feature", header + "\nC\tDo X \tall\tall\tall\tall\tall\tall\n", 2, "surrounding spaces"},
		{"empty category", header + "\n\tDo X\tall\tall\tall\tall\tall\tall\n", 2, "category"},
		{"feature without slug", header + "\nC\t//\tall\tall\tall\tall\tall\tall\n", 2, "no ASCII letter or digit"},
		{"overlong line", header + "\n" + strings.Repeat("x", maxLine+1) + "\n", 2, "too long"},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(s.input))
			if err == nil {
				t.Fatalf("Expected error, got matrix with %d rows", len(m.Rows()))
			}
			if m != nil {
				t.Fatalf("Expected nil matrix with the error, got %v", m)
			}

			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Expected a *ParseError in %v", err)
			}
			if pe.Line != s.line {
				t.Fatalf("Expected line %d, got %d (%v)", s.line, pe.Line, err)
			}
			if want := fmt.Sprintf("line %d: ", s.line); !strings.Contains(err.Error(), want) {
				t.Fatalf("Expected %q in %q", want, err)
			}
			if !strings.Contains(err.Error(), s.contains) {
				t.Fatalf("Expected %q in %q", s.contains, err)
			}
		})
	}
}

func TestParseReaderError(t *testing.T) {
	t.Parallel()

	boom := errors.New("boom")

	_, err := Parse(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Fatalf("Expected the reader's error to be wrapped, got %v", err)
	}

	if _, err := Parse(nil); err == nil {
		t.Fatal("Expected an error for a nil reader")
	}
}

func TestRowsIsACopy(t *testing.T) {
	t.Parallel()

	m := Default()

	rows := m.Rows()
	rows[0].Cells[RoleTeamLead] = CellAll
	rows[0].Feature = "changed"
	rows[1] = Row{}

	again := m.Rows()
	if again[0].Feature != CreateAnOrganization || again[0].Cells[RoleTeamLead] != CellNone {
		t.Fatalf("Expected the matrix to be unaffected, got %+v", again[0])
	}
	if again[1].Feature != EditOrganization {
		t.Fatalf("Expected the matrix to be unaffected, got %+v", again[1])
	}
	if c, _ := m.Cell(CreateAnOrganization, RoleTeamLead); c != CellNone {
		t.Fatalf("Expected none, got %q", c)
	}

	toggles := m.Toggles()
	toggles[0] = "changed"
	if m.Toggles()[0] == "changed" {
		t.Fatal("Expected Toggles to return a copy")
	}
}

func TestRowsMatchTSV(t *testing.T) {
	t.Parallel()

	lines := strings.Split(strings.TrimSuffix(embeddedTSV, "\n"), "\n")[1:]
	rows := Default().Rows()
	if len(rows) != len(lines) {
		t.Fatalf("Expected %d rows, got %d", len(lines), len(rows))
	}

	for i, line := range lines {
		fields := strings.Split(line, "\t")
		r := rows[i]
		if r.Category != fields[0] || string(r.Feature) != fields[1] {
			t.Fatalf("Row %d: expected %q/%q, got %q/%q", i, fields[0], fields[1], r.Category, r.Feature)
		}
		if len(r.Cells) != 6 {
			t.Fatalf("Row %d: expected 6 cells, got %d", i, len(r.Cells))
		}
		for col, role := range Roles() {
			if got := r.Cells[role]; string(got) != fields[2+col] {
				t.Fatalf("Row %d %s: expected %q, got %q", i, role, fields[2+col], got)
			}
		}
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()

	want := []Role{"owner", "org_manager", "user", "project_manager", "project_viewer", "team_lead"}
	if got := Roles(); !slices.Equal(got, want) {
		t.Fatalf("Expected %v, got %v", want, got)
	}

	header := strings.Split(strings.SplitN(embeddedTSV, "\n", 2)[0], "\t")
	for i, r := range Roles() {
		if header[2+i] != string(r) {
			t.Fatalf("Expected column %d to be %q, got %q", i, r, header[2+i])
		}
	}
}

func TestCell(t *testing.T) {
	t.Parallel()

	m := Default()

	scenarios := []struct {
		feature  Feature
		role     Role
		expected Cell
		ok       bool
	}{
		{CreateAnOrganization, RoleOwner, CellAll, true},
		{CreateAnOrganization, RoleTeamLead, CellNone, true},
		{LeaveOrganization, RoleOwner, CellNone, true},
		{ViewScreenshots, RoleOrgManager, CellWhenEnabled, true},
		{ViewScreenshots, RoleUser, CellSelf, true},
		{DeleteScreenshots, RoleOwner, CellSetting, true},
		{DeleteScreenshots, RoleProjectManager, CellLimited, true},
		{ViewWorkBreaksInTimesheets, RoleTeamLead, CellTeam, true},
		{CreateClientInvoices, RoleTeamLead, CellTeamWhenEnabled, true},
		{"No Such Feature", RoleOwner, "", false},
		{CreateAnOrganization, "admin", "", false},
		{CreateAnOrganization, "", "", false},
	}

	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.feature, s.role), func(t *testing.T) {
			c, ok := m.Cell(s.feature, s.role)
			if c != s.expected || ok != s.ok {
				t.Fatalf("Expected (%q, %v), got (%q, %v)", s.expected, s.ok, c, ok)
			}
		})
	}
}

func TestSettingFor(t *testing.T) {
	t.Parallel()

	m := Default()

	scenarios := []struct {
		feature  Feature
		role     Role
		expected string
		ok       bool
	}{
		{ViewScreenshots, RoleOrgManager, "managers_view_screenshots", true},
		{InviteUsers, RoleTeamLead, "team_leads_invite_users", true},
		{ManagePayBillRates, RoleOrgManager, "managers_manage_pay_bill_rates", true},
		{CreateClientInvoices, RoleTeamLead, "team_leads_create_client_invoices", true},
		{ApproveRequestTimeOffRequests, RoleTeamLead, "team_leads_approve_request_time_off_requests", true},
		{DeleteScreenshots, RoleOwner, SettingAllowScreenshotDelete, true},
		{DeleteScreenshots, RoleOrgManager, SettingAllowScreenshotDelete, true},
		{DeleteScreenshots, RoleUser, SettingAllowScreenshotDelete, true},
		{ModifyScreenshots, RoleProjectManager, SettingAllowScreenshotDelete, true},
		{DeleteScreenshots, RoleTeamLead, "", false},    // assigned
		{ViewScreenshots, RoleOwner, "", false},         // all
		{ViewScreenshots, RoleUser, "", false},          // self
		{CreateAnOrganization, RoleTeamLead, "", false}, // none
		{"No Such Feature", RoleOrgManager, "", false},
		{ViewScreenshots, "manager", "", false},
	}

	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.feature, s.role), func(t *testing.T) {
			name, ok := m.SettingFor(s.feature, s.role)
			if name != s.expected || ok != s.ok {
				t.Fatalf("Expected (%q, %v), got (%q, %v)", s.expected, s.ok, name, ok)
			}
		})
	}
}

func TestSettingForEveryCell(t *testing.T) {
	t.Parallel()

	m := Default()
	for _, r := range m.Rows() {
		for _, role := range Roles() {
			name, ok := m.SettingFor(r.Feature, role)
			switch c := r.Cells[role]; c {
			case CellSetting, CellLimited:
				if name != SettingAllowScreenshotDelete || !ok {
					t.Errorf("%s/%s (%s): expected %q, got %q", r.Feature, role, c, SettingAllowScreenshotDelete, name)
				}
			case CellWhenEnabled, CellTeamWhenEnabled:
				prefix := map[Role]string{RoleOrgManager: "managers_", RoleTeamLead: "team_leads_"}[role]
				if prefix == "" || !ok || name != prefix+slug(string(r.Feature)) {
					t.Errorf("%s/%s (%s): unexpected setting %q", r.Feature, role, c, name)
				}
			default:
				if ok || name != "" {
					t.Errorf("%s/%s (%s): expected no setting, got %q", r.Feature, role, c, name)
				}
			}
		}
	}
}

func TestToggles(t *testing.T) {
	t.Parallel()

	toggles := Default().Toggles()

	for _, want := range []string{"managers_view_screenshots", "allow_screenshot_delete", "team_leads_invite_users", "managers_manage_pay_bill_rates"} {
		if !slices.Contains(toggles, want) {
			t.Errorf("Expected %q in %v", want, toggles)
		}
	}
	if !slices.IsSorted(toggles) {
		t.Fatalf("Expected sorted toggles, got %v", toggles)
	}
	if len(slices.Compact(slices.Clone(toggles))) != len(toggles) {
		t.Fatalf("Expected unique toggles, got %v", toggles)
	}

	// Every toggle must be read by some cell and every cell's setting must be listed,
	// or the organization would carry a dead field or lack a live one.
	read := map[string]bool{}
	m := Default()
	for _, r := range m.Rows() {
		for _, role := range Roles() {
			if name, ok := m.SettingFor(r.Feature, role); ok {
				read[name] = true
				if !slices.Contains(toggles, name) {
					t.Errorf("Expected %q (%s/%s) in Toggles", name, r.Feature, role)
				}
			}
		}
	}
	if len(read) != len(toggles) {
		t.Fatalf("Expected %d toggles, got %d", len(read), len(toggles))
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		input    string
		expected string
	}{
		{"View Screenshots", "view_screenshots"},
		{"Manage Pay/Bill Rates", "manage_pay_bill_rates"},
		{"Modify (Move/Reassign/Delete) Screenshots", "modify_move_reassign_delete_screenshots"},
		{"Transfer Projects (Same Account)", "transfer_projects_same_account"},
		{"  --Re-authenticate   integration!! ", "re_authenticate_integration"},
		{"Café 2 Go", "caf_2_go"},
		{"", ""},
		{"///", ""},
	}

	for _, s := range scenarios {
		t.Run(s.input, func(t *testing.T) {
			if got := slug(s.input); got != s.expected {
				t.Fatalf("Expected %q, got %q", s.expected, got)
			}
		})
	}
}

func TestNilMatrix(t *testing.T) {
	t.Parallel()

	var m *Matrix
	if m.Rows() != nil || m.Toggles() != nil {
		t.Fatal("Expected nil slices from a nil matrix")
	}
	if _, ok := m.Cell(ViewScreenshots, RoleOwner); ok {
		t.Fatal("Expected no cell from a nil matrix")
	}
	if _, ok := m.SettingFor(ViewScreenshots, RoleOrgManager); ok {
		t.Fatal("Expected no setting from a nil matrix")
	}
	if d := m.Decide(Actor{UserID: "u", OrgRole: "owner"}, ViewScreenshots, Target{}, nil); d.Allowed {
		t.Fatal("Expected a nil matrix to deny")
	}
	if sc := m.Scope(Actor{UserID: "u", OrgRole: "owner"}, ViewScreenshots, nil); !sc.Empty() {
		t.Fatalf("Expected an empty scope from a nil matrix, got %+v", sc)
	}
}

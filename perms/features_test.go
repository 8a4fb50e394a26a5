package perms

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAllFeaturesMatchTSV(t *testing.T) {
	t.Parallel()

	var tsv []Feature
	for _, r := range Default().Rows() {
		tsv = append(tsv, r.Feature)
	}

	all := AllFeatures()
	if !slices.Equal(all, tsv) {
		for i := range max(len(all), len(tsv)) {
			var a, b Feature
			if i < len(all) {
				a = all[i]
			}
			if i < len(tsv) {
				b = tsv[i]
			}
			if a != b {
				t.Errorf("Position %d: constant %q, TSV %q", i, a, b)
			}
		}
		t.Fatalf("Expected AllFeatures to list the %d TSV features in order, got %d", len(tsv), len(all))
	}

	all[0] = "changed"
	if AllFeatures()[0] != CreateAnOrganization {
		t.Fatal("Expected AllFeatures to return a fresh slice")
	}
}

// TestFeatureConstants reads features.go itself, so that a constant added without a
// TSV row (or listed out of AllFeatures) and a name that drifts from its label are
// caught, which no runtime check of the values alone could do.
func TestFeatureConstants(t *testing.T) {
	t.Parallel()

	file, err := parser.ParseFile(token.NewFileSet(), "features.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}

	declared := map[Feature]string{} // value -> constant name
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Feature" {
				t.Fatalf("Expected every constant in features.go to be typed Feature, got %v", vs.Names)
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("Expected %s to be a string literal", name.Name)
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				if prev, ok := declared[Feature(value)]; ok {
					t.Fatalf("Expected one constant per feature, %s and %s are both %q", prev, name.Name, value)
				}
				declared[Feature(value)] = name.Name

				if want := goName(value); name.Name != want {
					t.Errorf("Expected the constant for %q to be named %s, got %s", value, want, name.Name)
				}
			}
		}
	}

	all := AllFeatures()
	if len(declared) != len(all) {
		t.Fatalf("Expected %d constants (one per AllFeatures entry), got %d", len(all), len(declared))
	}
	for _, f := range all {
		if _, ok := declared[f]; !ok {
			t.Errorf("Expected a constant for %q", f)
		}
	}
}

func TestGoName(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		input    string
		expected string
	}{
		{"Create an Organization", "CreateAnOrganization"},
		{"View Screenshots", "ViewScreenshots"},
		{"Modify (Move/Reassign/Delete) Screenshots", "ModifyScreenshots"},
		{"Manage Pay/Bill Rates", "ManagePayBillRates"},
		{"Approve/Request Time Off Requests", "ApproveRequestTimeOffRequests"},
		{"Transfer Projects (Same Account)", "TransferProjects"},
		{"View URLs", "ViewURLs"},
		{"Re-authenticate integration", "ReAuthenticateIntegration"},
	}

	for _, s := range scenarios {
		t.Run(s.input, func(t *testing.T) {
			if got := goName(s.input); got != s.expected {
				t.Fatalf("Expected %s, got %s", s.expected, got)
			}
		})
	}
}

// goName is the naming rule for features.go: parenthesised asides are dropped (they
// qualify the label but would make names unwieldy), the rest is split on anything
// that is not an ASCII letter or digit, and each word is capitalised in place.
func goName(feature string) string {
	var b strings.Builder
	depth := 0
	wordStart := true
	for _, r := range feature {
		switch {
		case r == '(':
			depth++
			wordStart = true
		case r == ')':
			depth = max(depth-1, 0)
			wordStart = true
		case depth > 0:
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			if wordStart && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			wordStart = false
		default:
			wordStart = true
		}
	}
	return b.String()
}

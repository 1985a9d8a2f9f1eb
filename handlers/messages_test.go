package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// messageKeys finds the message keys the code answers with: the literal
// keys of every Errorf (cases.Errorf) and renderError call in the packages
// whose errors reach a user. A key built as a literal prefix plus a state
// ("handover_not_allowed." + state) stands for the prefix with every state.
func messageKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"../cases", "../storage", "../auth", "."} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				arg := -1
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					if fn.Name == "Errorf" {
						arg = 1
					}
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "cases" && fn.Sel.Name == "Errorf" {
						arg = 1
					} else if fn.Sel.Name == "renderError" {
						arg = 2
					}
				}
				if arg < 0 || len(call.Args) <= arg {
					return true
				}
				where := fset.Position(call.Pos()).String()
				switch a := call.Args[arg].(type) {
				case *ast.BasicLit:
					key, _ := strconv.Unquote(a.Value)
					keys[key] = where
				case *ast.BinaryExpr:
					if lit, ok := a.X.(*ast.BasicLit); ok {
						prefix, _ := strconv.Unquote(lit.Value)
						for _, s := range cases.HandoverStates {
							keys[prefix+s] = where
						}
					}
				}
				return true
			})
		}
	}
	return keys
}

// Every message a user can get exists in Dutch and in English.
func TestEveryMessageIsTranslated(t *testing.T) {
	t.Parallel()
	keys := messageKeys(t)
	for _, must := range []string{"not_found", "csrf", "busy", "handover_not_allowed.requested", "route_not_found"} {
		if _, ok := keys[must]; !ok {
			t.Fatalf("the scan missed %q: it finds %d keys", must, len(keys))
		}
	}
	i, err := newI18n()
	if err != nil {
		t.Fatal(err)
	}
	for key, where := range keys {
		for _, lang := range []string{langNL, langEN} {
			if _, ok := i.catalogue[lang][key]; !ok {
				t.Errorf("%s: %q has no %s message", where, key, lang)
			}
		}
	}
}

package hyperlane

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestEveryLiveCheckIsObeyed keeps the released-Context guard honest:
// live() reports whether the Context still belongs to its request, and a
// call whose answer is dropped (`c.live()` as a statement) lets a late
// goroutine through to another request's state.
func TestEveryLiveCheckIsObeyed(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			stmt, ok := n.(*ast.ExprStmt)
			if !ok {
				return true
			}
			call, ok := stmt.X.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "live" {
				t.Errorf("%s: live() called as a statement: its answer must decide whether the call goes on", fset.Position(call.Pos()))
			}
			return true
		})
	}
}

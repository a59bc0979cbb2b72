package build

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// On 32-bit ARM the 64-bit functions of sync/atomic fault unless their operand
// is 64-bit aligned, which Go guarantees only for the first word of an
// allocation (https://pkg.go.dev/sync/atomic#pkg-note-BUG). The typed
// atomic.Int64 and atomic.Uint64 are always aligned, so posd uses only those;
// this test finds any call to the untyped functions in the module's code.
func TestNoUnalignedAtomics(t *testing.T) {
	banned := map[string]bool{}
	for _, op := range []string{"Add", "Load", "Store", "Swap", "CompareAndSwap", "And", "Or"} {
		banned[op+"Int64"] = true
		banned[op+"Uint64"] = true
	}
	root := filepath.Join("..")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		atomicName := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "sync/atomic" {
				atomicName = "atomic"
				if imp.Name != nil {
					atomicName = imp.Name.Name
				}
			}
		}
		if atomicName == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == atomicName && banned[sel.Sel.Name] {
				t.Errorf("%s: atomic.%s can fault on 32-bit ARM; use atomic.Int64/atomic.Uint64", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("walked only %d Go files from %s; the test is looking in the wrong place", files, root)
	}
}

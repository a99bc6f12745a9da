package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/config"
	"zeren/internal/cycle"
	"zeren/internal/i18n"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// everyUnit is the command line's reach: it acts as the system, on every
// unit ("/" starts every path).
var everyUnit = []string{"/"}

// exportLedger writes a cycle's ledger (or one subtree's) to a workbook in
// the standard ledger's columns, a page of items at a time.
func exportLedger(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("export ledger", "--cycle ID [--unit ID] --out FILE.xlsx [--locale zh-CN|en] [--db DB] [--data DIR]",
		"Export a cycle's rectification ledger to an Excel workbook in the standard ledger's columns,\n"+
			"with the item id and version in hidden last columns, so that the edited file can be imported again.")
	c.DBFlags(fs)
	cycleID := fs.Int64("cycle", 0, "id of the cycle")
	unitID := fs.Int64("unit", 0, "only the items of this unit and its subtree")
	out := fs.String("out", "", "the workbook to write (.xlsx)")
	locale := fs.String("locale", i18n.Default, "language of the column titles and labels: zh-CN or en")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	switch {
	case *cycleID <= 0:
		return usagef("--cycle ID is required")
	case *out == "":
		return usagef("--out FILE.xlsx is required")
	case i18n.Supported(*locale) == "":
		return usagef("--locale must be one of %s", strings.Join(i18n.Locales, ", "))
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	cy, err := st.Cycle(e.ctx, *cycleID)
	if err != nil {
		return noSuch("cycle", err)
	}
	f := store.LedgerFilter{Scopes: everyUnit, CycleID: cy.ID, Limit: ledger.PageSize}
	if *unitID != 0 {
		u, err := st.Unit(e.ctx, *unitID)
		if err != nil {
			return noSuch("unit", err)
		}
		f.UnitPath = u.Path
	}
	xw, err := ledger.NewWriter(e.cat, i18n.Supported(*locale))
	if err != nil {
		return err
	}
	defer xw.Close()
	err = xw.AddAll(func(after string) ([]rectification.Rectification, string, error) {
		f.After = after
		return st.Ledger(e.ctx, f)
	})
	if err != nil {
		return err
	}
	if err := writeFile(*out, xw); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d items of cycle %d written to %s\n", xw.Rows(), cy.ID, *out)
	return nil
}

// noSuch turns a missing cycle or unit into an error naming the flag.
func noSuch(flag string, err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(flag, "err.not_found")
	}
	return err
}

// writeFile writes the workbook beside its destination and renames it into
// place, so that a failed export leaves no half-written file.
func writeFile(path string, xw *ledger.Writer) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".zeren-ledger-*.xlsx")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	if _, err := xw.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("--out: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// importLedger reads an edited ledger and updates plans and progress of the
// cycle's items, all or nothing, as the system: it names every bad row and
// imports nothing unless all are good.
func importLedger(e *env, args []string) error {
	in, err := e.openImport(args, "import ledger",
		"Import an edited ledger, as exported by 'zeren export ledger', into a cycle's items: measures,\n"+
			"owners, responsible leaders, deadlines, kinds, and new progress (recorded as an update). Rows are\n"+
			"matched by the item id column. Every row is checked first; nothing is imported unless all are valid.",
		"check the file and list what would change, without changing anything")
	if err != nil {
		return err
	}
	defer in.close()
	sheet, err := ledger.Read(in.file, e.cat)
	if err != nil {
		return err
	}
	res, err := action.New(in.st).ImportLedger(e.ctx, action.System(cliActor), in.cycle.ID, sheet, in.dry)
	if err != nil {
		return err
	}
	return e.reportImport(res)
}

// importInput is what an import command works on: the file named, the
// store and the cycle of --cycle, and whether it is a dry run.
type importInput struct {
	file  *os.File
	st    *store.Store
	cycle cycle.Cycle
	dry   bool
}

func (in importInput) close() {
	in.file.Close()
	in.st.Close()
}

// openImport parses an import command's FILE.xlsx --cycle ID [--dry-run]
// and opens the file, the store and the cycle.
func (e *env) openImport(args []string, name, help, dryHelp string) (importInput, error) {
	var in importInput
	c := config.Defaults()
	fs := e.flags(name, "FILE.xlsx --cycle ID [--dry-run] [--db DB] [--data DIR]", help)
	c.DBFlags(fs)
	cycleID := fs.Int64("cycle", 0, "id of the cycle")
	dry := fs.Bool("dry-run", false, dryHelp)
	words, err := e.parseN(fs, args, 1, "FILE.xlsx")
	if err != nil {
		return in, err
	}
	if *cycleID <= 0 {
		return in, usagef("--cycle ID is required")
	}
	in.dry = *dry
	if in.file, err = os.Open(words[0]); err != nil {
		return in, err
	}
	if in.st, err = e.openStore(c); err != nil {
		in.file.Close()
		return in, err
	}
	if in.cycle, err = in.st.Cycle(e.ctx, *cycleID); err != nil {
		in.close()
		return in, noSuch("cycle", err)
	}
	return in, nil
}

// reportImport prints each bad row, or each change, and a summary.
func (e *env) reportImport(res ledger.Result) error {
	for _, re := range res.Errors {
		fmt.Fprintf(e.stdout, "row %d: %s\n", re.Line, ledger.Message(e.cat, e.locale, re))
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("%d of %d rows have errors; nothing was imported", len(res.Errors), res.Rows)
	}
	for _, ch := range res.Changes {
		var what []string
		if len(ch.Fields) > 0 {
			names := make([]string, len(ch.Fields))
			for i, f := range ch.Fields {
				names[i] = string(f)
			}
			what = append(what, "plan ("+strings.Join(names, ", ")+")")
		}
		if ch.Progress != "" {
			what = append(what, "progress update")
		}
		fmt.Fprintf(e.stdout, "row %d: item %d: %s\n", ch.Line, ch.ID, strings.Join(what, ", "))
	}
	verb := "imported"
	if res.DryRun {
		verb = "dry run, nothing saved"
	}
	fmt.Fprintf(e.stdout, "%s: %d items changed (%d plans, %d progress updates), %d rows unchanged\n",
		verb, len(res.Changes), res.Plans(), res.Updates(), res.Unchanged)
	return nil
}

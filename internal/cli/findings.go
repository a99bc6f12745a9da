package cli

import (
	"fmt"

	"zeren/internal/action"
	"zeren/internal/finding"
	"zeren/internal/ledger"
)

// importFindings records the problems of an inspection feedback sheet as
// findings of a cycle, all or nothing, as the system: it names every bad
// row and records nothing unless all are good.
func importFindings(e *env, args []string) error {
	in, err := e.openImport(args, "import findings",
		"Import the problems of an inspection feedback (巡视巡察反馈) workbook as findings of a cycle, with the\n"+
			"source \"inspection feedback\", each with a rectification item to plan. Columns, found by their\n"+
			"titles in Chinese or English: unit (full name as in the unit tree, or id), area (optional, one of\n"+
			"the cycle's), severity (optional), problem (required), root cause (optional); the page\n"+
			"/cycles/ID/findings/import offers the template. Every row is checked first; nothing is imported\n"+
			"unless all are valid. Rows recorded by an earlier import are skipped.",
		"check the file and list what would be recorded, without changing anything")
	if err != nil {
		return err
	}
	defer in.close()
	// The cycle's severity scale says what the severity cells may hold.
	sheet, err := ledger.ReadFindings(in.file, e.cat, finding.Scale(in.cycle.Severities))
	if err != nil {
		return err
	}
	res, err := action.New(in.st).ImportFindings(e.ctx, action.System(cliActor), in.cycle.ID, sheet, in.dry)
	if err != nil {
		return err
	}
	return e.reportFindings(res)
}

// reportFindings prints each bad row, or each finding, and a summary.
func (e *env) reportFindings(res ledger.FindingsResult) error {
	for _, re := range res.Errors {
		fmt.Fprintf(e.stdout, "row %d: %s\n", re.Line, ledger.FindingsMessage(e.cat, e.locale, re))
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("%d of %d rows have errors; nothing was imported", len(res.Errors), res.Rows)
	}
	for _, nf := range res.Findings {
		if nf.ID != 0 {
			fmt.Fprintf(e.stdout, "row %d: finding %d, item %d: %s\n", nf.Line, nf.ID, nf.RectificationID, nf.UnitName)
		} else {
			fmt.Fprintf(e.stdout, "row %d: %s\n", nf.Line, nf.UnitName)
		}
	}
	for _, nf := range res.Existing {
		fmt.Fprintf(e.stdout, "row %d: %s: imported before, skipped\n", nf.Line, nf.UnitName)
	}
	verb := "imported"
	if res.DryRun {
		verb = "dry run, nothing saved"
	}
	fmt.Fprintf(e.stdout, "%s: %d findings recorded, %d rows imported before\n", verb, len(res.Findings), len(res.Existing))
	return nil
}

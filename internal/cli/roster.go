package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"zeren/internal/action"
	"zeren/internal/config"
	"zeren/internal/i18n"
	"zeren/internal/roster"
	"zeren/internal/spreadsheet"
)

func importUnits(e *env, args []string) error { return importRoster(e, args, roster.Units) }
func importUsers(e *env, args []string) error { return importRoster(e, args, roster.Users) }
func exportUnits(e *env, args []string) error { return exportRoster(e, args, roster.Units) }
func exportUsers(e *env, args []string) error { return exportRoster(e, args, roster.Users) }

const rosterHelp = "Columns, found by their titles in Chinese or English, in any order:\n" +
	"  units: number (编号, optional; matches an existing unit), name (名称), parent (上级单位: the\n" +
	"         parent's number or full name path such as 四川省委/绵阳市委; empty for a root),\n" +
	"         kind (类别, optional), leader (负责人, optional)\n" +
	"  users: login (登录名), name (姓名), phone (手机), email (邮箱), grants (授权: role@unit, several\n" +
	"         separated by ';' or line breaks; the unit by number or full name path), active (启用: 是/否)\n" +
	"A row names a unit by its number, else by parent and name, and a user by login; existing ones are\n" +
	"updated (a user's grants become the row's), missing ones created. Rows are read top down, so a\n" +
	"parent comes before its children. Every row is checked first; nothing is imported unless all\n" +
	"are valid, then all in one transaction. New users get a one-time set-password link (7 days)."

// importRoster brings a units or users sheet in as the system, all or
// nothing: it names every bad row and imports nothing unless all are good.
func importRoster(e *env, args []string, s roster.Sheet) error {
	c := config.Defaults()
	fs := e.flags("import "+string(s), "FILE.xlsx|FILE.csv [--dry-run] [--archive-missing] [--links FILE.csv] [--db DB] [--data DIR]",
		"Import the "+string(s)+" of an organization from an Excel workbook or a CSV file; `zeren export "+string(s)+"`\n"+
			"writes the same format, so an export edited and imported again is a sync.\n"+rosterHelp)
	c.DBFlags(fs)
	c.NotifyFlags(fs)
	dry := fs.Bool("dry-run", false, "check the file and list what would change, without changing anything")
	archive := fs.Bool("archive-missing", false, "archive the units (disable the users) that the file does not name")
	links := fs.String("links", "", "write the new users' set-password links to this CSV file instead of the standard output")
	words, err := e.parseN(fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A province's sheet is read whole; a soft limit makes the
		// collector work harder rather than let garbage double the heap.
		debug.SetMemoryLimit(320 << 20)
	}
	f, err := os.Open(words[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	opt := action.ImportOptions{DryRun: *dry, ArchiveMissing: *archive, Progress: e.progress("import " + string(s))}
	if _, ok := c.Email(); ok && s == roster.Users {
		// With a mail server, new users with an address get their link
		// by mail, from a job a running `zeren serve` sends.
		j, err := e.jobs(c, st, slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			return err
		}
		opt.MailLinks = j.MailPasswordLinks
	}
	acts, p := action.New(st), action.System(cliActor)
	var res roster.Result
	if s == roster.Units {
		sh, err := roster.ReadUnits(f, e.cat)
		if err != nil {
			return e.fileError(err)
		}
		res, err = acts.ImportUnits(e.ctx, p, sh, opt)
		if err != nil {
			return err
		}
	} else {
		sh, err := roster.ReadUsers(f, e.cat)
		if err != nil {
			return e.fileError(err)
		}
		res, err = acts.ImportUsers(e.ctx, p, sh, opt)
		if err != nil {
			return err
		}
	}
	return e.reportRoster(res, strings.TrimSuffix(c.BaseURL, "/"), *links)
}

// fileError is an error of the file as a whole, in words.
func (e *env) fileError(err error) error {
	if re := roster.NewRowError(0, roster.File, err); re.Err.Key != "err.bad_form" {
		return fmt.Errorf("%s", re.Message(e.cat, e.locale))
	}
	return err
}

// progress is a progress bar on the standard error, when it is a terminal.
func (e *env) progress(what string) func(done, total int) {
	f, ok := e.stderr.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	var last time.Time
	return func(done, total int) {
		if done < total && time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		n := width
		if total > 0 {
			n = done * width / total
		}
		fmt.Fprintf(e.stderr, "\r%s [%s%s] %d/%d", what, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		if done >= total {
			fmt.Fprintln(e.stderr)
		}
	}
}

// reportRoster prints each bad row, or each change, a summary, and the new
// users' links.
func (e *env) reportRoster(res roster.Result, base, linksFile string) error {
	for _, re := range res.Errors {
		fmt.Fprintln(e.stdout, re.Message(e.cat, e.locale))
	}
	if !res.OK() {
		return fmt.Errorf("%d of %d rows have errors; nothing was imported", len(res.Errors), res.Rows)
	}
	links := 0
	for _, ch := range res.Changes {
		if len(ch.Ops) == 1 && ch.Ops[0] == roster.Keep {
			continue
		}
		ops := make([]string, len(ch.Ops))
		for i, op := range ch.Ops {
			ops[i] = e.cat.T(e.locale, "roster.op."+string(op))
		}
		var fields []string
		for _, f := range ch.Fields {
			fields = append(fields, e.cat.T(e.locale, f.Key()))
		}
		where := "-"
		if ch.Line > 0 {
			where = fmt.Sprint(ch.Line)
		}
		line := fmt.Sprintf("row %s: %s: %s", where, ch.Name, strings.Join(ops, ", "))
		if len(fields) > 0 {
			line += " (" + strings.Join(fields, ", ") + ")"
		}
		if ch.Mailed {
			line += ": set-password link mailed"
		}
		fmt.Fprintln(e.stdout, line)
		if ch.Link != "" {
			links++
		}
	}
	var counts []string
	for _, op := range []roster.Op{roster.Create, roster.Update, roster.Move, roster.Restore, roster.Archive, roster.Disable, roster.Keep} {
		if n := res.Counts[op]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, e.cat.T("en", "roster.op."+string(op))))
		}
	}
	verb := "imported"
	if res.DryRun {
		verb = "dry run, nothing saved"
	}
	fmt.Fprintf(e.stdout, "%d rows: %s (%s)\n", res.Rows, strings.Join(counts, ", "), verb)
	if links == 0 {
		return nil
	}
	out, closeOut := io.Writer(e.stdout), func() error { return nil }
	if linksFile != "" {
		f, err := os.OpenFile(linksFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("the import is saved, but the links could not be written: %w", err)
		}
		out, closeOut = f, f.Close
	} else {
		fmt.Fprintln(e.stdout, "set-password links (shown once, valid 7 days):")
	}
	// The login goes through spreadsheet.Escape below.
	w := csv.NewWriter(out)
	for _, ch := range res.Changes {
		if ch.Link == "" {
			continue
		}
		if err := w.Write([]string{spreadsheet.Escape(ch.Name), base + "/password/" + ch.Link}); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if linksFile != "" {
		fmt.Fprintf(e.stdout, "%d set-password links written to %s (valid 7 days)\n", links, linksFile)
	}
	return closeOut()
}

// exportRoster writes the units or users sheet of the whole installation.
func exportRoster(e *env, args []string, s roster.Sheet) error {
	c := config.Defaults()
	fs := e.flags("export "+string(s), "--out FILE.xlsx|FILE.csv [--locale zh-CN|en] [--db DB] [--data DIR]",
		"Export every "+strings.TrimSuffix(string(s), "s")+" to an Excel workbook or a CSV file (by the name's ending), in the\n"+
			"format `zeren import "+string(s)+"` reads. Units come parents first, siblings by name; users by login.")
	c.DBFlags(fs)
	out := fs.String("out", "", "the file to write (.xlsx or .csv)")
	locale := fs.String("locale", i18n.Default, "language of the column titles and labels: zh-CN or en")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usagef("--out FILE is required")
	case i18n.Supported(*locale) == "":
		return usagef("--locale must be one of %s", strings.Join(i18n.Locales, ", "))
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	defer f.Close()
	w, err := roster.NewWriter(f, roster.FormatOf(*out), s, e.cat, i18n.Supported(*locale))
	if err != nil {
		return err
	}
	acts, p := action.New(st), action.System(cliActor)
	if s == roster.Units {
		err = acts.ExportUnits(e.ctx, p, w.Unit)
	} else {
		err = acts.ExportUsers(e.ctx, p, w.User)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, *out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d %s written to %s\n", w.Rows(), s, *out)
	return nil
}

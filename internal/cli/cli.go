// Package cli implements the zeren command line (DESIGN.md section 5a).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones on machines without tzdata

	"github.com/mattn/go-isatty"

	"zeren/internal/apperr"
	"zeren/internal/config"
	"zeren/internal/i18n"
	"zeren/internal/store"
)

// Version is set at build time with -ldflags "-X zeren/internal/cli.Version=…".
var Version = ""

// env is what a subcommand runs with: streams, environment and catalog.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	cat            *i18n.Catalog
	locale         string
	ctx            context.Context
	help           func() // prints the current subcommand's help
}

type command struct {
	name, args, summary string
	run                 func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[--addr ADDR] [--db DB] [--data DIR]", "serve the web interface and the API", serve},
		{"demo", "[--addr ADDR] [--data DIR]", "serve a fresh demo database and print its logins", demoCmd},
		{"migrate", "[--db DB] [--data DIR]", "apply pending database migrations", migrate},
		{"user add", "LOGIN --name NAME --grant ROLE@UNIT_ID [--grant ...]", "add a user; the password is read from stdin", userAdd},
		{"user token", "LOGIN [--name NAME]", "print a new API token for a user", userToken},
		{"user link", "LOGIN [--base-url URL] [--db DB] [--data DIR]", "print a one-time set-password link for a user", userLink},
		{"unit add", "NAME [--parent ID] [--kind KIND] [--leader NAME]", "add a unit (a root when --parent is omitted)", unitAdd},
		{"audit verify", "[--db DB] [--data DIR]", "check the audit trail's hash chain", auditVerify},
		{"export ledger", "--cycle ID [--unit ID] --out FILE.xlsx [--db DB] [--data DIR]", "export a cycle's rectification ledger to Excel", exportLedger},
		{"import ledger", "FILE.xlsx --cycle ID [--dry-run] [--db DB] [--data DIR]", "update plans and progress from an edited ledger, all or nothing", importLedger},
		{"import findings", "FILE.xlsx --cycle ID [--dry-run] [--db DB] [--data DIR]", "record inspection feedback from Excel as findings, all or nothing", importFindings},
		{"import units", "FILE.xlsx|FILE.csv [--dry-run] [--archive-missing] [--db DB] [--data DIR]", "import the unit tree from Excel or CSV, all or nothing", importUnits},
		{"import users", "FILE.xlsx|FILE.csv [--dry-run] [--archive-missing] [--links FILE.csv] [--db DB] [--data DIR]", "import users and their grants from Excel or CSV, all or nothing", importUsers},
		{"export units", "--out FILE.xlsx|FILE.csv [--db DB] [--data DIR]", "export the unit tree in the format import reads", exportUnits},
		{"export users", "--out FILE.xlsx|FILE.csv [--db DB] [--data DIR]", "export the users and their grants in the format import reads", exportUsers},
		{"backup", "--out FILE [--db DB] [--data DIR]", "write a consistent copy of the running database to an engine-neutral archive", backupCmd},
		{"restore", "FILE [--db DB] [--data DIR]", "load an archive into an empty database of either engine, then check it", restoreCmd},
		{"remind", "--day YYYY-MM-DD [--dry-run] [--db DB] [--data DIR]", "run one day's reminder sweep and print counts per kind and channel", remindCmd},
		{"bench gen", "--units N --items N [--seed N] [--db DB] [--data DIR]", "generate a province-scale dataset into an empty database", benchGen},
		{"bench backup", "[--writers N] [--to DB] [--db DB] [--data DIR]", "time a backup under a write load and its restore into a fresh database", benchBackup},
		{"bench run", "[--n 200] [--seed N] [--export-rows N] [--db DB] [--data DIR]", "measure the hot paths on it against the performance targets", benchRun},
		{"version", "", "print the version", version},
	}
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Run runs the command line and returns the exit status: 0 ok, 1 failure,
// 2 usage error.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cat, err := i18n.Load()
	if err != nil {
		fmt.Fprintln(stderr, "zeren:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, cat: cat, ctx: ctx, locale: "en"}
	if strings.HasPrefix(os.Getenv("LANG"), "zh") {
		e.locale = "zh-CN"
	}
	rest := args[1:]
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		printUsage(stdout)
		if len(rest) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(rest) < len(words) || strings.Join(rest[:len(words)], " ") != c.name {
			continue
		}
		err := c.run(e, rest[len(words):])
		return e.exit(c.name, err)
	}
	if slices.Contains([]string{"user", "unit", "audit", "export", "import", "bench"}, rest[0]) {
		fmt.Fprintf(stderr, "zeren %s: unknown or missing subcommand; run 'zeren help'\n", rest[0])
	} else {
		fmt.Fprintf(stderr, "zeren: unknown command %q; run 'zeren help'\n", rest[0])
	}
	return 2
}

// exit prints err as one line and returns the status for it.
func (e *env) exit(name string, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "zeren %s: %s (see 'zeren %s --help')\n", name, ue.msg, name)
		return 2
	}
	msg := err.Error()
	if ae, ok := apperr.As(err); ok && ae.Kind != apperr.Internal {
		msg = e.cat.Error(e.locale, ae)
	}
	fmt.Fprintf(e.stderr, "zeren %s: %s\n", name, strings.ReplaceAll(msg, "\n", " "))
	return 1
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "zeren runs the yearly accountability cycle: duty reports, appraisal, rectification, assessment.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  zeren %-10s %s\n      %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set with an environment variable: --db is ZEREN_DB, --session-idle is ZEREN_SESSION_IDLE.")
}

// flags makes a flag set whose errors come back as usage errors, not printed.
func (e *env) flags(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("zeren "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // flag calls it on every error; help is printed by parse
	help := func() {
		fmt.Fprintf(e.stdout, "Usage: zeren %s %s\n\n%s\n\nFlags (each also as an environment variable):\n", name, args, summary)
		fs.SetOutput(e.stdout)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(e.stdout, "  --%s  (%s)\n        %s", f.Name, config.EnvName(f.Name), f.Usage)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(e.stdout, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(e.stdout)
		})
		fs.SetOutput(io.Discard)
	}
	e.help = help
	return fs
}

// parse reads the environment, then the arguments, which may mix flags and
// positional words (zeren user add LOGIN --name …); it returns the words.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := config.FromEnv(fs, e.getenv); err != nil {
		return nil, usageError{err.Error()}
	}
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.help()
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return words, nil
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseN is parse for commands that take exactly n positional words, named
// what in the error (n may be 0).
func (e *env) parseN(fs *flag.FlagSet, args []string, n int, what string) ([]string, error) {
	words, err := e.parse(fs, args)
	switch {
	case err != nil:
		return nil, err
	case n == 0 && len(words) > 0:
		return nil, usagef("unexpected argument %q", words[0])
	case len(words) != n:
		return nil, usagef("expected exactly one %s, got %d arguments", what, len(words))
	}
	return words, nil
}

// newLogger logs text on a terminal and JSON otherwise.
func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// openStore opens and migrates the database named by the config.
func (e *env) openStore(c config.Config) (*store.Store, error) {
	st, err := store.Open(e.ctx, c.DB, c.Data, store.Options{SQLiteSync: c.SQLiteSync})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(e.ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func version(e *env, args []string) error {
	fs := e.flags("version", "", "print the version")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "zeren", versionString())
	return nil
}

// versionString is the build's version, or "devel" and the commit.
func versionString() string {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					v += " " + s.Value
				}
			}
		}
	}
	return v
}

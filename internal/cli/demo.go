package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"zeren/internal/config"
	"zeren/internal/demo"
	"zeren/internal/i18n"
)

func demoCmd(e *env, args []string) error {
	c := config.Defaults()
	c.Data = ""
	fs := e.flags("demo", "[--addr ADDR] [--data DIR]",
		"Serve a fresh demo database (in a temporary directory unless --data) and print its logins.")
	c.ServeFlags(fs)
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if c.DB != "" {
		return usagef("the demo makes its own SQLite database; use --data DIR instead of --db")
	}
	if c.Data == "" {
		dir, err := os.MkdirTemp("", "zeren-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.Data = dir
	} else if _, err := os.Stat(filepath.Join(c.Data, "zeren.db")); err == nil {
		return fmt.Errorf("%s already holds a zeren.db; the demo needs a fresh directory", c.Data)
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	logins, err := demo.Load(e.ctx, st)
	if err != nil {
		return err
	}
	return e.serveStore(c, st, func(url string) {
		w := e.stdout
		fmt.Fprintf(w, "\nzeren demo: %s\n", url)
		fmt.Fprintf(w, "database: %s\n\n", filepath.Join(c.Data, "zeren.db"))
		fmt.Fprintf(w, "Log in as one of (password %q for all):\n", demo.Password)
		for _, l := range logins {
			fmt.Fprintf(w, "  %-12s %-24s %s @ %s\n", l.Login, l.Name, e.cat.T(i18n.Default, "role."+string(l.Role)), l.Unit)
		}
		fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	})
}

package cli

import (
	osuser "os/user"

	"bufio"
	"fmt"
	"strings"
	"time"

	"zeren/internal/audit"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/config"
	"zeren/internal/unit"
	"zeren/internal/user"
)

func migrate(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("migrate", "[--db DB] [--data DIR]", "Apply pending database migrations, each in its own transaction.")
	c.DBFlags(fs)
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(e.stdout, "database (%s) is at the current schema\n", st.Engine())
	return nil
}

// grantList collects repeated --grant flags.
type grantList []string

func (g *grantList) String() string     { return strings.Join(*g, ",") }
func (g *grantList) Set(v string) error { *g = append(*g, v); return nil }

func userAdd(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("user add", "LOGIN --name NAME --grant ROLE@UNIT_ID [--grant ...]",
		"Add a user. The password is read from the first line of standard input.")
	c.DBFlags(fs)
	var name, locale string
	var grants grantList
	fs.StringVar(&name, "name", "", "the person's name")
	fs.StringVar(&locale, "locale", "", "interface language: zh-CN or en (default: follow the browser)")
	fs.Var(&grants, "grant", "ROLE@UNIT_ID, repeatable; roles: "+rolesList())
	words, err := e.parseN(fs, args, 1, "LOGIN")
	if err != nil {
		return err
	}
	d := user.Draft{Login: words[0], Name: name, Locale: locale}
	if err := d.Normalize(); err != nil {
		return err
	}
	var gs []auth.Grant
	for _, g := range grants {
		role, id, err := auth.ParseGrant(g)
		if err != nil {
			return err
		}
		gs = append(gs, auth.Grant{Role: role, UnitID: id})
	}
	password, err := bufio.NewReader(e.stdin).ReadString('\n')
	password = strings.TrimRight(password, "\r\n")
	if password == "" {
		return apperr.Field("password", "err.required")
	}
	if err := auth.CheckPassword(d.Login, password); err != nil {
		return err
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(e.ctx, cliActor, d, auth.HashPassword(password), gs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added (id %d)\n", u.Login, u.ID)
	return nil
}

func rolesList() string {
	var s []string
	for _, r := range auth.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func userToken(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("user token", "LOGIN [--name NAME]", "Print a new API token for a user; it is shown only this once.")
	c.DBFlags(fs)
	tokenName := fs.String("name", "cli", "a name to recognise the token by")
	words, err := e.parseN(fs, args, 1, "LOGIN")
	if err != nil {
		return err
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, _, err := st.UserByLogin(e.ctx, words[0])
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("login", "err.not_found")
	}
	if err != nil {
		return err
	}
	secret, err := st.CreateAPIToken(e.ctx, cliActor, u.ID, *tokenName)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// userLink prints a one-time set-password link, for a person without a
// password (imported) or who forgot theirs.
func userLink(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("user link", "LOGIN [--base-url URL]",
		"Print a one-time link with which the user chooses a password; it works once, for 7 days, and is shown only this once.")
	c.DBFlags(fs)
	c.BaseURLFlag(fs)
	words, err := e.parseN(fs, args, 1, "LOGIN")
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return usageError{err.Error()}
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, _, err := st.UserByLogin(e.ctx, words[0])
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("login", "err.not_found")
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return apperr.New(apperr.Conflict, "err.password_link_user_disabled")
	}
	token, expires, err := st.CreatePasswordLink(e.ctx, cliActor, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, user.PasswordLinkURL(c.BaseURL, token))
	fmt.Fprintf(e.stderr, "zeren user link: for %s (%s), works once until %s\n", u.Login, u.Name, expires.Format(time.RFC3339))
	return nil
}

func unitAdd(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("unit add", "NAME [--parent ID] [--kind KIND] [--leader NAME]",
		"Add a unit; without --parent it is a root, which is how a new installation starts.")
	c.DBFlags(fs)
	parent := fs.Int64("parent", 0, "id of the parent unit")
	kind := fs.String("kind", string(unit.Committee), "committee, park, department, grassroots or other")
	leader := fs.String("leader", "", "the unit's leader (secretary)")
	words, err := e.parseN(fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUnit(e.ctx, cliActor, *parent, unit.Draft{Name: words[0], Kind: unit.Kind(*kind), Leader: *leader})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "unit %d added: %s\n", u.ID, u.Path)
	return nil
}

// cliActor is how command-line changes appear in the audit trail: by the
// operating-system account that ran the command.
var cliActor = func() audit.Actor {
	name := "unknown"
	if u, err := osuser.Current(); err == nil {
		name = u.Username
	}
	return audit.Actor{Login: "cli:" + name}
}()

// Package config defines the settings shared by the subcommands: each is a
// flag with a ZEREN_* environment variable, and secrets may also come from
// a ZEREN_*_FILE file.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"zeren/internal/notify"
)

// Config holds every setting. Defaults lives in one place: Defaults.
type Config struct {
	Addr            string
	DB              string
	Data            string
	SQLiteSync      string // "full" or "normal": see store.SyncFull
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	TimeZone        string
	TrustProxy      bool
	MaxBody         int64
	MaxUpload       int64
	LogFormat       string
	BaseURL         string // where links in outside messages point
	SMTPURL         string // smtp[s]://user:pass@host:port; empty: no e-mail
	SMTPFrom        string
	Jobs            bool   // run the job workers (sweep, deliveries) in this process
	BackupDir       string // where the nightly backups go; empty: none
	BackupKeep      int    // how many nightly backups to keep
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Data:            ".",
		SQLiteSync:      "full",
		SessionIdle:     2 * time.Hour,
		SessionAbsolute: 12 * time.Hour,
		TimeZone:        "Asia/Shanghai",
		MaxBody:         1 << 20,
		MaxUpload:       20 << 20,
		LogFormat:       "auto",
		BaseURL:         "http://127.0.0.1:8080",
		Jobs:            true,
		BackupKeep:      7,
	}
}

// DBFlags registers the database flags every database command takes.
func (c *Config) DBFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:PATH or postgres://USER@HOST/DB (default: SQLite in --data)")
	fs.StringVar(&c.Data, "data", c.Data, "data directory holding zeren.db")
	fs.Var(sqliteSync{&c.SQLiteSync}, "sqlite-sync",
		"SQLite's synchronous setting: full (a write survives a power loss once acknowledged) or normal (faster; an OS crash or power loss may lose the last writes)")
}

// sqliteSync is the --sqlite-sync flag: checked when it is set, so that
// every database command refuses a bad value as a usage error.
type sqliteSync struct{ v *string }

func (s sqliteSync) String() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

func (s sqliteSync) Set(v string) error {
	v = strings.ToLower(strings.TrimSpace(v))
	if v != "full" && v != "normal" {
		return errors.New("must be full or normal")
	}
	*s.v = v
	return nil
}

// ServeFlags registers the server's flags.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.DBFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "log out after this long without a request")
	fs.DurationVar(&c.SessionAbsolute, "session-absolute", c.SessionAbsolute, "log out this long after logging in")
	fs.StringVar(&c.TimeZone, "tz", c.TimeZone, "time zone in which times are shown")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "trust X-Forwarded-Proto from a reverse proxy (marks cookies Secure behind TLS)")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "largest request body accepted, in bytes")
	fs.Int64Var(&c.MaxUpload, "max-upload", c.MaxUpload, "largest evidence file accepted, in bytes")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: auto (text on a terminal, else JSON), text or json")
	fs.BoolVar(&c.Jobs, "jobs", c.Jobs, "run the reminder sweep and the deliveries in this process (any number of processes may)")
	fs.StringVar(&c.BackupDir, "backup-dir", c.BackupDir, "take a backup every night at 02:00 into this directory (one process of those on a database takes it); empty: none")
	fs.IntVar(&c.BackupKeep, "backup-keep", c.BackupKeep, "how many nightly backups to keep in --backup-dir (the oldest go)")
	c.NotifyFlags(fs)
}

// NotifyFlags registers the flags of the outside messages.
func (c *Config) NotifyFlags(fs *flag.FlagSet) {
	c.BaseURLFlag(fs)
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "mail server for e-mail notifications: smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS); empty: no e-mail")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "sender of the notification mails, e.g. 'zeren <noreply@example.org>'")
}

// BaseURLFlag registers --base-url, for the commands that hand out links.
func (c *Config) BaseURLFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "the address people open zeren at, for the links in e-mails and robot messages and the set-password links")
}

// EnvName is the environment variable of a flag: --session-idle → ZEREN_SESSION_IDLE.
func EnvName(flagName string) string {
	return "ZEREN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// FromEnv sets every flag of fs from its environment variable, or from the
// file named by its _FILE variable, before the command line is parsed, so
// that flags win over the environment.
func FromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil {
			return
		}
		name := EnvName(f.Name)
		v := getenv(name)
		if file := getenv(name + "_FILE"); v == "" && file != "" {
			b, rerr := os.ReadFile(file)
			if rerr != nil {
				err = fmt.Errorf("%s_FILE: %w", name, rerr)
				return
			}
			v = strings.TrimSpace(string(b))
		}
		if v == "" {
			return
		}
		if serr := f.Value.Set(v); serr != nil {
			err = fmt.Errorf("%s=%q: %v", name, v, serr)
		}
	})
	return err
}

// Validate checks the values that flag parsing cannot.
func (c *Config) Validate() error {
	switch {
	case c.SessionIdle <= 0:
		return fmt.Errorf("--session-idle must be positive")
	case c.SessionAbsolute < c.SessionIdle:
		return fmt.Errorf("--session-absolute must be at least --session-idle")
	case c.MaxBody < 1024:
		return fmt.Errorf("--max-body must be at least 1024 bytes")
	case c.MaxUpload < 1<<20:
		return fmt.Errorf("--max-upload must be at least 1048576 bytes (1 MB)")
	case c.LogFormat != "auto" && c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("--log-format must be auto, text or json")
	case c.BackupKeep < 1:
		return fmt.Errorf("--backup-keep must be at least 1")
	case c.BackupDir != "" && !c.Jobs:
		return fmt.Errorf("--backup-dir needs --jobs: the nightly backup is a job")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("--tz %q: unknown time zone", c.TimeZone)
	}
	return c.validateNotify()
}

func (c *Config) validateNotify() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--base-url %q: must be an http:// or https:// address, like https://zeren.example.org", c.BaseURL)
	}
	if c.SMTPURL != "" || c.SMTPFrom != "" {
		if _, err := notify.ParseSMTP(c.SMTPURL, c.SMTPFrom); err != nil {
			return err
		}
	}
	return nil
}

// Email is the mail server of --smtp-url and --smtp-from; ok is false
// when none is set. Validate has checked them.
func (c *Config) Email() (cfg notify.EmailConfig, ok bool) {
	if c.SMTPURL == "" {
		return cfg, false
	}
	cfg, err := notify.ParseSMTP(c.SMTPURL, c.SMTPFrom)
	return cfg, err == nil
}

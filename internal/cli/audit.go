package cli

import (
	"fmt"

	"zeren/internal/config"
)

// auditVerify walks the audit chain: exit 0 when intact, else 1 naming the
// first altered, inserted or missing event.
func auditVerify(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("audit verify", "[--db DB] [--data DIR]",
		"Check the audit trail's hash chain; name the first altered, inserted or missing event.")
	c.DBFlags(fs)
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	n, problem, err := st.VerifyAudit(e.ctx)
	if err != nil {
		return err
	}
	if problem != nil {
		return fmt.Errorf("audit chain broken after %d good events: %s", n, problem)
	}
	fmt.Fprintf(e.stdout, "audit chain intact: %d events\n", n)
	return nil
}

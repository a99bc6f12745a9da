package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"zeren/internal/bench"
	"zeren/internal/config"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/notify"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// benchGen generates a province-scale dataset into an empty database.
func benchGen(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("bench gen", "--units N --items N [--seed N] [--db DB] [--data DIR]",
		"Generate a province into an empty database, for 'zeren bench run': a 5-level tree of units, one cycle at its root,\n"+
			"findings with their rectification items in every state, timelines, audit events and the roll-up counters.\n"+
			"DESIGN.md section 6 measures 50,000 units and 1,000,000 items.")
	c.DBFlags(fs)
	units := fs.Int("units", 0, "number of units in the tree, at least 5 (required; e.g. 50000)")
	items := fs.Int("items", 0, "number of findings, each with its rectification item (required; e.g. 1000000)")
	seed := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same province")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	switch {
	case *units == 0:
		return usagef("--units is required, e.g. --units 50000")
	case *units < bench.Levels:
		return usagef("--units must be at least %d (a %d-level tree)", bench.Levels, bench.Levels)
	case *items == 0:
		return usagef("--items is required, e.g. --items 1000000")
	case *items < 0:
		return usagef("--items must be positive")
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.BenchCheckEmpty(e.ctx); errors.Is(err, store.ErrBenchNotEmpty) {
		return usagef("%v; bench gen needs an empty database (choose another --db or --data)", err)
	} else if err != nil {
		return err
	}
	res, err := bench.Gen(e.ctx, st, bench.GenOptions{Units: *units, Items: *items, Seed: *seed, Progress: e.stderr})
	if err != nil {
		return err
	}
	size, err := st.BenchSize(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d units, %d items (cycle %d), %d timeline events and %d audit events in %s; the database (%s) takes %.1f MB\n",
		res.Units, res.Items, res.CycleID, res.Events, res.AuditEvents, res.Elapsed.Round(100_000_000), st.Engine(), float64(size)/1e6)
	return nil
}

// benchRun measures the hot paths on a generated database.
func benchRun(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("bench run", "[--n 200] [--seed N] [--export-rows 100000] [--db DB] [--data DIR]",
		"Measure subtree figures, ledger pages and status changes on a database made by 'zeren bench gen' and print\n"+
			"p50 and p95 against the targets of DESIGN.md section 6, and time an Excel export of the ledger.\n"+
			"Each measured item is submitted and sent back, so statuses end as they began.")
	c.DBFlags(fs)
	n := fs.Int("n", 200, "samples per operation")
	seed := fs.Uint64("seed", 1, "seed that picks the sample units and items")
	rows := fs.Int("export-rows", 100000, "rows of the timed Excel export of the ledger")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	switch {
	case *n < 1:
		return usagef("--n must be at least 1")
	case *rows < 1:
		return usagef("--export-rows must be at least 1")
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = bench.Run(e.ctx, st, bench.RunOptions{N: *n, Seed: *seed, Out: e.stdout, ExportRows: *rows,
		Export: bench.LedgerExport(e.cat, i18n.Default), Sweep: func(ctx context.Context, day time.Time) (string, error) {
			// A mail server is named so that the digests are queued as
			// they would be; the dry run sends nothing.
			mail, err := notify.ParseSMTP("smtp://127.0.0.1:25", "zeren@example.org")
			if err != nil {
				return "", err
			}
			j, err := jobs.New(ctx, st, e.cat, jobs.Options{Sender: jobs.Senders(st, &mail, nil)})
			if err != nil {
				return "", err
			}
			cs, err := j.Sweep(ctx, day, true)
			return fmt.Sprintf("%d notifications, %d e-mail digests, %d system urge notices", cs.Total(), cs.Channels[remind.Email], cs.Kinds[remind.UrgeIssued]), err
		}})
	return err
}

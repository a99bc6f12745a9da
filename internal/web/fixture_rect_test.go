package web

import (
	"context"
	"strconv"
	"strings"

	"zeren/internal/audit"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// rectPlan is the plan the fixture's items follow (the clock is 2021-01-12).
var rectPlan = rectification.Plan{Measures: "建立健全基层党组织工作台账", Owner: "组织委员 李四",
	ResponsibleLeader: "书记 王五", Deadline: "2021-02-26", Kind: rectification.Immediate}

// rectFixture makes the side's findings and rectifications, all on unit
// side+"1" in the 2018 cycle under review (cycles["v"+side]), source
// supervision. Placeholders, for T the side:
//
//	{rect:T} {rectv:T}     item (a): in progress with a plan, an update with
//	                       a PDF ({evidence:T}), an unanswered blue urge
//	                       notice ({urge:T}) and a pending extension ({ext:T})
//	{rectw:T} {rectwv:T}   item (b): awaiting verification, submitted by "admin"
//	{rectc:T} {rectcv:T}   item (c): closed (submitted by "admin", verified by the system)
//	{rectp:T} {rectpv:T}   item (d): in planning, no plan yet; its finding is
//	{finding:T} {fv:T}     the finding of (d), which may still be edited
func (f *fixture) rectFixture(side string) {
	t, st, ctx, sys := f.t, f.st, context.Background(), audit.System
	admin := audit.Actor{UserID: f.users["admin"].ID, Login: "admin"}
	ids := map[string]int64{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("rect fixture %s: %v", side, err)
		}
	}
	newItem := func(text string) (int64, int64) { // finding, item
		t.Helper()
		fd, err := st.CreateFinding(ctx, sys, finding.Finding{UnitID: f.units[side+"1"].ID, CycleID: f.cycles["v"+side].ID,
			Source: finding.Supervision, Area: "基层组织建设", Severity: finding.Major, Text: text})
		must(err)
		xs, err := st.FindingRectifications(ctx, fd.ID)
		must(err)
		return fd.ID, xs[0].ID
	}
	step := func(by audit.Actor, id int64, m rectification.Move) {
		t.Helper()
		x, err := st.Rectification(ctx, id)
		must(err)
		_, err = st.MoveRectification(ctx, by, id, x.Version, m, "")
		must(err)
	}
	version := func(id int64) int64 {
		t.Helper()
		x, err := st.Rectification(ctx, id)
		must(err)
		return x.Version
	}
	planned := func(text string) int64 {
		t.Helper()
		_, id := newItem(text)
		_, err := st.SavePlan(ctx, sys, id, version(id), rectPlan)
		must(err)
		step(sys, id, rectification.Start)
		return id
	}

	a := planned("党员教育管理不够规范")
	must(st.AddUpdate(ctx, sys, a, "已完成第一批整改", []store.Upload{{Name: "整改报告.pdf", Data: []byte("%PDF-1.4 rectified")}}, 1<<20))
	events, err := st.Timeline(ctx, a)
	must(err)
	for _, e := range events {
		for _, file := range e.Files {
			ids["evidence:"+side] = file.ID
		}
	}
	ids["urge:"+side], err = st.IssueUrge(ctx, sys, a, rectification.Urge{Level: rectification.Blue, Text: "请加快整改进度", ReplyBy: "2021-01-20"})
	must(err)
	must(st.RequestExtension(ctx, sys, a, "2021-03-31", "需要配合上级统一部署"))
	exts, err := st.Extensions(ctx, a)
	must(err)
	ids["ext:"+side] = exts[0].ID
	ids["rect:"+side], ids["rectv:"+side] = a, version(a)

	w := planned("“三会一课”制度落实不到位")
	step(admin, w, rectification.Submit)
	ids["rectw:"+side], ids["rectwv:"+side] = w, version(w)

	c := planned("软弱涣散党组织整顿不彻底")
	step(admin, c, rectification.Submit)
	step(sys, c, rectification.Verify)
	ids["rectc:"+side], ids["rectcv:"+side] = c, version(c)

	fd, p := newItem("发展党员工作程序不规范")
	rec, err := st.FindingRecord(ctx, fd)
	must(err)
	ids["finding:"+side], ids["fv:"+side] = fd, rec.Version
	ids["rectp:"+side], ids["rectpv:"+side] = p, version(p)

	if f.rects == nil {
		f.rects = map[string]int64{}
	}
	for k, v := range ids {
		f.rects[k] = v
	}
}

// expandRect replaces the placeholders of rectFixture ("{rect:A}" and the
// like) by their ids and versions.
func (f *fixture) expandRect(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	for k, v := range f.rects {
		s = strings.ReplaceAll(s, "{"+k+"}", strconv.FormatInt(v, 10))
	}
	return s
}

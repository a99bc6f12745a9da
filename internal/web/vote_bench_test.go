package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// BenchmarkVoteBurst is the meeting's burst: 500 attendees submit their
// ballots for 40 reports with one-time codes over HTTP, all at once. It
// reports ballots per second over the burst and the p99 latency of one
// submission, and checks that every ballot was counted exactly once.
//
//	go test -run X -bench VoteBurst -benchtime 3x ./internal/web/
func BenchmarkVoteBurst(b *testing.B) {
	const voters, reports = 500, 40
	st := storetest.New(b)
	ctx := context.Background()
	by := audit.System
	city, err := st.CreateUnit(ctx, by, 0, unit.Draft{Name: "市委", Kind: unit.Committee})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(st, mustCatalog(b), discardLog(), Options{Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: voters},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var latencies []time.Duration
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		a, rs, codes := burstSetup(b, st, city, 2000+i, reports, voters)
		form := url.Values{}
		for j, r := range rs {
			form.Set("grade_"+strconv.FormatInt(r.ID, 10), strconv.Itoa(j%5))
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		lat := make([]time.Duration, voters)
		errs := make(chan error, voters)
		for v, code := range codes {
			body := "code=" + code + "&submission=s" + strconv.Itoa(v) + "&" + form.Encode()
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				resp, err := client.Post(ts.URL+"/vote", "application/x-www-form-urlencoded", strings.NewReader(body))
				lat[v] = time.Since(t0)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					errs <- fmt.Errorf("vote: status %d", resp.StatusCode)
				}
			}()
		}
		b.StartTimer()
		t0 := time.Now()
		close(start)
		wg.Wait()
		elapsed += time.Since(t0)
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		latencies = append(latencies, lat...)
		// Every ballot counted exactly once.
		a, err := st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Closed)
		if err != nil {
			b.Fatal(err)
		}
		results, _, err := st.Results(ctx, a)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Ballots != voters {
				b.Fatalf("report %d has %d ballots, want %d", r.ReportID, r.Ballots, voters)
			}
		}
		b.StartTimer()
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N*voters*reports)/elapsed.Seconds(), "ballots/s")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
}

// burstSetup makes a cycle under review with n handed-in reports and an
// open appraisal with the given number of codes.
func burstSetup(b *testing.B, st *store.Store, city unit.Unit, year, n, voters int) (appraisal.Appraisal, []report.Report, []string) {
	ctx, by := context.Background(), audit.System
	c, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: year, Title: "述职评议"})
	if err != nil {
		b.Fatal(err)
	}
	var parts []cycle.Participant
	for i := range n {
		u, err := st.CreateUnit(ctx, by, city.ID, unit.Draft{Name: fmt.Sprintf("单位%d-%d", year, i), Kind: unit.Committee})
		if err != nil {
			b.Fatal(err)
		}
		parts = append(parts, cycle.Participant{UnitID: u.ID, Mode: cycle.OnTheSpot, Position: i})
	}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, parts); err != nil {
		b.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting); err != nil {
		b.Fatal(err)
	}
	rs, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	for _, r := range rs {
		if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, ""); err != nil {
			b.Fatal(err)
		}
	}
	c, _ = st.Cycle(ctx, c.ID)
	if _, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing); err != nil {
		b.Fatal(err)
	}
	setup := appraisal.Default()
	setup.Groups = []appraisal.RaterGroup{{Name: "市级领导", Weight: 40}, {Name: "部门负责人", Weight: 35}, {Name: "基层代表", Weight: 25}}
	a, err := st.CreateAppraisal(ctx, by, c.ID, setup)
	if err != nil {
		b.Fatal(err)
	}
	var codes []string
	for g := range 3 {
		count := voters / 3
		if g == 2 {
			count = voters - 2*(voters/3)
		}
		made, err := st.CreateCodes(ctx, by, a.ID, a.Groups[g].ID, 0, count)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range made {
			codes = append(codes, k.Code)
		}
	}
	if a, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Open); err != nil {
		b.Fatal(err)
	}
	return a, rs, codes
}

package store_test

import (
	"context"
	"sync"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/store/storetest"
	"zeren/internal/user"
)

// TestSpendTOTPStep: each time step is accepted once, never an earlier one,
// and of two requests racing with the same code exactly one wins.
func TestSpendTOTPStep(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: "zhang", Name: "张三"}, "h", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(ctx, audit.System, u.ID, "JBSWY3DPEHPK3PXP", 100); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		step int64
		want bool
	}{{100, false}, {99, false}, {101, true}, {101, false}, {100, false}, {103, true}, {102, false}} {
		if got, err := st.SpendTOTPStep(ctx, u.ID, c.step); err != nil || got != c.want {
			t.Fatalf("step %d: %v %v, want %v", c.step, got, err, c.want)
		}
	}
	// Turning the factor off and on again does not rewind the steps.
	if err := st.SetTOTP(ctx, audit.System, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(ctx, audit.System, u.ID, "KRSXG5CTMVRXEZLU", 50); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SpendTOTPStep(ctx, u.ID, 103); got {
		t.Fatal("a spent step accepted after re-enrolling")
	}
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.SpendTOTPStep(ctx, u.ID, 200)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("the same code accepted %d times at once", wins)
	}
}

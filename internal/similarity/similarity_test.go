package similarity

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

var base = "坚持把党的政治建设摆在首位，常委会第一议题学习习近平总书记重要讲话精神十二次。严格执行重大事项请示报告制度，全年向市委请示报告重大事项八项。"

func sig(text string) Signature { return Sign(Shingles(text)) }

func TestSimilarity(t *testing.T) {
	a := sig(base)
	if s := Similarity(&a, &a); s != 1 {
		t.Fatalf("a text with itself: %v", s)
	}
	// The same words with other punctuation, spaces and Markdown are a copy.
	b := sig("**" + strings.ReplaceAll(base, "，", " , ") + "**")
	if s := Similarity(&a, &b); s < 0.95 {
		t.Fatalf("reformatted copy: %v", s)
	}
	c := sig("推行党建加网格治理模式，划分网格三百个，配备专兼职网格员。村级集体经济收入全部达到五万元以上。")
	if s := Similarity(&a, &c); s > 0.1 {
		t.Fatalf("unrelated texts: %v", s)
	}
	half := sig(base[:len(base)/2] + "推行党建加网格治理模式，划分网格三百个，配备专兼职网格员，村级集体经济收入全部达到五万元以上。")
	if s := Similarity(&a, &half); s < 0.15 || s > 0.7 {
		t.Fatalf("half copied: %v", s)
	}
	empty := sig("")
	if Similarity(&empty, &empty) != 0 || Similarity(&a, &empty) != 0 {
		t.Fatal("empty texts are not similar")
	}
	if m := Best(&a, []Signature{c, b, half}); m.Index != 1 {
		t.Fatalf("best match %+v", m)
	}
	if d, ok := Decode(a.Encode()); !ok || d != a {
		t.Fatal("encode/decode")
	}
	if _, ok := Decode([]byte("short")); ok {
		t.Fatal("decoded garbage")
	}
}

func TestMark(t *testing.T) {
	other := "前言。严格执行重大事项请示报告制度，全年向市委请示报告重大事项八项。"
	spans := Mark(base, other)
	var copied, kept strings.Builder
	for _, s := range spans {
		if s.Copied {
			copied.WriteString(s.Text)
		} else {
			kept.WriteString(s.Text)
		}
	}
	if !strings.Contains(copied.String(), "严格执行重大事项请示报告制度") || strings.Contains(copied.String(), "政治建设") {
		t.Fatalf("copied %q, kept %q", copied.String(), kept.String())
	}
	if copied.String()+kept.String() == "" {
		t.Fatal("nothing")
	}
	var all strings.Builder
	for _, s := range spans {
		all.WriteString(s.Text)
	}
	if all.String() != base {
		t.Fatal("marking changed the text")
	}
}

// randomReport makes a report of n characters from a vocabulary of phrases,
// so that reports share some phrases as real ones do.
func randomReport(rng *rand.Rand, n int) string {
	phrases := strings.Split("坚持党的领导，压实主体责任，推进基层治理，加强作风建设，深化以案促改，落实意识形态责任，推动高质量发展，选优配强班子，整顿软弱涣散，完善考核办法", "，")
	var b strings.Builder
	for b.Len() < n*3 {
		if rng.Intn(3) == 0 {
			b.WriteString(phrases[rng.Intn(len(phrases))])
		} else {
			for i := 0; i < 6; i++ {
				b.WriteRune(rune(0x4e00 + rng.Intn(20000)))
			}
		}
		b.WriteString("。")
	}
	return string([]rune(b.String())[:n])
}

// BenchmarkCycle3000 signs 3,000 reports of 5,000 characters and finds each
// one's most similar other report: the whole check of a province-sized cycle.
func BenchmarkCycle3000(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	texts := make([]string, 3000)
	for i := range texts {
		texts[i] = randomReport(rng, 5000)
	}
	texts[2999] = texts[17] // one copy to find
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		start := time.Now()
		sigs := make([]Signature, len(texts))
		for i, t := range texts {
			sigs[i] = sig(t)
		}
		signed := time.Since(start)
		var found Match
		for i := range sigs {
			others := sigs[:i]
			m := Best(&sigs[i], others)
			if i == 2999 {
				found = m
			}
		}
		if found.Index != 17 || found.Score < 0.99 {
			b.Fatalf("copy not found: %+v", found)
		}
		b.ReportMetric(float64(signed.Milliseconds()), "ms-sign")
	}
}

// BenchmarkSubmit is the work of one submission in such a cycle: sign the
// report and compare it with 3,000 stored signatures.
func BenchmarkSubmit(b *testing.B) {
	rng := rand.New(rand.NewSource(2))
	sigs := make([]Signature, 3000)
	for i := range sigs {
		sigs[i] = sig(randomReport(rng, 5000))
	}
	text := randomReport(rng, 5000)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		s := sig(text)
		_ = Best(&s, sigs)
	}
}

func Example() {
	a, b := sig(base), sig(base)
	fmt.Println(Similarity(&a, &b))
	// Output: 1
}

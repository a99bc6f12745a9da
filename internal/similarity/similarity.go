// Package similarity finds copied text between reports: reports are cut
// into overlapping runs of characters (shingles), each summarized by a
// MinHash signature whose agreement estimates how much two reports share,
// and the shared runs are marked for the reader.
package similarity

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
	"unicode"
)

// K is the shingle length in characters: long enough that two Chinese
// texts rarely share a run by chance, short enough to catch a copied phrase.
const K = 8

// Hashes is the number of MinHash functions; the estimate's standard error
// is about 1/sqrt(Hashes), some 9 points.
const Hashes = 128

// Signature summarizes a text for comparison.
type Signature [Hashes]uint64

// normalize keeps letters and digits, so that punctuation, spaces and
// Markdown marks do not hide a copy.
func normalize(text string) []rune {
	out := make([]rune, 0, len(text)/2)
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

func hashRunes(rs []rune) uint64 {
	h := fnv.New64a()
	var b [4]byte
	for _, r := range rs {
		binary.LittleEndian.PutUint32(b[:], uint32(r))
		h.Write(b[:])
	}
	return h.Sum64()
}

// Shingles returns the set of a text's shingle hashes.
func Shingles(text string) map[uint64]struct{} {
	rs := normalize(text)
	set := make(map[uint64]struct{}, len(rs))
	for i := 0; i+K <= len(rs); i++ {
		set[hashRunes(rs[i:i+K])] = struct{}{}
	}
	return set
}

// mix is SplitMix64's finalizer: a cheap, well-spread permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}

var seeds = func() (s [Hashes]uint64) {
	for i := range s {
		s[i] = mix(uint64(i) + 0x9e3779b97f4a7c15)
	}
	return s
}()

// Sign computes the MinHash signature of a shingle set. An empty text gets
// a signature that matches nothing.
func Sign(set map[uint64]struct{}) Signature {
	var sig Signature
	for i := range sig {
		sig[i] = ^uint64(0)
	}
	for x := range set {
		for i := range sig {
			if h := mix(x ^ seeds[i]); h < sig[i] {
				sig[i] = h
			}
		}
	}
	return sig
}

// Similarity estimates the Jaccard similarity of the two texts behind two
// signatures: the share of shingles they have in common, 0 to 1.
func Similarity(a, b *Signature) float64 {
	same, empty := 0, 0
	for i := range a {
		if a[i] == ^uint64(0) || b[i] == ^uint64(0) {
			empty++
			continue
		}
		if a[i] == b[i] {
			same++
		}
	}
	if empty == Hashes {
		return 0
	}
	return float64(same) / float64(Hashes)
}

// Match is the most similar other text.
type Match struct {
	Index int // into the candidates
	Score float64
}

// Best finds the candidate most similar to sig; Index is -1 when there is none.
func Best(sig *Signature, candidates []Signature) Match {
	m := Match{Index: -1}
	for i := range candidates {
		if s := Similarity(sig, &candidates[i]); s > m.Score {
			m = Match{Index: i, Score: s}
		}
	}
	return m
}

// Span is a passage of a text, in runes of the original text.
type Span struct {
	Text   string
	Copied bool
}

// Mark cuts text into passages, marking those that also occur in other:
// every character covered by a shingle the other text shares.
func Mark(text, other string) []Span {
	theirs := Shingles(other)
	rs := []rune(text)
	// positions of letters and digits in the original text
	var pos []int
	var norm []rune
	for i, r := range rs {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			pos = append(pos, i)
			norm = append(norm, unicode.ToLower(r))
		}
	}
	copied := make([]bool, len(rs))
	for i := 0; i+K <= len(norm); i++ {
		if _, ok := theirs[hashRunes(norm[i:i+K])]; ok {
			for j := pos[i]; j <= pos[i+K-1]; j++ {
				copied[j] = true
			}
		}
	}
	var out []Span
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && copied[i] != copied[i-1] {
			out = append(out, Span{Text: b.String(), Copied: copied[i-1]})
			b.Reset()
		}
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		out = append(out, Span{Text: b.String(), Copied: copied[len(rs)-1]})
	}
	return out
}

// Encode and Decode store a signature as bytes.
func (s *Signature) Encode() []byte {
	b := make([]byte, 8*Hashes)
	for i, v := range s {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}

// Decode reads a signature written by Encode; a wrong length gives false.
func Decode(b []byte) (Signature, bool) {
	var s Signature
	if len(b) != 8*Hashes {
		return s, false
	}
	for i := range s {
		s[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return s, true
}

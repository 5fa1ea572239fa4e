package clients

import (
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/published"
)

// BenchmarkAt is one `trustc at` on current production, trusted root
// already parsed.
func BenchmarkAt(b *testing.B) {
	e := NewEnv(published.Production(b, 14).Envs[0])
	t := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		e.At(t)
	}
}

// BenchmarkAtCold includes parsing the trusted root with sigstore-go.
func BenchmarkAtCold(b *testing.B) {
	env := published.Production(b, 14).Envs[0]
	t := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		At(env, t)
	}
}

// BenchmarkRender renders one `trustc at` snapshot of current production
// as markdown and as text.
func BenchmarkRender(b *testing.B) {
	s := NewEnv(published.Production(b, 14).Envs[0]).At(time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC))
	for b.Loop() {
		s.Markdown()
		s.Text()
	}
}

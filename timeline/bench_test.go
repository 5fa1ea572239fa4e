package timeline

import (
	"testing"

	"github.com/trustc-dev/trustc/internal/published"
)

func BenchmarkSVGStaging(b *testing.B) {
	env := published.Staging(b).Envs[0]
	for b.Loop() {
		New(env, now).SVG()
	}
}

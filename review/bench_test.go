package review

import (
	"testing"

	"github.com/trustc-dev/trustc/internal/published"
)

// BenchmarkDiffV12Current reviews production v12 to current and renders
// the markdown, timeline included.
func BenchmarkDiffV12Current(b *testing.B) {
	old, new := published.Production(b, 12), published.Production(b, 14)
	now := published.ProductionPublished(13)
	for b.Loop() {
		Diff(old, new, Options{Now: now}).Markdown()
	}
}

// BenchmarkDiffStagingInitial reviews all of staging as new.
func BenchmarkDiffStagingInitial(b *testing.B) {
	new := published.Staging(b)
	for b.Loop() {
		Diff(nil, new, Options{Now: snapshotDay}).Markdown()
	}
}

// BenchmarkRender renders a built review (production v12 to current) as
// markdown and as text: the printers alone, without the comparison.
func BenchmarkRender(b *testing.B) {
	r := Diff(published.Production(b, 12), published.Production(b, 14), Options{Now: published.ProductionPublished(13)})
	for b.Loop() {
		r.Markdown()
		r.Text()
	}
}
